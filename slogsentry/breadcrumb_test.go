package slogsentry_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"

	"github.com/logsentry/logsentry"
	"github.com/logsentry/logsentry/breadcrumbs"
	"github.com/logsentry/logsentry/internal/sentrytest"
	"github.com/logsentry/logsentry/slogsentry"
)

// TestBreadcrumbs checks the breadcrumb of each record, and that an event
// lists the records before it but not itself.
func TestBreadcrumbs(t *testing.T) {
	t.Parallel()
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	logger := slog.New(slogsentry.NewHandler(logsentry.WithHub(hub), slogsentry.WithBreadcrumbLevel(slog.LevelDebug)))
	logger.Debug("debugging", "n", 1)
	logger.With("req", "r-1").WithGroup("http").Info("request", "method", "GET", slog.Group("url", "path", "/a"))
	logger.Warn("slow", "ms", 1500, "logger", "db")
	logger.Error("first error", "err", &codeError{1})
	logger.Error("second error")
	sentrytest.Flush(t, hub)
	evs := rcv.WaitEvents(t, 2, waitFor)

	want := []sentrytest.Breadcrumb{
		{Type: "debug", Category: "slog", Level: "debug", Message: "debugging", Data: map[string]any{"n": int64(1)}},
		{Type: "default", Category: "slog", Level: "info", Message: "request",
			Data: map[string]any{"req": "r-1", "http.method": "GET", "http.url.path": "/a"}},
		{Type: "default", Category: "db", Level: "warning", Message: "slow", Data: map[string]any{"ms": int64(1500)}},
		{Type: "error", Category: "slog", Level: "error", Message: "first error", Data: map[string]any{"error": "code 1"}},
	}
	check := func(ev sentrytest.Event, want []sentrytest.Breadcrumb) {
		t.Helper()
		if len(ev.Breadcrumbs) != len(want) {
			t.Fatalf("event %q breadcrumbs = %q, want %d", ev.Message, sentrytest.BreadcrumbMessages(ev), len(want))
		}
		for i, b := range ev.Breadcrumbs {
			w := want[i]
			data, _ := sentrytest.Plain(b.Data).(map[string]any)
			if b.Type != w.Type || b.Category != w.Category || b.Level != w.Level || b.Message != w.Message || !reflect.DeepEqual(data, w.Data) {
				t.Errorf("event %q breadcrumb %d = %+v (data %v), want %+v", ev.Message, i, b, data, w)
			}
			if b.Timestamp.IsZero() || time.Since(b.Timestamp) > time.Minute {
				t.Errorf("breadcrumb %d timestamp = %v", i, b.Timestamp)
			}
		}
	}
	check(sentrytest.EventByMessage(t, evs, "first error"), want[:3])
	check(sentrytest.EventByMessage(t, evs, "second error"), want)
}

func TestBreadcrumbClientOptions(t *testing.T) {
	t.Run("BeforeBreadcrumb", func(t *testing.T) {
		t.Parallel()
		rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{
			BeforeBreadcrumb: func(b *sentry.Breadcrumb, _ *sentry.BreadcrumbHint) *sentry.Breadcrumb {
				if b.Message == "drop me" {
					return nil
				}
				b.Message = "seen: " + b.Message
				return b
			},
		})
		logger := slog.New(slogsentry.NewHandler(logsentry.WithHub(hub)))
		logger.Info("keep me")
		logger.Info("drop me")
		logger.Error("boom")
		sentrytest.Flush(t, hub)
		ev := rcv.WaitEvents(t, 1, waitFor)[0]
		if got, want := sentrytest.BreadcrumbMessages(ev), []string{"seen: keep me"}; !slices.Equal(got, want) {
			t.Errorf("breadcrumbs = %q, want %q", got, want)
		}
	})
	t.Run("MaxBreadcrumbs", func(t *testing.T) {
		t.Parallel()
		rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{MaxBreadcrumbs: 3})
		logger := slog.New(slogsentry.NewHandler(logsentry.WithHub(hub)))
		for i := range 6 {
			logger.Info(fmt.Sprint("line ", i))
		}
		logger.Error("boom")
		sentrytest.Flush(t, hub)
		ev := rcv.WaitEvents(t, 1, waitFor)[0]
		if got, want := sentrytest.BreadcrumbMessages(ev), []string{"line 3", "line 4", "line 5"}; !slices.Equal(got, want) {
			t.Errorf("breadcrumbs = %q, want %q", got, want)
		}
	})
	t.Run("MaxBreadcrumbs negative disables", func(t *testing.T) {
		t.Parallel()
		rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{MaxBreadcrumbs: -1})
		logger := slog.New(slogsentry.NewHandler(logsentry.WithHub(hub)))
		logger.Info("line")
		logger.Error("boom")
		sentrytest.Flush(t, hub)
		if ev := rcv.WaitEvents(t, 1, waitFor)[0]; len(ev.Breadcrumbs) != 0 {
			t.Errorf("breadcrumbs = %q, want none", sentrytest.BreadcrumbMessages(ev))
		}
	})
}

// barrier lets n goroutines wait for each other once.
type barrier struct {
	wg   sync.WaitGroup
	done chan struct{}
}

func newBarrier(n int) *barrier {
	b := &barrier{done: make(chan struct{})}
	b.wg.Add(n)
	go func() { b.wg.Wait(); close(b.done) }()
	return b
}

// wait marks the caller arrived and waits for the others, for at most 5s.
func (b *barrier) wait() bool {
	b.wg.Done()
	select {
	case <-b.done:
		return true
	case <-time.After(waitFor):
		return false
	}
}

// checkIsolation checks the error events of two concurrent jobs: isolated,
// each lists exactly its own job's info lines; shared, each lists both
// jobs' lines (and maybe the other job's error, depending on which failed
// first).
func checkIsolation(t *testing.T, evs []sentrytest.Event, isolated bool) {
	t.Helper()
	for _, job := range []string{"A", "B"} {
		ev := sentrytest.EventByMessage(t, evs, "job "+job+" failed")
		got := sentrytest.BreadcrumbMessages(ev)
		if isolated {
			if want := []string{"job " + job + " step 1", "job " + job + " step 2"}; !slices.Equal(got, want) {
				t.Errorf("job %s breadcrumbs = %q, want %q", job, got, want)
			}
			continue
		}
		got = slices.DeleteFunc(got, func(m string) bool { return strings.HasSuffix(m, "failed") })
		slices.Sort(got)
		if want := []string{"job A step 1", "job A step 2", "job B step 1", "job B step 2"}; !slices.Equal(got, want) {
			t.Errorf("shared hub: job %s breadcrumbs = %q, want both jobs' lines %q", job, got, want)
		}
	}
}

// TestTrailIsolation runs two jobs concurrently, each logging info lines and
// then an error. With breadcrumbs.WithTrail each error event lists only its
// own job's lines. The control shows the test catches the leak: on a shared
// hub, each event lists both jobs' lines.
func TestTrailIsolation(t *testing.T) {
	for _, withTrail := range []bool{true, false} {
		t.Run(fmt.Sprintf("WithTrail=%t", withTrail), func(t *testing.T) {
			t.Parallel()
			rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
			logger := slog.New(slogsentry.NewHandler())
			base := sentrytest.HubContext(hub)
			b := newBarrier(2)
			var wg sync.WaitGroup
			for _, job := range []string{"A", "B"} {
				wg.Go(func() {
					ctx := base
					if withTrail {
						ctx = breadcrumbs.WithTrail(base)
					}
					logger.InfoContext(ctx, "job "+job+" step 1")
					logger.InfoContext(ctx, "job "+job+" step 2")
					if !b.wait() {
						t.Error("barrier timed out")
					}
					logger.ErrorContext(ctx, "job "+job+" failed")
				})
			}
			wg.Wait()
			sentrytest.Flush(t, hub)
			checkIsolation(t, rcv.WaitEvents(t, 2, waitFor), withTrail)
		})
	}
}

// TestMiddlewareIsolation is TestTrailIsolation over HTTP: two concurrent
// requests served through breadcrumbs.Middleware, logging with the request's
// context. Middleware clones sentry.CurrentHub, so the test binds its client
// there: it must not run in parallel.
func TestMiddlewareIsolation(t *testing.T) {
	for _, withMiddleware := range []bool{true, false} {
		t.Run(fmt.Sprintf("Middleware=%t", withMiddleware), func(t *testing.T) {
			rcv := sentrytest.NewReceiver(t)
			bindCurrentHub(t, rcv, sentry.ClientOptions{})
			logger := slog.New(slogsentry.NewHandler())
			b := newBarrier(2)
			var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				job := r.URL.Query().Get("job")
				ctx := r.Context()
				logger.InfoContext(ctx, "job "+job+" step 1")
				logger.InfoContext(ctx, "job "+job+" step 2")
				if !b.wait() {
					t.Error("barrier timed out")
				}
				logger.ErrorContext(ctx, "job "+job+" failed")
				w.WriteHeader(http.StatusNoContent)
			})
			if withMiddleware {
				h = breadcrumbs.Middleware(h)
			}
			srv := httptest.NewServer(h)
			defer srv.Close()
			client := srv.Client()
			defer client.CloseIdleConnections()
			var wg sync.WaitGroup
			for _, job := range []string{"A", "B"} {
				wg.Go(func() {
					resp, err := client.Get(srv.URL + "/?job=" + job)
					if err != nil {
						t.Error(err)
						return
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					_ = resp.Body.Close()
				})
			}
			wg.Wait()
			sentrytest.Flush(t, sentry.CurrentHub())
			evs := rcv.WaitEvents(t, 2, waitFor)
			checkIsolation(t, evs, withMiddleware)
			if withMiddleware {
				for _, job := range []string{"A", "B"} {
					ev := sentrytest.EventByMessage(t, evs, "job "+job+" failed")
					if u, _ := ev.Request["url"].(string); u == "" || ev.Request["query_string"] != "job="+job {
						t.Errorf("job %s event request = %v, want its own request", job, ev.Request)
					}
				}
			}
		})
	}
}

// bindCurrentHub binds a client sending to rcv to sentry.CurrentHub, with a
// fresh scope, until the end of t.
func bindCurrentHub(t *testing.T, rcv *sentrytest.Receiver, opts sentry.ClientOptions) *sentry.Hub {
	t.Helper()
	return sentrytest.BindCurrent(t, rcv.NewHub(t, opts).Client())
}
