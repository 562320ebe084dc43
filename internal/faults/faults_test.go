// Package faults checks the promise "logging never waits on the network":
// with the Sentry receiver down, refusing connections, hanging without an
// answer, answering 429 with Retry-After or answering 500, a burst of error
// records through each adapter completes, memory stays bounded, goroutines
// return to their baseline after the client is closed, and only an explicit
// flush waits, no longer than its timeout.
//
// Every record goes through the adapter's normal logging call to a real
// sentry.Client with the real HTTP transport, in both transport modes of
// sentry-go v0.50 (the default telemetry buffer, and the older HTTPTransport
// selected by ClientOptions.DisableTelemetryBuffer). Each call is timed; the
// latency figures are logged, and written to RESULTS.md when
// LOGSENTRY_WRITE_RESULTS=1, but never asserted: the machine is shared and
// noisy, and performance is measured, not asserted, in timed tests.
package faults

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/rs/zerolog"
	"github.com/sirupsen/logrus"
	"go.uber.org/goleak"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/logsentry/logsentry"
	"github.com/logsentry/logsentry/internal/sentrytest"
	"github.com/logsentry/logsentry/logrussentry"
	"github.com/logsentry/logsentry/slogsentry"
	"github.com/logsentry/logsentry/zapsentry"
	"github.com/logsentry/logsentry/zerologsentry"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m, sentrytest.LeakOptions...) }

const (
	// flushTimeout bounds the explicit flush after each burst.
	flushTimeout = 500 * time.Millisecond
	// flushSlack is how much longer than flushTimeout the flush may take
	// before the test fails: generous, for a shared machine.
	// Generous on purpose: a flush that waited on the network would take
	// the SDK's 30 s HTTP timeout, or the hanging receiver's hour; a shared,
	// loaded machine (or the race detector) makes 1 s of slack flaky.
	flushSlack = 5 * time.Second
	// goroutineWait bounds the wait for goroutines to return to baseline
	// after the client is closed.
	goroutineWait = 10 * time.Second
	// maxHeapGrowth bounds the live heap a burst may leave behind (queued
	// envelopes, breadcrumbs): generous, it only catches unbounded growth.
	maxHeapGrowth = 200 << 20
	// writeResultsEnv names the variable that makes the test write
	// RESULTS.md.
	writeResultsEnv = "LOGSENTRY_WRITE_RESULTS"
	// recordsEnv names the variable that sets the records of a burst.
	recordsEnv = "LOGSENTRY_FAULT_RECORDS"
)

// records is the size of a burst. The figure, 10,000 records, is
// used when writing RESULTS.md: every call serializes its event with up to
// 100 breadcrumbs (in the SDK, on the caller's goroutine), so the 40 bursts
// of the full matrix then take minutes on a small machine. An ordinary run
// uses 2,000 records a burst, which keeps the package under a minute and
// still overflows every SDK queue (1,000 envelopes, 100 events) twice over;
// the race detector, ten times slower, gets 600 (it looks for races, not
// figures).
// LOGSENTRY_FAULT_RECORDS=n sets any size.
var records = func() int {
	if n, err := strconv.Atoi(os.Getenv(recordsEnv)); err == nil && n > 0 {
		return n
	}
	switch {
	case raceEnabled:
		return 600 // still six times the SDK's queue of 100 events
	case os.Getenv(writeResultsEnv) == "1":
		return 10000
	}
	return 2000
}()

// burstLimit fails a burst that has not completed by then: a call that
// waited on the hanging receiver would take an hour, one that waited for
// the SDK's HTTP timeout 30s. The race detector makes every call about ten
// times slower, and a loaded machine slower still.
var burstLimit = func() time.Duration {
	if raceEnabled {
		return 3 * time.Minute
	}
	return time.Minute
}()

// errUpstream is the error every record carries.
var errUpstream = errors.New("upstream: payment service unavailable")

// mode is a transport mode of sentry-go v0.50.
type mode struct {
	name string
	desc string
	// disableTelemetryBuffer selects the older HTTPTransport.
	disableTelemetryBuffer bool
}

var modes = []mode{
	{"buffer", "default: telemetry buffer + internal async transport", false},
	{"legacy", "DisableTelemetryBuffer: true (HTTPTransport)", true},
}

// fault makes a client whose DSN leads to a broken Sentry.
type fault struct {
	name  string
	desc  string
	setup func(t *testing.T, opts sentry.ClientOptions) broken
}

// broken is a client sending to a broken Sentry.
type broken struct {
	client *sentry.Client
	// reached counts what reached the far end (HTTP requests, or accepted
	// connections); nil when nothing can.
	reached func() int
	// quiesce, if not nil, is called once the measurements are done: it
	// makes the receiver answer 429 with Retry-After, so that the client
	// drops what it still holds instead of sending it during the cleanup's
	// flush and Close (which only makes the test faster).
	quiesce func()
}

var faults = []fault{
	{"down", "nothing listens on the DSN's port: connection refused", setupDown},
	{"refusing", "a listener accepts each connection and resets it at once (RST)", setupRefusing},
	{"hanging", "the receiver reads each request and never answers (`SetDelay(time.Hour)`)", func(t *testing.T, opts sentry.ClientOptions) broken {
		return setupReceiver(t, opts, func(r *sentrytest.Receiver) { r.SetDelay(time.Hour) })
	}},
	{"429", "the receiver answers 429 with `Retry-After: 60`", func(t *testing.T, opts sentry.ClientOptions) broken {
		return setupReceiver(t, opts, func(r *sentrytest.Receiver) { r.SetStatus(http.StatusTooManyRequests, retryAfter) })
	}},
	{"500", "the receiver answers 500", func(t *testing.T, opts sentry.ClientOptions) broken {
		return setupReceiver(t, opts, func(r *sentrytest.Receiver) { r.SetStatus(http.StatusInternalServerError, nil) })
	}},
}

// retryAfter is the header of a 429 answer.
var retryAfter = http.Header{"Retry-After": {"60"}}

// newClient makes a real client sending to dsn, closed when t ends.
func newClient(t *testing.T, opts sentry.ClientOptions, dsn string) *sentry.Client {
	t.Helper()
	opts.Dsn = dsn
	client, err := sentry.NewClient(opts)
	if err != nil {
		t.Fatalf("sentry.NewClient: %v", err)
	}
	t.Cleanup(client.Close)
	return client
}

// setupDown points the client at a loopback port that was just freed.
func setupDown(t *testing.T, opts sentry.ClientOptions) broken {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return broken{client: newClient(t, opts, "http://public@"+addr+"/1")}
}

// setupRefusing points the client at a listener that accepts each
// connection and resets it at once.
func setupRefusing(t *testing.T, opts sentry.ClientOptions) broken {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var accepted atomic.Int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return // closed
			}
			accepted.Add(1)
			if tc, ok := c.(*net.TCPConn); ok {
				_ = tc.SetLinger(0) // close with RST
			}
			_ = c.Close()
		}
	}()
	t.Cleanup(func() { // after the client's Close: cleanups run last first
		_ = ln.Close()
		<-done
	})
	client := newClient(t, opts, "http://public@"+ln.Addr().String()+"/1")
	return broken{client: client, reached: func() int { return int(accepted.Load()) }}
}

// setupReceiver starts a sentrytest receiver broken by brk. Its cleanup
// ends any hang, then flushes and closes the client.
func setupReceiver(t *testing.T, opts sentry.ClientOptions, brk func(*sentrytest.Receiver)) broken {
	rcv := sentrytest.NewReceiver(t)
	brk(rcv)
	return broken{
		client:  rcv.NewHub(t, opts).Client(),
		reached: rcv.Requests,
		quiesce: func() {
			rcv.SetDelay(0)
			rcv.SetStatus(http.StatusTooManyRequests, retryAfter)
		},
	}
}

// adapter builds a logger of one kind on a bridge with opts. logf makes one
// error record through the logger's normal call; flush is the adapter's
// explicit flush, bounded by flushTimeout.
type adapter struct {
	name  string
	build func(hub *sentry.Hub, opts []logsentry.Option) (logf func(msg string), flush func() error, b *logsentry.Bridge)
}

// common are the options of every adapter: the test's hub, no rate limit
// (so the transport, not the limiter, sees every record) and the flush
// bound.
func common(hub *sentry.Hub) []logsentry.Option {
	return []logsentry.Option{
		logsentry.WithHub(hub),
		logsentry.WithEventRate(0, 0),
		logsentry.WithFlushTimeout(flushTimeout),
	}
}

var adapters = []adapter{
	{"slog", func(hub *sentry.Hub, opts []logsentry.Option) (func(string), func() error, *logsentry.Bridge) {
		opts = append(opts, slogsentry.WithEventLevel(slog.LevelError), slogsentry.WithBreadcrumbLevel(slog.LevelInfo))
		h := slogsentry.NewHandler(opts...)
		logger := slog.New(h)
		return func(msg string) { logger.Error(msg, "error", errUpstream, "order", 42) },
			func() error {
				ctx, cancel := context.WithTimeout(context.Background(), flushTimeout)
				defer cancel()
				return h.Bridge().Flush(ctx)
			}, h.Bridge()
	}},
	{"zap", func(hub *sentry.Hub, opts []logsentry.Option) (func(string), func() error, *logsentry.Bridge) {
		opts = append(opts, zapsentry.WithEventLevel(zapcore.ErrorLevel), zapsentry.WithBreadcrumbLevel(zapcore.InfoLevel))
		core := zapsentry.NewCore(opts...)
		logger := zap.New(core, zap.AddCaller())
		return func(msg string) { logger.Error(msg, zap.Error(errUpstream), zap.Int("order", 42)) },
			logger.Sync, // Core.Sync: bounded by WithFlushTimeout
			core.Bridge()
	}},
	{"logrus", func(hub *sentry.Hub, opts []logsentry.Option) (func(string), func() error, *logsentry.Bridge) {
		opts = append(opts, logrussentry.WithEventLevel(logrus.ErrorLevel), logrussentry.WithBreadcrumbLevel(logrus.InfoLevel))
		hook := logrussentry.NewHook(opts...)
		logger := logrus.New()
		logger.Out = io.Discard
		logger.AddHook(hook)
		return func(msg string) { logger.WithError(errUpstream).WithField("order", 42).Error(msg) },
			func() error {
				ctx, cancel := context.WithTimeout(context.Background(), flushTimeout)
				defer cancel()
				return hook.Flush(ctx)
			}, hook.Bridge()
	}},
	{"zerolog", func(hub *sentry.Hub, opts []logsentry.Option) (func(string), func() error, *logsentry.Bridge) {
		opts = append(opts, zerologsentry.WithEventLevel(zerolog.ErrorLevel), zerologsentry.WithBreadcrumbLevel(zerolog.InfoLevel))
		w := zerologsentry.NewWriter(opts...)
		logger := zerolog.New(w).Hook(w)
		return func(msg string) { logger.Error().Err(errUpstream).Int("order", 42).Msg(msg) },
			w.Close, // bounded by WithFlushTimeout
			w.Bridge()
	}},
}

// result is what one burst measured.
type result struct {
	mode, adapter, fault string
	p50, p99, max        time.Duration
	total                time.Duration
	heapGrowth           int64  // live heap after the burst minus before, both after a GC
	allocPerCall         uint64 // bytes allocated process-wide during the burst, per record
	flush                time.Duration
	flushErr             error
	reached              int // requests or connections that reached the far end; -1: none possible
	ran                  bool
	goroutinesBefore     int
	goroutinesAfter      int
}

func TestNeverBlocks(t *testing.T) {
	var results []*result
	m := startMachine()
	for _, md := range modes {
		t.Run(md.name, func(t *testing.T) {
			for _, ad := range adapters {
				t.Run(ad.name, func(t *testing.T) {
					for _, f := range faults {
						res := &result{mode: md.name, adapter: ad.name, fault: f.name, reached: -1}
						res.goroutinesBefore = runtime.NumGoroutine()
						ok := t.Run(f.name, func(t *testing.T) { burst(t, md, ad, f, res) })
						// The subtest's cleanups have closed the client and
						// the receiver: every goroutine they started must end.
						res.goroutinesAfter = settleGoroutines(res.goroutinesBefore)
						if res.goroutinesAfter > res.goroutinesBefore {
							t.Errorf("%s: %d goroutines after the client was closed, %d before:\n%s",
								f.name, res.goroutinesAfter, res.goroutinesBefore, stacks())
						}
						if ok && res.ran { // not filtered out by -run
							results = append(results, res)
						}
					}
				})
			}
		})
	}
	logTable(t, results)
	t.Log(m.stop())
	if os.Getenv(writeResultsEnv) == "1" {
		switch {
		case t.Failed():
			t.Errorf("%s=1: RESULTS.md not written, the test failed", writeResultsEnv)
		case len(results) != len(modes)*len(adapters)*len(faults):
			t.Logf("%s=1: RESULTS.md not written, only %d of %d bursts ran", writeResultsEnv,
				len(results), len(modes)*len(adapters)*len(faults))
		default:
			if err := os.WriteFile("RESULTS.md", []byte(markdown(results, m.stop())), 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("wrote RESULTS.md")
		}
	}
}

// burst logs records error records through ad on a client broken by f,
// then flushes explicitly.
func burst(t *testing.T, md mode, ad adapter, f fault, res *result) {
	br := f.setup(t, sentry.ClientOptions{DisableTelemetryBuffer: md.disableTelemetryBuffer})
	hub := sentry.NewHub(br.client, sentry.NewScope())
	logf, flush, b := ad.build(hub, common(hub))

	msgs := make([]string, records) // distinct messages, made before measuring
	for i := range msgs {
		msgs[i] = fmt.Sprintf("charge %d failed", i)
	}
	durs := make([]time.Duration, records)

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i, msg := range msgs {
			t0 := time.Now()
			logf(msg)
			durs[i] = time.Since(t0)
		}
	}()
	watchdog := time.NewTimer(burstLimit)
	defer watchdog.Stop()
	select {
	case <-done:
	case <-watchdog.C:
		t.Fatalf("burst of %d records did not complete within %v: a logging call waits; goroutines:\n%s",
			records, burstLimit, stacks())
	}
	res.total = time.Since(start)
	runtime.GC()
	runtime.ReadMemStats(&after)
	res.heapGrowth = int64(after.HeapAlloc) - int64(before.HeapAlloc)
	res.allocPerCall = (after.TotalAlloc - before.TotalAlloc) / uint64(records)

	sorted := slices.Clone(durs)
	slices.Sort(sorted)
	res.p50, res.p99, res.max = percentile(sorted, 50), percentile(sorted, 99), sorted[len(sorted)-1]

	if st := b.Stats(); st.Events != uint64(records) || st.Breadcrumbs != uint64(records) || st.Panics != 0 {
		t.Errorf("stats = %+v, want %d events and %d breadcrumbs handed to the SDK, no panics", st, records, records)
	}
	if res.heapGrowth > maxHeapGrowth {
		t.Errorf("heap grew by %s over the burst, want at most %s", mib(res.heapGrowth), mib(maxHeapGrowth))
	}

	t0 := time.Now()
	res.flushErr = flush()
	res.flush = time.Since(t0)
	if res.flushErr != nil && !errors.Is(res.flushErr, logsentry.ErrFlushTimeout) {
		t.Errorf("flush: %v, want nil or logsentry.ErrFlushTimeout", res.flushErr)
	}
	if res.flush > flushTimeout+flushSlack {
		t.Errorf("flush took %v, want at most its timeout %v (+%v slack)", res.flush, flushTimeout, flushSlack)
	}
	if br.reached != nil {
		res.reached = br.reached()
	}
	if br.quiesce != nil {
		br.quiesce()
	}
	res.ran = true
	t.Logf("%d records in %v: p50 %v p99 %v max %v; heap %+d KiB, %d B/record allocated; flush %v (%v); reached %d",
		records, res.total.Round(time.Millisecond), res.p50, res.p99, res.max, res.heapGrowth>>10, res.allocPerCall,
		res.flush.Round(time.Millisecond), flushOutcome(res.flushErr), res.reached)
}

// percentile returns the nearest-rank p-th percentile of sorted.
func percentile(sorted []time.Duration, p int) time.Duration {
	i := (len(sorted)*p + 99) / 100 // ceil(n*p/100)
	return sorted[max(i-1, 0)]
}

// settleGoroutines waits, up to goroutineWait, for the goroutine count to
// fall to baseline, and returns the last count.
func settleGoroutines(baseline int) int {
	deadline := time.Now().Add(goroutineWait)
	for {
		n := runtime.NumGoroutine()
		if n <= baseline || time.Now().After(deadline) {
			return n
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// stacks returns the stacks of all goroutines.
func stacks() string {
	buf := make([]byte, 1<<20)
	return string(buf[:runtime.Stack(buf, true)])
}

func flushOutcome(err error) string {
	switch {
	case err == nil:
		return "sent"
	case errors.Is(err, logsentry.ErrFlushTimeout):
		return "timed out"
	default:
		return err.Error()
	}
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

// us formats d in microseconds with one decimal.
func us(d time.Duration) string { return fmt.Sprintf("%.1f µs", float64(d)/float64(time.Microsecond)) }

func logTable(t *testing.T, results []*result) {
	for _, r := range results {
		t.Logf("%-6s %-7s %-8s burst %6v  p50 %9s  p99 %9s  max %10s  heap %+8d KiB  %6d B/rec  flush %6v (%s)  reached %d  goroutines %d->%d",
			r.mode, r.adapter, r.fault, r.total.Round(time.Millisecond), us(r.p50), us(r.p99), us(r.max), r.heapGrowth>>10,
			r.allocPerCall, r.flush.Round(time.Millisecond), flushOutcome(r.flushErr), r.reached, r.goroutinesBefore,
			r.goroutinesAfter)
	}
}

// machine records how busy the machine was during the test.
type machine struct {
	start     time.Time
	cpu       time.Duration
	loadStart string
}

func startMachine() *machine {
	cpu, _ := cpuTime()
	return &machine{start: time.Now(), cpu: cpu, loadStart: loadAvg()}
}

// stop describes the machine's load since start.
func (m *machine) stop() string {
	wall := time.Since(m.start)
	s := fmt.Sprintf("%d CPUs (GOMAXPROCS %d); 1-minute load average %s at the start, %s at the end",
		runtime.NumCPU(), runtime.GOMAXPROCS(0), m.loadStart, loadAvg())
	if cpu, ok := cpuTime(); ok {
		s += fmt.Sprintf("; the test process got %.0f%% of one CPU over %v (user + system time)",
			100*float64(cpu-m.cpu)/float64(wall), wall.Round(time.Second))
	}
	return s
}

// loadAvg returns the 1-minute load average, "?" where /proc has none.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) > 0 {
		return f[0]
	}
	return "?"
}

// markdown renders results as RESULTS.md.
func markdown(results []*result, machine string) string {
	var b strings.Builder
	b.WriteString("# Fault injection: logging never waits on the network\n\n")
	b.WriteString("Generated by `LOGSENTRY_WRITE_RESULTS=1 go test -count=1 ./internal/faults/` " +
		"(`internal/faults/faults_test.go`); do not edit by hand.\n\n")
	fmt.Fprintf(&b, "Run of %s: %s, %s/%s, sentry-go %s, race detector %v; %s. The machine is shared: "+
		"the latency figures move with its load from run to run.\n\n",
		time.Now().UTC().Format("2006-01-02"), runtime.Version(), runtime.GOOS, runtime.GOARCH,
		sentry.SDKVersion, raceEnabled, machine)
	fmt.Fprintf(&b, "Each row is a burst of %d error records through the adapter's normal logging call "+
		"(`slog.Logger.Error`; `zap.Logger.Error` with `zap.AddCaller`; logrus `WithError(err).WithField(...).Error` "+
		"writing its line to io.Discard; zerolog `Error().Err(err).Int(...).Msg` with the Writer as writer and hook), "+
		"each record with a distinct message, an error and one field, the rate limit off (`WithEventRate(0, 0)`) "+
		"and breadcrumbs on from info, so every event carries the scope's last 100 breadcrumbs. They go to a real "+
		"`sentry.Client` with the real HTTP transport and a broken Sentry, in both transport modes of sentry-go.\n\n",
		records)
	b.WriteString("Columns:\n\n" +
		"- **p50, p99, max**: duration of each logging call, timed with `time.Now`, nearest-rank percentiles.\n" +
		"- **burst**: wall time of the whole burst.\n" +
		"- **heap growth**: live heap (`HeapAlloc` after `runtime.GC`) after the burst minus before it: what the SDK " +
		"still holds queued when the burst ends.\n" +
		"- **alloc/record**: bytes allocated during the burst, process-wide (the SDK's background goroutines " +
		"included), per record.\n")
	fmt.Fprintf(&b, "- **flush**: the adapter's explicit flush, bounded to %v: slog and logrus `Flush(ctx)` with a %v "+
		"deadline, zap `Logger.Sync` and zerolog `Writer.Close` with `WithFlushTimeout(%v)`; its result is \"sent\" "+
		"or \"timed out\" (`logsentry.ErrFlushTimeout`).\n", flushTimeout, flushTimeout, flushTimeout)
	b.WriteString("- **reached**: HTTP requests the receiver got during the burst and flush (refusing: connections " +
		"accepted and reset; down: none can).\n\n")
	fmt.Fprintf(&b, "Asserted: every burst completes within %v; the flush returns within its timeout + %v; "+
		"every record is handed to the SDK (`Bridge.Stats`); heap growth stays below %s; after the client is "+
		"closed the goroutine count returns to its value before the client was made (and goleak checks the "+
		"package). Latency is measured, never asserted.\n\n", burstLimit, flushSlack, mib(maxHeapGrowth))
	b.WriteString("Faults:\n\n")
	for _, f := range faults {
		fmt.Fprintf(&b, "- **%s**: %s\n", f.name, f.desc)
	}
	b.WriteString("\n")
	worst := time.Duration(0)
	for _, md := range modes {
		fmt.Fprintf(&b, "## Transport: %s\n\n", md.desc)
		b.WriteString("| adapter | fault | p50 | p99 | max | p99 < 1 ms | burst | heap growth | alloc/record | flush | flush result | reached |\n")
		b.WriteString("|---|---|---:|---:|---:|:---:|---:|---:|---:|---:|---|---:|\n")
		for _, r := range results {
			if r.mode != md.name {
				continue
			}
			worst = max(worst, r.p99)
			under := "yes"
			if r.p99 >= time.Millisecond {
				under = "**no**"
			}
			reached := "–"
			if r.reached >= 0 {
				reached = fmt.Sprint(r.reached)
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %v | %s | %d B | %v | %s | %s |\n",
				r.adapter, r.fault, us(r.p50), us(r.p99), us(r.max), under, r.total.Round(time.Millisecond),
				mib(r.heapGrowth), r.allocPerCall, r.flush.Round(time.Millisecond), flushOutcome(r.flushErr), reached)
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "Worst p99 of all rows: %s.\n\n", us(worst))
	b.WriteString(whereTimeGoes)
	return b.String()
}

// whereTimeGoes explains the figures; it holds for any run.
const whereTimeGoes = `## Where the time goes

No logging call waits on the network: with the receiver hanging for an hour, bursts complete in
seconds, and a block profile of the logging goroutine
(` + "`go test -run 'TestNeverBlocks/.*/hanging' -blockprofile b.prof -blockprofilerate 1`" + `) shows it
blocked only on the SDK's own short critical sections (the telemetry ring buffer's mutex, the client
report aggregator), microseconds in all. The time of a call is CPU spent in sentry-go on the caller's
goroutine, serializing the event: with the default telemetry buffer,
` + "`Event.MakeSerializationSafe`" + ` marshals its breadcrumbs, contexts and exception to JSON before
the event is queued; with ` + "`DisableTelemetryBuffer`" + `, ` + "`HTTPTransport.SendEvent`" + ` marshals the
whole event and builds the envelope, even when its queue is full and the envelope is then dropped.
Both grow with the breadcrumbs an event carries (up to ` + "`ClientOptions.MaxBreadcrumbs`" + `, 100 by
default). The one path that skips the serialization is the 429 row of HTTPTransport: once Retry-After
disables the error category, SendEvent drops events before marshalling them, and what is left is the
bridge's own conversion plus the SDK's scope handling. A CPU profile
(` + "`-cpuprofile`" + `) attributes the rest of a call to the bridge (normalization, the stack trace,
the breadcrumb) and the logger. The receiver runs in the test process, so in the refusing, hanging
and 500 rows its request handling, and the SDK's background sending, compete with the logging
goroutine for the same CPUs; a GC cycle or a descheduled thread is what makes the max column.

Memory is bounded by the SDK's queues, not by the number of records: the telemetry buffer keeps at
most 100 events and its transport at most 1,000 envelopes; HTTPTransport keeps at most 1,000
envelopes per batch. Whatever does not fit is dropped and counted in the client reports.
`
