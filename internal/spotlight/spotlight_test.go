package spotlight_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
	"go.uber.org/goleak"

	"github.com/logsentry/logsentry/internal/sentrytest"
	"github.com/logsentry/logsentry/internal/spotlight"
)

// TestMain fails the package if a test leaves goroutines behind, such as a
// stream reader whose body was not closed.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, sentrytest.LeakOptions...)
}

func TestBaseURL(t *testing.T) {
	for _, tc := range []struct {
		dsn, want string
		wantErr   bool
	}{
		{dsn: "http://spotlight@127.0.0.1:8969/0", want: "http://127.0.0.1:8969"},
		{dsn: " http://key@127.0.0.1:41234/42\n", want: "http://127.0.0.1:41234"},
		{dsn: "https://key@[::1]:8969/1", want: "https://[::1]:8969"},
		{dsn: "", wantErr: true},
		{dsn: "127.0.0.1:8969", wantErr: true},
		{dsn: "ftp://key@127.0.0.1:21/0", wantErr: true},
		{dsn: "http:///0", wantErr: true},
	} {
		got, err := spotlight.BaseURL(tc.dsn)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("BaseURL(%q) = %q, %v; want %q, error %v", tc.dsn, got, err, tc.want, tc.wantErr)
		}
	}
}

// TestWaitForItemParsesStream checks the SSE parsing and that the reader
// hangs up once it has found its item, against a stand-in for Spotlight
// that, like Spotlight, keeps the stream open.
func TestWaitForItemParsesStream(t *testing.T) {
	disconnected := make(chan struct{}, 2)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/stream" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = io.WriteString(w, strings.Join([]string{
			": comment",
			"retry: 500",
			"",
			"event: something-else",
			`data: [{},[[{"type":"event"},{"tags":{"run_id":"wanted"}}]]]`,
			"",
			"event: application/x-sentry-envelope",
			`data: [{"event_id":"1"},[[{"type":"client_report"},{"discarded_events":[]}],`,
			`data: [{"type":"event"},{"tags":{"run_id":"other"}}]]]`,
			"id: 0001",
			"",
			"event:application/x-sentry-envelope\r",
			`data: [{"event_id":"2"},[[{"type":"event","length":32},{"tags":{"run_id":"wanted"}}]]]` + "\r",
			"id: 0002\r",
			"\r",
			"",
		}, "\n"))
		w.(http.Flusher).Flush()
		<-r.Context().Done() // a live stream: wait for the reader to hang up
		disconnected <- struct{}{}
	}))
	defer srv.Close()
	dsn := "http://key@" + strings.TrimPrefix(srv.URL, "http://") + "/0"

	payload := spotlight.WaitForItem(t, dsn, "event", 5*time.Second, func(p json.RawMessage) bool {
		var ev struct {
			Tags map[string]string `json:"tags"`
		}
		return json.Unmarshal(p, &ev) == nil && ev.Tags["run_id"] == "wanted"
	})
	if got := string(payload); got != `{"tags":{"run_id":"wanted"}}` {
		t.Errorf("payload = %s", got)
	}
	select {
	case <-disconnected:
	case <-time.After(5 * time.Second):
		t.Fatal("WaitForItem returned but kept the stream open")
	}

	// Stream ends with the context when nothing matches.
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	var ids []string
	err := spotlight.Stream(ctx, dsn, func(env spotlight.Envelope) bool {
		ids = append(ids, env.ID)
		return true
	})
	if !errors.Is(err, context.DeadlineExceeded) || strings.Join(ids, ",") != "0001,0002" {
		t.Errorf("Stream: ids %v, err %v; want ids [0001 0002] and a deadline error", ids, err)
	}
}

type quotaError struct{ limit int }

func (e quotaError) Error() string { return fmt.Sprintf("disk quota of %d GB exceeded", e.limit) }

// TestExceptionEventRoundTrip sends one exception event through a real
// sentry-go client to the Spotlight at $SPOTLIGHT_DSN and reads it back.
func TestExceptionEventRoundTrip(t *testing.T) {
	dsn := spotlight.DSNFromEnv()
	if dsn == "" {
		t.Skip(spotlight.EnvDSN + " is not set, so there is no Spotlight to send to. " +
			"Run: DSN=$(scripts/spotlight/start.sh 0) && SPOTLIGHT_DSN=$DSN go test -count=1 ./internal/spotlight " +
			"(.ci/run always sets it).")
	}

	// The sentry client gets its own HTTP transport so that its idle
	// keep-alive connection can be closed at the end (goleak checks).
	transport := &http.Transport{}
	defer transport.CloseIdleConnections()
	client, err := sentry.NewClient(sentry.ClientOptions{
		Dsn:         dsn,
		Release:     "logsentry-test@0.0.0",
		Environment: "test",
		HTTPClient:  &http.Client{Transport: transport, Timeout: 10 * time.Second},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	hub := sentry.NewHub(client, sentry.NewScope())

	runID := newRunID(t)
	var eventID *sentry.EventID
	hub.WithScope(func(scope *sentry.Scope) {
		scope.SetTag("run_id", runID)
		scope.SetLevel(sentry.LevelError)
		eventID = hub.CaptureException(fmt.Errorf("checkout failed: %w", quotaError{limit: 5}))
	})
	if eventID == nil {
		t.Fatal("CaptureException dropped the event")
	}
	if !hub.Flush(5 * time.Second) {
		t.Fatal("sentry flush timed out")
	}

	payload := spotlight.WaitForItem(t, dsn, "event", 10*time.Second, func(p json.RawMessage) bool {
		var ev struct {
			Tags map[string]string `json:"tags"`
		}
		return json.Unmarshal(p, &ev) == nil && ev.Tags["run_id"] == runID
	})

	var ev struct {
		EventID   string `json:"event_id"`
		Level     string `json:"level"`
		Platform  string `json:"platform"`
		Release   string `json:"release"`
		Exception struct {
			Values []struct {
				Type       string `json:"type"`
				Value      string `json:"value"`
				Stacktrace *struct {
					Frames []json.RawMessage `json:"frames"`
				} `json:"stacktrace"`
			} `json:"values"`
		} `json:"exception"`
	}
	if err := json.Unmarshal(payload, &ev); err != nil {
		t.Fatalf("decoding event: %v\n%s", err, payload)
	}
	if ev.EventID != string(*eventID) || ev.Level != "error" || ev.Platform != "go" || ev.Release != "logsentry-test@0.0.0" {
		t.Errorf("event_id=%q level=%q platform=%q release=%q; want %q, error, go, logsentry-test@0.0.0",
			ev.EventID, ev.Level, ev.Platform, ev.Release, *eventID)
	}
	// sentry-go lists the chain innermost first; the last is the error passed in.
	vals := ev.Exception.Values
	if len(vals) != 2 ||
		vals[0].Type != "spotlight_test.quotaError" || vals[0].Value != "disk quota of 5 GB exceeded" ||
		vals[1].Type != "*fmt.wrapError" || vals[1].Value != "checkout failed: disk quota of 5 GB exceeded" ||
		vals[1].Stacktrace == nil || len(vals[1].Stacktrace.Frames) == 0 {
		t.Errorf("exception.values = %+v", vals)
	}
}

func newRunID(t *testing.T) string {
	t.Helper()
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return t.Name() + "-" + hex.EncodeToString(b)
}
