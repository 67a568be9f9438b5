//go:build !race

package gopher

// raceEnabled shrinks loops that the race detector makes slow.
const raceEnabled = false
