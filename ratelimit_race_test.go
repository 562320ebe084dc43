//go:build race

package logsentry_test

// raceEnabled reports whether the race detector is on: the hot-loop test
// logs a tenth as many records under it.
const raceEnabled = true
