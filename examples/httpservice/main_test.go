package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
	"go.uber.org/goleak"
	"go.uber.org/zap/zapcore"

	"github.com/logsentry/logsentry/internal/sentrytest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m, sentrytest.LeakOptions...) }

const waitFor = 5 * time.Second

// wantEvent is what the issue of a failing path looks like.
type wantEvent struct {
	message, exception string // the message and the innermost exception's type
	crumbs             []string
}

var wantEvents = map[string]wantEvent{
	"/orders/1003": {"request failed", "*errors.errorString",
		[]string{"request started", "loading order"}},
	"/orders/1002/receipt": {"panic serving request", "runtime.boundsError",
		[]string{"request started", "loading order", "rendering receipt"}},
}

// checkEvent checks the event of one failed request: its path, request id,
// user and a trail holding that request's breadcrumbs only.
func checkEvent(t *testing.T, ev sentrytest.Event) (requestID string) {
	t.Helper()
	u, _ := ev.Request["url"].(string)
	pu, err := url.Parse(u)
	if err != nil {
		t.Fatalf("event request url %q: %v", u, err)
	}
	want, ok := wantEvents[pu.Path]
	if !ok {
		t.Fatalf("unexpected event %q for %s", ev.Message, pu.Path)
	}
	id := ev.Tags["request_id"]
	if ev.Level != "error" || ev.Message != want.message || id == "" || ev.User.ID != "alice" {
		t.Errorf("%s: event [%s] %q request_id %q user %q, want [error] %q, a request_id, user alice",
			pu.Path, ev.Level, ev.Message, id, ev.User.ID, want.message)
	}
	if n := len(ev.Exception); n == 0 || ev.Exception[0].Type != want.exception {
		t.Errorf("%s: exceptions %+v, want innermost %s", pu.Path, ev.Exception, want.exception)
	}
	if got := ev.Contexts["attributes"]["status"]; fmt.Sprint(got) != "500" {
		t.Errorf("%s: status attribute %v, want 500", pu.Path, got)
	}
	var crumbs []string
	for _, b := range ev.Breadcrumbs {
		crumbs = append(crumbs, b.Message)
		if b.Data["request_id"] != id {
			t.Errorf("%s: breadcrumb %q of request %v on the event of request %s", pu.Path, b.Message, b.Data["request_id"], id)
		}
	}
	if !slices.Equal(crumbs, want.crumbs) {
		t.Errorf("%s: breadcrumbs %q, want %q", pu.Path, crumbs, want.crumbs)
	}
	return id
}

// summaryLine matches a line of the printed summary.
var summaryLine = regexp.MustCompile(`GET (\S+) .* (\d{3}) .* request (\S+): (.*)`)

func TestRun(t *testing.T) {
	rcv := sentrytest.NewReceiver(t)
	var out strings.Builder
	if err := run(context.Background(), &out, sentry.ClientOptions{Dsn: rcv.DSN()}, ""); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}

	// run flushed before returning: everything has arrived.
	events := rcv.Events()
	if len(events) != 2 {
		t.Fatalf("got %d events, want 2 (the 500 and the panic):\n%s", len(events), out.String())
	}
	issues := map[string]bool{}
	for _, ev := range events {
		issues[checkEvent(t, ev)] = true
	}
	for _, ev := range events {
		if ev.Message != "panic serving request" {
			continue
		}
		// The panic's event leads to the line that panicked.
		var funcs []string
		for _, f := range ev.Exception[len(ev.Exception)-1].Stacktrace.Frames {
			funcs = append(funcs, f.Function)
		}
		if !slices.Contains(funcs, "getReceipt") {
			t.Errorf("panic stack %q lacks getReceipt", funcs)
		}
	}

	// Every scripted request is in the summary; only the 5xx ones reached
	// Sentry, and the others left no trace in any envelope.
	var payloads strings.Builder
	for _, env := range rcv.Envelopes() {
		for _, it := range env.Items {
			payloads.Write(it.Payload)
		}
	}
	matches := summaryLine.FindAllStringSubmatch(out.String(), -1)
	if len(matches) != len(steps) {
		t.Fatalf("summary has %d lines, want %d:\n%s", len(matches), len(steps), out.String())
	}
	wantStatus := []string{"200", "404", "401", "403", "500", "500"}
	for i, m := range matches {
		path, status, id, outcome := m[1], m[2], m[3], m[4]
		if path != steps[i].path || status != wantStatus[i] {
			t.Errorf("summary line %d: %s %s, want %s %s", i, path, status, steps[i].path, wantStatus[i])
		}
		if issue := status == "500"; issues[id] != issue || strings.HasPrefix(outcome, "an issue") != issue {
			t.Errorf("request %s (%s %s): event %v, summary %q", id, path, status, issues[id], outcome)
		}
		if status != "500" && strings.Contains(payloads.String(), id) {
			t.Errorf("request %s (%s %s) reached Sentry", id, path, status)
		}
	}
}

// TestConcurrentTrails sends the scripted requests many times at once: each
// issue still carries the breadcrumbs of its own request only.
func TestConcurrentTrails(t *testing.T) {
	rcv := sentrytest.NewReceiver(t)
	if err := sentry.Init(sentry.ClientOptions{Dsn: rcv.DSN()}); err != nil {
		t.Fatal(err)
	}
	client := sentry.CurrentHub().Client()
	srv := httptest.NewServer(newHandler(newLogger(zapcore.AddSync(io.Discard))))
	t.Cleanup(func() {
		srv.Close()
		client.Flush(waitFor)
		client.Close()
	})

	const rounds = 8
	var wg sync.WaitGroup
	var mu sync.Mutex
	want := map[string]bool{} // request ids that must become issues
	for r := range rounds {
		for i, s := range steps {
			wg.Go(func() {
				id := fmt.Sprintf("r%d-s%d", r, i)
				req, _ := http.NewRequest(http.MethodGet, srv.URL+s.path, nil)
				req.Header.Set("X-Request-Id", id)
				if s.token != "" {
					req.Header.Set("Authorization", "Bearer "+s.token)
				}
				resp, err := srv.Client().Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close()
				if resp.Header.Get("X-Request-Id") != id {
					t.Errorf("response request id %q, want %q", resp.Header.Get("X-Request-Id"), id)
				}
				if resp.StatusCode >= 500 {
					mu.Lock()
					want[id] = true
					mu.Unlock()
				}
			})
		}
	}
	wg.Wait()
	if !client.Flush(waitFor) {
		t.Fatal("flush timed out")
	}
	events := rcv.WaitEvents(t, 2*rounds, waitFor)
	got := map[string]bool{}
	for _, ev := range events {
		got[checkEvent(t, ev)] = true
	}
	if len(events) != 2*rounds || len(got) != len(want) {
		t.Errorf("%d events for %d requests, want one each for %d", len(events), len(got), len(want))
	}
	for id := range want {
		if !got[id] {
			t.Errorf("request %s: no event", id)
		}
	}
}

// TestServe: with an address, run serves until its context is done.
func TestServe(t *testing.T) {
	rcv := sentrytest.NewReceiver(t)
	ctx, cancel := context.WithCancel(context.Background())
	var out syncBuilder
	done := make(chan error, 1)
	go func() { done <- run(ctx, &out, sentry.ClientOptions{Dsn: rcv.DSN()}, "127.0.0.1:0") }()

	var base string
	deadline := time.Now().Add(waitFor)
	for base == "" && time.Now().Before(deadline) {
		if m := regexp.MustCompile(`serving on (\S+);`).FindStringSubmatch(out.String()); m != nil {
			base = m[1]
		}
		time.Sleep(5 * time.Millisecond)
	}
	if base == "" {
		cancel()
		t.Fatalf("no address printed: %q", out.String())
	}
	req, _ := http.NewRequest(http.MethodGet, base+"/orders/1001", nil)
	req.Header.Set("Authorization", "Bearer tok-alice")
	client := &http.Client{}
	resp, err := client.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	resp.Body.Close()
	client.CloseIdleConnections()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("status %s, want 200 OK", resp.Status)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run: %v", err)
		}
	case <-time.After(waitFor):
		t.Fatal("run did not return after its context was cancelled")
	}
}

// syncBuilder is a strings.Builder safe to read while run writes to it.
type syncBuilder struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuilder) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuilder) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
