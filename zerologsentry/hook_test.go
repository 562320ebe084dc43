package zerologsentry_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
	pkgerrors "github.com/pkg/errors"
	"github.com/rs/zerolog"
	"github.com/rs/zerolog/diode"

	"github.com/logsentry/logsentry"
	"github.com/logsentry/logsentry/breadcrumbs"
	"github.com/logsentry/logsentry/internal/sentrytest"
	"github.com/logsentry/logsentry/zerologsentry"
)

// TestHookRoutesByContext checks that, with the hook, a line logged with
// .Ctx(ctx) goes to the hub of ctx, and a line without one to the fallback.
func TestHookRoutesByContext(t *testing.T) {
	rcvCtx, ctxHub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	rcvFallback, fallback := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	w := zerologsentry.NewWriter(logsentry.WithHub(fallback))
	logger := newLogger(w, io.Discard)
	ctx := sentrytest.HubContext(ctxHub)

	logger.Info().Ctx(ctx).Msg("request crumb")
	logger.Error().Ctx(ctx).Msg("request failed")
	logger.Error().Msg("no context")
	// A context set on the logger reaches the hook too.
	sub := logger.With().Ctx(ctx).Logger()
	sub.Error().Msg("logger context")

	sentrytest.Flush(t, ctxHub)
	sentrytest.Flush(t, fallback)
	evs := rcvCtx.WaitEvents(t, 2, waitFor)
	ev := sentrytest.EventByMessage(t, evs, "request failed")
	if got := sentrytest.BreadcrumbMessages(ev); len(got) != 1 || got[0] != "request crumb" {
		t.Errorf("breadcrumbs = %q", got)
	}
	sentrytest.EventByMessage(t, evs, "logger context")
	fb := rcvFallback.WaitEvents(t, 1, waitFor)
	if len(fb) != 1 || fb[0].Message != "no context" || len(fb[0].Breadcrumbs) != 0 {
		t.Errorf("fallback events = %q, breadcrumbs %d", sentrytest.Messages(fb), len(fb[0].Breadcrumbs))
	}
}

// TestConcurrentTrails logs from concurrent requests, each on its own
// trail: every event carries its own request's breadcrumbs and no other.
func TestConcurrentTrails(t *testing.T) {
	const requests, steps = 8, 20
	rcv, hub, logger := receiverLogger(t)
	base := sentrytest.HubContext(hub)
	var wg sync.WaitGroup
	for r := range requests {
		wg.Go(func() {
			ctx := breadcrumbs.WithTrail(base)
			for i := range steps {
				logger.Info().Ctx(ctx).Int("req", r).Msgf("req %d step %d", r, i)
			}
			logger.Error().Ctx(ctx).Int("req", r).Msgf("req %d failed", r)
		})
	}
	wg.Wait()
	logger.Error().Msg("shared hub")
	sentrytest.Flush(t, hub)
	evs := rcv.WaitEvents(t, requests+1, waitFor)
	for r := range requests {
		ev := sentrytest.EventByMessage(t, evs, fmt.Sprintf("req %d failed", r))
		crumbs := sentrytest.BreadcrumbMessages(ev)
		if len(crumbs) != steps {
			t.Errorf("req %d: %d breadcrumbs, want %d: %q", r, len(crumbs), steps, crumbs)
		}
		for i, c := range crumbs {
			if want := fmt.Sprintf("req %d step %d", r, i); c != want {
				t.Errorf("req %d: breadcrumb %d = %q, want %q", r, i, c, want)
			}
		}
	}
	if ev := sentrytest.EventByMessage(t, evs, "shared hub"); len(ev.Breadcrumbs) != 0 {
		t.Errorf("breadcrumbs leaked to the shared hub: %q", sentrytest.BreadcrumbMessages(ev))
	}
}

// TestTopFrame checks that the stack trace of an event starts at the
// logging line, with no frame of zerolog or of this module.
func TestTopFrame(t *testing.T) {
	t.Run("hook, error", func(t *testing.T) {
		rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
		w := zerologsentry.NewWriter(logsentry.WithHub(hub))
		logger := newLogger(w, io.Discard)
		line := sentrytest.NextLine()
		logger.Error().Err(errors.New("no stack")).Msg("with error")
		sentrytest.Flush(t, hub)
		ev := rcv.WaitEvents(t, 1, waitFor)[0]
		checkFrames(t, sentrytest.ExceptionFrames(ev), sentrytest.ThisFunc(), line)
	})
	t.Run("hook, message only", func(t *testing.T) {
		rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
		w := zerologsentry.NewWriter(logsentry.WithHub(hub))
		logger := newLogger(w, io.Discard)
		line := sentrytest.NextLine()
		logger.Error().Str("k", "v").Msgf("message %s", "only")
		sentrytest.Flush(t, hub)
		ev := rcv.WaitEvents(t, 1, waitFor)[0]
		checkFrames(t, sentrytest.ThreadFrames(t, ev), sentrytest.ThisFunc(), line)
	})
	t.Run("no hook", func(t *testing.T) {
		rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
		w := zerologsentry.NewWriter(logsentry.WithHub(hub))
		logger := zerolog.New(zerolog.MultiLevelWriter(io.Discard, w))
		line := sentrytest.NextLine()
		logger.Error().Msg("no hook")
		sentrytest.Flush(t, hub)
		ev := rcv.WaitEvents(t, 1, waitFor)[0]
		checkFrames(t, sentrytest.ThreadFrames(t, ev), sentrytest.ThisFunc(), line)
	})
	t.Run("hook, asynchronous writer", func(t *testing.T) {
		rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
		w := zerologsentry.NewWriter(logsentry.WithHub(hub))
		dw := diode.NewWriter(w, 100, time.Millisecond, nil)
		logger := zerolog.New(dw).Hook(w)
		line := sentrytest.NextLine()
		logger.Error().Msg("through a diode")
		if err := dw.Close(); err != nil { // drains the diode
			t.Fatal(err)
		}
		sentrytest.Flush(t, hub)
		ev := rcv.WaitEvents(t, 1, waitFor)[0]
		frames := sentrytest.ThreadFrames(t, ev)
		checkFrames(t, frames, sentrytest.ThisFunc(), line)
		if len(frames) != 1 {
			t.Errorf("%d frames, want only the call site (the logging goroutine is gone)", len(frames))
		}
	})
}

// TestAsyncWriterKeepsContext checks that the hook's context reaches the
// Writer through an asynchronous diode writer, which calls Write on
// another goroutine.
func TestAsyncWriterKeepsContext(t *testing.T) {
	rcvCtx, ctxHub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	_, fallback := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	w := zerologsentry.NewWriter(logsentry.WithHub(fallback))
	dw := diode.NewWriter(w, 100, time.Millisecond, nil)
	logger := zerolog.New(dw).Hook(w)
	ctx := breadcrumbs.WithTrail(sentrytest.HubContext(ctxHub))
	logger.Info().Ctx(ctx).Msg("async crumb")
	logger.Error().Ctx(ctx).Msg("async failure")
	if err := dw.Close(); err != nil { // drains the diode
		t.Fatal(err)
	}
	sentrytest.Flush(t, ctxHub)
	ev := sentrytest.EventByMessage(t, rcvCtx.WaitEvents(t, 1, waitFor), "async failure")
	if got := sentrytest.BreadcrumbMessages(ev); len(got) != 1 || got[0] != "async crumb" {
		t.Errorf("breadcrumbs = %q", got)
	}
}

// TestWithoutHook checks that a Writer attached only as a writer still
// delivers, on the fallback hub: it cannot see the event's context.
func TestWithoutHook(t *testing.T) {
	_, ctxHub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	rcv, fallback := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	w := zerologsentry.NewWriter(logsentry.WithHub(fallback))
	logger := zerolog.New(zerolog.MultiLevelWriter(io.Discard, w))
	logger.Info().Ctx(sentrytest.HubContext(ctxHub)).Msg("crumb")
	logger.Error().Ctx(sentrytest.HubContext(ctxHub)).Err(errors.New("boom")).Msg("no hook")
	sentrytest.Flush(t, fallback)
	ev := rcv.WaitEvents(t, 1, waitFor)[0]
	if ev.Message != "no hook" || len(ev.Exception) != 1 || ev.Exception[0].Value != "boom" {
		t.Errorf("event = %q, exception %+v", ev.Message, ev.Exception)
	}
	if got := sentrytest.BreadcrumbMessages(ev); len(got) != 1 || got[0] != "crumb" {
		t.Errorf("breadcrumbs = %q", got)
	}
}

// TestHookWithoutWriter checks that a hook whose lines never reach the
// Writer does not retain them without bound, and that a later line still
// finds its own context.
func TestHookWithoutWriter(t *testing.T) {
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	_, other := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	w := zerologsentry.NewWriter(logsentry.WithHub(hub))
	stray := zerolog.New(io.Discard).Hook(w) // hook only: lines go elsewhere
	for range 5000 {
		stray.Error().Ctx(sentrytest.HubContext(other)).Msg("never written to w")
	}
	logger := newLogger(w, io.Discard)
	logger.Error().Ctx(sentrytest.HubContext(hub)).Msg("written")
	sentrytest.Flush(t, hub)
	if ev := rcv.WaitEvents(t, 1, waitFor)[0]; ev.Message != "written" {
		t.Errorf("event = %q", ev.Message)
	}
}

// TestConsoleOutput checks that the other outputs of a MultiLevelWriter
// keep their output: a ConsoleWriter (told to leave the correlation field
// out) and, with Tee, a JSON output without the field.
func TestConsoleOutput(t *testing.T) {
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	w := zerologsentry.NewWriter(logsentry.WithHub(hub))

	var console, jsonOut, teeOut bytes.Buffer
	cw := zerolog.ConsoleWriter{Out: &console, NoColor: true, PartsExclude: []string{zerolog.TimestampFieldName},
		FieldsExclude: []string{zerologsentry.CorrelationFieldName}}
	consoleLog := zerolog.New(zerolog.MultiLevelWriter(cw, w)).Hook(w)
	consoleLog.Error().Str("order", "A-1").Msg("console line")
	jsonLog := zerolog.New(zerolog.MultiLevelWriter(&jsonOut, w)).Hook(w)
	jsonLog.Error().Str("order", "A-2").Msg("json line")
	teeLog := zerolog.New(w.Tee(&teeOut)).Hook(w)
	teeLog.Error().Str("order", "A-3").Msg("tee line")
	teeLog.Debug().Msg("tee debug line")

	if got, want := console.String(), "ERR console line order=A-1\n"; got != want {
		t.Errorf("console = %q, want %q", got, want)
	}
	if !strings.Contains(jsonOut.String(), `"`+zerologsentry.CorrelationFieldName+`":`) ||
		!strings.Contains(jsonOut.String(), `"message":"json line"`) {
		t.Errorf("JSON output through MultiLevelWriter = %q", jsonOut.String())
	}
	if got, want := teeOut.String(), `{"level":"error","order":"A-3","message":"tee line"}`+"\n"+
		`{"level":"debug","message":"tee debug line"}`+"\n"; got != want {
		t.Errorf("Tee output = %q, want %q", got, want)
	}
	sentrytest.Flush(t, hub)
	evs := rcv.WaitEvents(t, 3, waitFor)
	for _, m := range []string{"console line", "json line", "tee line"} {
		ev := sentrytest.EventByMessage(t, evs, m)
		if _, ok := attrs(ev)[zerologsentry.CorrelationFieldName]; ok {
			t.Errorf("%s: the correlation field reached Sentry", m)
		}
		if attrs(ev)["order"] == nil {
			t.Errorf("%s: attributes = %v", m, attrs(ev))
		}
	}
}

type quotaError struct{ code int }

func (e *quotaError) Error() string { return fmt.Sprintf("quota exceeded (code %d)", e.code) }

// TestErrorMarshalFunc checks that, with zerologsentry.ErrorMarshalFunc
// installed, the event's exceptions carry the error values' types, chain
// and stack, and that zerolog's output is unchanged.
func TestErrorMarshalFunc(t *testing.T) {
	useErrorMarshalFunc(t)

	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	w := zerologsentry.NewWriter(logsentry.WithHub(hub))
	var out bytes.Buffer
	logger := zerolog.New(w.Tee(&out)).Hook(w)

	wrapped := fmt.Errorf("charge: %w", &quotaError{507})
	logger.Error().Err(wrapped).Msg("wrapped")
	stackLine := sentrytest.NextLine()
	withStack := pkgerrors.New("with a stack")
	logger.Error().Err(withStack).Msg("pkg/errors")
	logger.Error().Err(errors.Join(errors.New("a"), &quotaError{1})).Msg("joined")
	var nilErr *quotaError
	logger.Error().Err(nilErr).Msg("typed nil")

	wantOut := `{"level":"error","error":"charge: quota exceeded (code 507)","message":"wrapped"}` + "\n" +
		`{"level":"error","error":"with a stack","message":"pkg/errors"}` + "\n" +
		`{"level":"error","error":"a\nquota exceeded (code 1)","message":"joined"}` + "\n" +
		`{"level":"error","message":"typed nil"}` + "\n"
	if out.String() != wantOut {
		t.Errorf("zerolog output = %q, want %q", out.String(), wantOut)
	}
	sentrytest.Flush(t, hub)
	evs := rcv.WaitEvents(t, 4, waitFor)

	ev := sentrytest.EventByMessage(t, evs, "wrapped")
	if len(ev.Exception) != 2 || ev.Exception[0].Type != "*zerologsentry_test.quotaError" || ev.Exception[1].Type != "*fmt.wrapError" {
		t.Errorf("wrapped: exceptions = %+v", ev.Exception)
	}
	ev = sentrytest.EventByMessage(t, evs, "pkg/errors")
	if len(ev.Exception) == 0 || ev.Exception[0].Type != "*errors.fundamental" {
		t.Fatalf("pkg/errors: exceptions = %+v", ev.Exception)
	}
	checkFrames(t, ev.Exception[0].Stacktrace.Frames, sentrytest.ThisFunc(), stackLine)
	ev = sentrytest.EventByMessage(t, evs, "joined")
	if len(ev.Exception) != 3 || ev.Exception[len(ev.Exception)-1].Type != "*errors.joinError" {
		t.Errorf("joined: exceptions = %+v", ev.Exception)
	}
	if ev := sentrytest.EventByMessage(t, evs, "typed nil"); len(ev.Exception) != 0 {
		t.Errorf("typed nil: exceptions = %+v", ev.Exception)
	}
}

// TestErrorMarshalFuncConcurrent logs errors of distinct texts from many
// goroutines: each event gets its own error value.
func TestErrorMarshalFuncConcurrent(t *testing.T) {
	useErrorMarshalFunc(t)

	const n = 40
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	w := zerologsentry.NewWriter(logsentry.WithHub(hub), logsentry.WithEventRate(0, 0)) // "job <int>" is one group
	logger := newLogger(w, io.Discard)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			logger.Error().Err(&quotaError{i}).Msgf("job %d", i)
		})
	}
	wg.Wait()
	sentrytest.Flush(t, hub)
	evs := rcv.WaitEvents(t, n, waitFor)
	for i := range n {
		ev := sentrytest.EventByMessage(t, evs, fmt.Sprintf("job %d", i))
		if len(ev.Exception) != 1 || ev.Exception[0].Type != "*zerologsentry_test.quotaError" ||
			ev.Exception[0].Value != (&quotaError{i}).Error() {
			t.Errorf("job %d: exceptions = %+v", i, ev.Exception)
		}
	}
}

// TestErrorWithoutMarshalFunc checks what remains without
// ErrorMarshalFunc: the text, typed zerologsentry.LoggedError.
func TestErrorWithoutMarshalFunc(t *testing.T) {
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	w := zerologsentry.NewWriter(logsentry.WithHub(hub))
	logger := newLogger(w, io.Discard)
	// A text no other test logs: the table of ErrorMarshalFunc is global,
	// and a claimed error of the same text would be recalled.
	logger.Error().Err(fmt.Errorf("charge: %w", &quotaError{5071})).Msg("text only")
	logger.Error().Err(errors.New("disk gone")).Send()
	sentrytest.Flush(t, hub)
	evs := rcv.WaitEvents(t, 2, waitFor)
	ev := sentrytest.EventByMessage(t, evs, "text only")
	if len(ev.Exception) != 1 || ev.Exception[0].Type != "zerologsentry.LoggedError" || ev.Exception[0].Value != "charge: quota exceeded (code 5071)" {
		t.Errorf("exceptions = %+v", ev.Exception)
	}
	if !slicesEqual(ev.Fingerprint, []string{"text only", "zerologsentry.LoggedError", "charge: quota exceeded (code <int>)"}) {
		t.Errorf("fingerprint = %q", ev.Fingerprint)
	}
	sentrytest.EventByMessage(t, evs, "disk gone") // an empty message takes the error's text
}

func slicesEqual(a, b []string) bool { return strings.Join(a, "\x00") == strings.Join(b, "\x00") }

// TestCorrelationFieldOnlyWhenNeeded checks which lines the hook marks:
// events, and other lines that pass a threshold with a context.
func TestCorrelationFieldOnlyWhenNeeded(t *testing.T) {
	_, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	w := zerologsentry.NewWriter(logsentry.WithHub(hub))
	ctx := sentrytest.HubContext(hub)
	tests := []struct {
		name   string
		log    func(zerolog.Logger)
		marked bool
	}{
		{"debug with context", func(l zerolog.Logger) { l.Debug().Ctx(ctx).Msg("m") }, false},
		{"info without context", func(l zerolog.Logger) { l.Info().Msg("m") }, false},
		{"info with context", func(l zerolog.Logger) { l.Info().Ctx(ctx).Msg("m") }, true},
		{"error without context", func(l zerolog.Logger) { l.Error().Msg("m") }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			tt.log(newLogger(w, &out))
			if got := strings.Contains(out.String(), zerologsentry.CorrelationFieldName); got != tt.marked {
				t.Errorf("line %q marked: %v, want %v", out.String(), got, tt.marked)
			}
		})
	}
}

// A Tee whose Writer ignores a level still removes the correlation field
// another Writer's hook put on that line.
func TestTeeStripsOtherWritersField(t *testing.T) {
	_, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	ctx := sentry.SetHubOnContext(context.Background(), hub)
	w1 := zerologsentry.NewWriter(logsentry.WithHub(hub), zerologsentry.WithBreadcrumbLevel(zerolog.Disabled))
	w2 := zerologsentry.NewWriter(logsentry.WithHub(hub))
	var console bytes.Buffer
	logger := zerolog.New(zerolog.MultiLevelWriter(w1.Tee(&console), w2)).Hook(w1).Hook(w2)
	logger.Info().Ctx(ctx).Msg("hello")
	if got, want := console.String(), `{"level":"info","message":"hello"}`+"\n"; got != want {
		t.Errorf("console = %q, want %q", got, want)
	}
}

// TestHookAttachedTwice: a Writer attached twice as a hook (a sub-logger
// given .Hook(w) again) writes two correlation fields per line; the console
// shows neither, and the line still reaches its request's hub.
func TestHookAttachedTwice(t *testing.T) {
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	ctx := sentry.SetHubOnContext(context.Background(), hub)
	w := zerologsentry.NewWriter() // no fallback hub: only the context's
	var console bytes.Buffer
	logger := zerolog.New(w.Tee(&console)).Hook(w).Hook(w)
	logger.Error().Ctx(ctx).Msg("twice")
	if got, want := console.String(), `{"level":"error","message":"twice"}`+"\n"; got != want {
		t.Errorf("console = %q, want %q", got, want)
	}
	sentrytest.Flush(t, hub)
	if got := sentrytest.Messages(rcv.WaitEvents(t, 1, waitFor)); len(got) != 1 || got[0] != "twice" {
		t.Errorf("events %q, want [twice]", got)
	}
}

// TestTeeStripsFieldAfterInvalidJSON: zerolog writes RawJSON as it is
// given; where the Writer's parser stops at invalid JSON, before the
// hook's field, Tee still keeps the field out of the console.
func TestTeeStripsFieldAfterInvalidJSON(t *testing.T) {
	_, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	ctx := sentry.SetHubOnContext(context.Background(), hub)
	w := zerologsentry.NewWriter(logsentry.WithHub(hub))
	for _, raw := range []string{`01`, `1.`, `nope`, `{"a":"\x"}`} {
		var console bytes.Buffer
		logger := zerolog.New(w.Tee(&console)).Hook(w)
		logger.Error().Ctx(ctx).RawJSON("payload", []byte(raw)).Msg("m")
		if strings.Contains(console.String(), zerologsentry.CorrelationFieldName) {
			t.Errorf("payload %s: console = %q", raw, console.String())
		}
		if !strings.Contains(console.String(), `"payload":`+raw) {
			t.Errorf("payload %s: console lost the payload: %q", raw, console.String())
		}
	}
}

// gatedConsole is a console that holds every line until lines of them wait
// in it, like a stalled terminal; a line entering it frees its slot in sem.
type gatedConsole struct {
	sem     chan struct{}
	gate    chan struct{}
	lines   int
	mu      sync.Mutex
	arrived int
}

func (c *gatedConsole) Write(p []byte) (int, error) {
	<-c.sem
	c.mu.Lock()
	if c.arrived++; c.arrived == c.lines {
		close(c.gate)
	}
	c.mu.Unlock()
	<-c.gate
	return len(p), nil
}

// TestManyLinesWaitingOnConsole: more lines than the hook's table holds
// (1024) wait on a stalled console at once, each logged with its own
// request's hub; every breadcrumb still lands on its own request's hub,
// through Tee and through MultiLevelWriter with the Writer first. Tee once
// claimed a line's context only after the console write, and lines waiting
// there pushed each other out of the table: 1,952 of 3,000 went to the
// fallback hub. At most 64 lines at a time are between their hook and the
// console, well within the table.
func TestManyLinesWaitingOnConsole(t *testing.T) {
	const lines = 1200
	for _, name := range []string{"Tee", "MultiLevelWriter"} {
		t.Run(name, func(t *testing.T) {
			var onRequest, onFallback sync.Map
			counting := func(m *sync.Map) *sentry.Client {
				c, err := sentry.NewClient(sentry.ClientOptions{
					Dsn: "http://k@127.0.0.1:1/1", Transport: nopTransport{},
					BeforeBreadcrumb: func(b *sentry.Breadcrumb, _ *sentry.BreadcrumbHint) *sentry.Breadcrumb {
						m.Store(b.Message, true)
						return b
					},
				})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(c.Close)
				return c
			}
			reqClient := counting(&onRequest)
			w := zerologsentry.NewWriter(logsentry.WithHub(sentry.NewHub(counting(&onFallback), sentry.NewScope())))
			console := &gatedConsole{sem: make(chan struct{}, 64), gate: make(chan struct{}), lines: lines}
			out := w.Tee(console)
			if name == "MultiLevelWriter" {
				out = zerolog.MultiLevelWriter(w, console)
			}
			logger := zerolog.New(out).Hook(w)
			var wg sync.WaitGroup
			for i := range lines {
				console.sem <- struct{}{} // freed when the line reaches the console
				wg.Go(func() {
					ctx := sentry.SetHubOnContext(context.Background(), sentry.NewHub(reqClient, sentry.NewScope()))
					logger.Info().Ctx(ctx).Msgf("step %d", i)
				})
			}
			wg.Wait()
			leaked, kept := 0, 0
			onFallback.Range(func(any, any) bool { leaked++; return true })
			onRequest.Range(func(any, any) bool { kept++; return true })
			if leaked != 0 || kept != lines {
				t.Errorf("%d breadcrumbs on their request's hub and %d on the fallback hub, want %d and 0", kept, leaked, lines)
			}
		})
	}
}

// TestErrorMarshalFuncOtherKeys: on an event line, an error logged under a
// key that names an error (AnErr) is recovered from its text, and a string
// field that merely equals the text of an error marshaled elsewhere (here a
// Debug line below every threshold, whose error stays remembered) is left a
// string.
func TestErrorMarshalFuncOtherKeys(t *testing.T) {
	useErrorMarshalFunc(t)

	rcv, hub, logger := receiverLogger(t)

	logger.Debug().Err(&quotaError{1}).Msg("below every threshold")
	logger.Error().Str("status", (&quotaError{1}).Error()).Msg("status only")
	logger.Error().AnErr("dbErr", &quotaError{2}).Msg("other key")

	sentrytest.Flush(t, hub)
	evs := rcv.WaitEvents(t, 2, waitFor)
	if ev := sentrytest.EventByMessage(t, evs, "status only"); len(ev.Exception) != 0 {
		t.Errorf("a string field became an exception: %+v", ev.Exception)
	} else if got := attrs(ev)["status"]; got != (&quotaError{1}).Error() {
		t.Errorf("status = %#v", got)
	}
	ev := sentrytest.EventByMessage(t, evs, "other key")
	if len(ev.Exception) != 1 || ev.Exception[0].Type != "*zerologsentry_test.quotaError" {
		t.Errorf("AnErr: exceptions = %+v", ev.Exception)
	}
}

// useErrorMarshalFunc installs zerologsentry.ErrorMarshalFunc for the test.
func useErrorMarshalFunc(t *testing.T) {
	old := zerolog.ErrorMarshalFunc
	zerolog.ErrorMarshalFunc = zerologsentry.ErrorMarshalFunc
	t.Cleanup(func() { zerolog.ErrorMarshalFunc = old })
}

// TestErrorMarshalFuncWith: an error in a sub-logger's context is marshaled
// once, when With is called, and written on every line: each line's event
// has the error's type, not only the first one's.
func TestErrorMarshalFuncWith(t *testing.T) {
	useErrorMarshalFunc(t)
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	w := zerologsentry.NewWriter(logsentry.WithHub(hub))
	jobLog := newLogger(w, io.Discard).With().Err(&quotaError{9091}).Logger()
	for range 3 {
		jobLog.Error().Msg("job failed")
	}
	sentrytest.Flush(t, hub)
	evs := rcv.WaitEvents(t, 3, waitFor)
	if len(evs) != 3 {
		t.Fatalf("%d events, want 3", len(evs))
	}
	for i, ev := range evs {
		if len(ev.Exception) != 1 || ev.Exception[0].Type != "*zerologsentry_test.quotaError" {
			t.Errorf("event %d: exceptions %+v, want the error's own type", i, ev.Exception)
		}
	}
}

// TestInvalidRawJSON: a line made invalid JSON by RawJSON (or a broken
// marshaler) still reaches its request's hub, titled by its message, with
// the fields read before the bad one and the rest as text; the console's
// copy loses the correlation field as usual.
func TestInvalidRawJSON(t *testing.T) {
	rcvReq, reqHub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	rcvFb, fbHub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	w := zerologsentry.NewWriter(logsentry.WithHub(fbHub))
	var out sentrytest.SyncBuffer
	// Timestamp is a hook that runs after the Writer's: its field comes
	// after the correlation field. Hiding WriteLevel makes zerolog use
	// Write, the path of asynchronous writers.
	at := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	saved := zerolog.TimestampFunc
	zerolog.TimestampFunc = func() time.Time { return at }
	t.Cleanup(func() { zerolog.TimestampFunc = saved })
	levelLogger := zerolog.New(w.Tee(&out)).Hook(w).With().Timestamp().Logger()
	plainLogger := zerolog.New(struct{ io.Writer }{w.Tee(&out)}).Hook(w).With().Timestamp().Logger()
	ctx := sentrytest.HubContext(reqHub)
	levelLogger.Error().Ctx(ctx).Str("user", "alice").RawJSON("payload", []byte(`{"partial":`)).Msg("upstream sent bad json")
	levelLogger.Error().Ctx(ctx).Str("user", "bob").RawJSON("payload", []byte(`nope`)).Int("n", 2).Msg("upstream sent bad json")
	plainLogger.Error().Ctx(ctx).Str("user", "carol").RawJSON("payload", []byte(`[1,`)).Msg("upstream sent bad json")
	sentrytest.Flush(t, reqHub)
	sentrytest.Flush(t, fbHub)
	evs := rcvReq.WaitEvents(t, 3, waitFor)
	if n := len(rcvFb.Events()); len(evs) != 3 || n != 0 {
		t.Fatalf("%d events on the request's hub, %d on the fallback; want 3 and 0", len(evs), n)
	}
	for _, ev := range evs {
		if ev.Message != "upstream sent bad json" {
			t.Errorf("message %q", ev.Message)
		}
		if !ev.Timestamp.Equal(at) {
			t.Errorf("timestamp %v, want the line's %v", ev.Timestamp, at)
		}
		if fp := strings.Join(ev.Fingerprint, "|"); fp != "upstream sent bad json" {
			t.Errorf("fingerprint %q, want the message's", fp)
		}
		attrs := ev.Context("attributes")
		if attrs["user"] == nil || attrs["payload"] == nil {
			t.Errorf("attributes %v, want user and payload", attrs)
		}
	}
	if strings.Contains(out.String(), zerologsentry.CorrelationFieldName) {
		t.Errorf("console copy has the correlation field: %s", out.String())
	}
}

// TestErrorMarshalFuncNotStale: an error logged with Err is recalled for
// its own line only; a later line with the same text as a string field
// (not through ErrorMarshalFunc) is that text, not the earlier error with
// its type and stack.
func TestErrorMarshalFuncNotStale(t *testing.T) {
	useErrorMarshalFunc(t)
	rcv, hub, logger := receiverLogger(t)
	logger.Error().Err(&quotaError{9092}).Msg("first")
	logger.Error().Str("error", (&quotaError{9092}).Error()).Msg("second")
	sentrytest.Flush(t, hub)
	evs := rcv.WaitEvents(t, 2, waitFor)
	if ex := sentrytest.EventByMessage(t, evs, "first").Exception; len(ex) != 1 || ex[0].Type != "*zerologsentry_test.quotaError" {
		t.Errorf("first: exceptions %+v", ex)
	}
	if ex := sentrytest.EventByMessage(t, evs, "second").Exception; len(ex) != 1 || ex[0].Type != "zerologsentry.LoggedError" {
		t.Errorf("second: exceptions %+v, want its own text", ex)
	}
}
