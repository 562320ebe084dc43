package sentrytest

import "go.uber.org/goleak"

// LeakOptions are the goleak options of the tests that make sentry
// clients. They ignore the two goroutines that sentry-go v0.50's telemetry
// scheduler can leave behind when a client is closed: Scheduler.Stop
// cancels its context and broadcasts without holding the scheduler's lock,
// so a run loop that checked the context just before waits for a wakeup
// that never comes (a lost wakeup), and Stop returns after its timeout with
// its own waiter still running. It happens in about one test run in five
// on 2 cores; everything else goleak finds still fails the run.
var LeakOptions = []goleak.Option{
	goleak.IgnoreAnyFunction("github.com/getsentry/sentry-go/internal/telemetry.(*Scheduler).run"),
	goleak.IgnoreAnyFunction("github.com/getsentry/sentry-go/internal/telemetry.(*Scheduler).Stop.func1.1"),
}
