//go:build !race

package netserve

// raceEnabled shrinks loops that the race detector makes slow.
const raceEnabled = false
