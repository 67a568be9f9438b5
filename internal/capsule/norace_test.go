//go:build !race

package capsule

// raceScale divides the sizes of the hostile inputs under the race
// detector; without it they are used as written.
const raceScale = 1
