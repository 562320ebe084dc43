//go:build race

package faults

// raceEnabled reports whether the race detector is on; bursts are shorter
// then, as every call is an order of magnitude slower.
const raceEnabled = true
