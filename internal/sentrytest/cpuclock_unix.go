//go:build unix

package sentrytest

import (
	"syscall"
	"testing"
	"time"
)

// CPUClock reads the CPU time of the whole process (every goroutine: the
// benchmark, the garbage collector, the SDK's batching). Benchmarks report
// it per operation as cpu-ns/op beside ns/op: on a shared machine wall time
// also counts the time other processes held the CPU, CPU time does not.
type CPUClock struct{ start time.Duration }

// StartCPU starts a CPUClock.
func StartCPU() CPUClock { return CPUClock{cpuTime()} }

// Report adds the CPU time per iteration since c started to b's results.
func (c CPUClock) Report(b *testing.B) {
	if b.N > 0 {
		b.ReportMetric(float64(cpuTime()-c.start)/float64(b.N), "cpu-ns/op")
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
