package logrussentry_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"

	"github.com/getsentry/sentry-go"
	"github.com/sirupsen/logrus"
	"github.com/sirupsen/logrus/hooks/test"

	"github.com/logsentry/logsentry"
	"github.com/logsentry/logsentry/breadcrumbs"
	"github.com/logsentry/logsentry/internal/sentrytest"
	"github.com/logsentry/logsentry/logrussentry"
)

// TestContextHub checks that the hub comes from the entry's context, then
// from WithHub.
func TestContextHub(t *testing.T) {
	t.Parallel()
	rcvCtx, rcvFallback := sentrytest.NewReceiver(t), sentrytest.NewReceiver(t)
	ctxHub := rcvCtx.NewHub(t, sentry.ClientOptions{})
	fallback := rcvFallback.NewHub(t, sentry.ClientOptions{})
	logger, _ := test.NewNullLogger()
	logger.AddHook(logrussentry.NewHook(logsentry.WithHub(fallback)))

	tests := []struct {
		name string
		log  func(msg string)
		want *sentry.Hub
	}{
		{"logger.WithContext", func(m string) { logger.WithContext(sentrytest.HubContext(ctxHub)).Error(m) }, ctxHub},
		{"entry.WithContext after fields", func(m string) { logger.WithField("a", 1).WithContext(sentrytest.HubContext(ctxHub)).Error(m) }, ctxHub},
		{"context of a context", func(m string) {
			ctx, cancel := context.WithCancel(sentrytest.HubContext(ctxHub))
			defer cancel()
			logger.WithContext(context.WithValue(ctx, ctxKey{}, 1)).Errorf("%s", m)
		}, ctxHub},
		{"no context", func(m string) { logger.Error(m) }, fallback},
		{"context without hub", func(m string) { logger.WithContext(context.Background()).Error(m) }, fallback},
	}
	for _, tt := range tests {
		tt.log(tt.name)
	}
	sentrytest.Flush(t, ctxHub)
	sentrytest.Flush(t, fallback)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			on, off := rcvCtx, rcvFallback
			if tt.want == fallback {
				on, off = off, on
			}
			sentrytest.EventByMessage(t, on.Events(), tt.name)
			for _, ev := range off.Events() {
				if ev.Message == tt.name {
					t.Errorf("event %q also went to the other hub", tt.name)
				}
			}
		})
	}
}

// TestTrailsDoNotLeak runs two requests at once, each with its own trail,
// and checks that each error event carries its own breadcrumbs only.
func TestTrailsDoNotLeak(t *testing.T) {
	t.Parallel()
	rcv := sentrytest.NewReceiver(t)
	base := rcv.NewHub(t, sentry.ClientOptions{})
	logger, _ := test.NewNullLogger()
	logger.AddHook(logrussentry.NewHook(logsentry.WithHub(base)))

	const steps = 20
	var wg sync.WaitGroup
	start := make(chan struct{})
	for _, req := range []string{"A", "B"} {
		wg.Go(func() {
			ctx := breadcrumbs.WithTrail(sentrytest.HubContext(base))
			entry := logger.WithContext(ctx).WithField("request", req)
			<-start
			for i := range steps {
				entry.WithField("step", i).Infof("%s step %d", req, i)
				runtime.Gosched()
			}
			entry.Errorf("%s failed", req)
		})
	}
	close(start)
	wg.Wait()
	logger.Error("after both") // the base hub's own trail
	sentrytest.Flush(t, base)
	evs := rcv.WaitEvents(t, 3, waitFor)
	for _, req := range []string{"A", "B"} {
		ev := sentrytest.EventByMessage(t, evs, req+" failed")
		crumbs := sentrytest.BreadcrumbMessages(ev)
		if len(crumbs) != steps {
			t.Errorf("request %s: %d breadcrumbs, want %d: %q", req, len(crumbs), steps, crumbs)
		}
		for i, m := range crumbs {
			if want := fmt.Sprintf("%s step %d", req, i); m != want {
				t.Errorf("request %s breadcrumb %d = %q, want %q", req, i, m, want)
			}
		}
		if got := sentrytest.Attrs(ev)["request"]; got != req {
			t.Errorf("request %s: attributes.request = %v", req, got)
		}
	}
	if after := sentrytest.EventByMessage(t, evs, "after both"); len(after.Breadcrumbs) != 0 {
		t.Errorf("the base hub got the requests' breadcrumbs: %q", sentrytest.BreadcrumbMessages(after))
	}
}

type ctxKey struct{}

// TestTrace checks that the span of the entry's context links the event and
// the log to the trace.
func TestTrace(t *testing.T) {
	t.Parallel()
	f := setup(t, logrussentry.WithLogLevel(logrus.ErrorLevel))
	span := sentry.StartSpan(sentrytest.HubContext(f.hub), "job.run")
	defer span.Finish()
	f.logger.WithContext(span.Context()).Error("in a span")
	sentrytest.Flush(t, f.hub)
	ev := f.rcv.WaitEvents(t, 1, waitFor)[0]
	if got := ev.Contexts["trace"]["trace_id"]; got != span.TraceID.String() {
		t.Errorf("event trace_id %v, want %s", got, span.TraceID)
	}
	if got := ev.Contexts["trace"]["span_id"]; got != span.SpanID.String() {
		t.Errorf("event span_id %v, want %s", got, span.SpanID)
	}
	l := f.rcv.WaitLogs(t, 1, waitFor)[0]
	if l.TraceID != span.TraceID.String() {
		t.Errorf("log trace_id %s, want %s", l.TraceID, span.TraceID)
	}
}
