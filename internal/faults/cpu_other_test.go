//go:build !unix

package faults

import "time"

// cpuTime reports that the CPU time of the process is unknown here.
func cpuTime() (time.Duration, bool) { return 0, false }
