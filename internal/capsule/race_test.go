//go:build race

package capsule

// raceScale divides the sizes of the hostile inputs under the race
// detector, which slows goldmark twenty-fold: the tests stay a hang
// detector without taking minutes.
const raceScale = 4
