// Package sentrytest provides Receiver, a real local Sentry ingest endpoint for
// tests. A real sentry.Client with its default HTTP transport sends envelopes to
// it over loopback; the receiver parses them into their wire form so tests can
// assert on exactly what Sentry would receive. Nothing of sentry-go is mocked.
package sentrytest

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
)

// Receiver is an in-process Sentry ingest endpoint on 127.0.0.1.
type Receiver struct {
	srv     *httptest.Server
	release chan struct{} // closed to end all SetDelay hangs
	relOnce sync.Once

	mu        sync.Mutex
	requests  int
	envelopes []Envelope
	events    []Event
	logs      []Log
	reports   []ClientReport
	errs      []error
	status    int
	header    http.Header
	delay     time.Duration
}

// NewReceiver starts a receiver. t.Cleanup closes it and fails t if any request
// was not a well-formed envelope POST to /api/<project>/envelope/.
func NewReceiver(t testing.TB) *Receiver {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("sentrytest: listen: %v", err)
	}
	r := &Receiver{release: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/{project}/envelope/{$}", r.serveEnvelope)
	mux.HandleFunc("POST /api/{project}/envelope", r.serveEnvelope)
	mux.HandleFunc("/", func(w http.ResponseWriter, req *http.Request) {
		r.addErr(fmt.Errorf("unexpected request %s %s", req.Method, req.URL.Path))
		http.NotFound(w, req)
	})
	r.srv = &httptest.Server{Listener: ln, Config: &http.Server{Handler: mux}}
	r.srv.Start()
	t.Cleanup(func() {
		r.unblock()
		r.srv.Close()
		for _, err := range r.Errors() {
			t.Errorf("sentrytest: %v", err)
		}
	})
	return r
}

// DSN returns the DSN that leads a client to this receiver: http://public@127.0.0.1:PORT/1.
func (r *Receiver) DSN() string {
	return "http://public@" + strings.TrimPrefix(r.srv.URL, "http://") + "/1"
}

// URL returns the receiver's base URL, http://127.0.0.1:PORT.
func (r *Receiver) URL() string { return r.srv.URL }

// NewHub makes a real client (sentry.NewClient with opts and Dsn set to r.DSN(),
// so the SDK's default HTTP transport is used) and a hub with a fresh scope.
// t.Cleanup ends any SetDelay hang, flushes for 2s and closes the client.
func (r *Receiver) NewHub(t testing.TB, opts sentry.ClientOptions) *sentry.Hub {
	t.Helper()
	opts.Dsn = r.DSN()
	client, err := sentry.NewClient(opts)
	if err != nil {
		t.Fatalf("sentrytest: NewClient: %v", err)
	}
	t.Cleanup(func() {
		r.unblock()
		client.Flush(2 * time.Second)
		client.Close()
	})
	return sentry.NewHub(client, sentry.NewScope())
}

// SetStatus makes the receiver answer every following envelope with code and
// the given headers (for example 429 with Retry-After or X-Sentry-Rate-Limits,
// or 500). Envelopes answered with a non-2xx code are counted by Requests but
// not recorded, as Sentry would drop them. SetStatus(0, nil) restores 200.
func (r *Receiver) SetStatus(code int, header http.Header) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.status, r.header = code, header.Clone()
}

// SetDelay makes the receiver wait d before answering each following request,
// to simulate a slow or hanging Sentry. The envelope is recorded on arrival,
// before the wait. The wait ends early when the request is cancelled or when a
// NewHub or NewReceiver cleanup runs. SetDelay(0) turns it off.
func (r *Receiver) SetDelay(d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.delay = d
}

// Requests returns the number of HTTP POSTs received on the envelope endpoint.
func (r *Receiver) Requests() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.requests
}

// Envelopes returns every recorded envelope in arrival order.
func (r *Receiver) Envelopes() []Envelope { return snapshot(r, &r.envelopes) }

// Events returns all "event" items in arrival order.
func (r *Receiver) Events() []Event { return snapshot(r, &r.events) }

// Logs returns all log records, flattened out of their batches, in arrival order.
func (r *Receiver) Logs() []Log { return snapshot(r, &r.logs) }

// ClientReports returns all "client_report" items in arrival order.
func (r *Receiver) ClientReports() []ClientReport { return snapshot(r, &r.reports) }

// Errors returns the problems found so far in requests (bad path, malformed envelope).
func (r *Receiver) Errors() []error { return snapshot(r, &r.errs) }

// Reset forgets everything received, the request count and the errors. It
// keeps SetStatus and SetDelay settings.
func (r *Receiver) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests, r.envelopes, r.events, r.logs, r.reports, r.errs = 0, nil, nil, nil, nil, nil
}

// WaitEvents waits until at least n events arrived or timeout passed and
// returns them; if fewer than n arrived it fails t with what did arrive.
func (r *Receiver) WaitEvents(t testing.TB, n int, timeout time.Duration) []Event {
	t.Helper()
	return wait(t, r, n, timeout, r.Events, "events")
}

// WaitLogs waits until at least n log records arrived or timeout passed and
// returns them; if fewer than n arrived it fails t with what did arrive.
func (r *Receiver) WaitLogs(t testing.TB, n int, timeout time.Duration) []Log {
	t.Helper()
	return wait(t, r, n, timeout, r.Logs, "logs")
}

func wait[T any](t testing.TB, r *Receiver, n int, timeout time.Duration, get func() []T, what string) []T {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		got := get()
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			var b strings.Builder
			for i, e := range r.Envelopes() {
				fmt.Fprintf(&b, "\n  envelope %d:", i)
				for _, it := range e.Items {
					fmt.Fprintf(&b, " %s %.300s", it.Type, it.Payload)
				}
			}
			t.Fatalf("sentrytest: want %d %s within %v, got %d (%d requests, errors %v); envelopes:%s",
				n, what, timeout, len(got), r.Requests(), r.Errors(), b.String())
			return got
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func snapshot[T any](r *Receiver, s *[]T) []T {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]T(nil), *s...)
}

func (r *Receiver) addErr(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, err)
}

func (r *Receiver) unblock() { r.relOnce.Do(func() { close(r.release) }) }

func (r *Receiver) serveEnvelope(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	r.requests++
	status, header, delay := r.status, r.header, r.delay
	r.mu.Unlock()

	env, err := readEnvelope(req)
	if err == nil {
		err = r.record(env, status)
	}
	if err != nil {
		r.addErr(fmt.Errorf("%s %s: %w", req.Method, req.URL.Path, err))
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if delay > 0 {
		tm := time.NewTimer(delay)
		defer tm.Stop()
		select {
		case <-tm.C:
		case <-req.Context().Done():
		case <-r.release:
		}
	}
	for k, v := range header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Type", "application/json")
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, "{}")
}

func readEnvelope(req *http.Request) (Envelope, error) {
	var body io.Reader = req.Body
	switch enc := req.Header.Get("Content-Encoding"); enc {
	case "", "identity":
	case "gzip":
		zr, err := gzip.NewReader(req.Body)
		if err != nil {
			return Envelope{}, err
		}
		body = zr
	case "deflate": // RFC 9110 deflate is zlib-wrapped; some senders use raw flate
		raw, err := io.ReadAll(req.Body)
		if err != nil {
			return Envelope{}, err
		}
		if zr, err := zlib.NewReader(bytes.NewReader(raw)); err == nil {
			body = zr
		} else {
			body = flate.NewReader(bytes.NewReader(raw))
		}
	default:
		return Envelope{}, fmt.Errorf("unsupported Content-Encoding %q", enc)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return Envelope{}, err
	}
	return parseEnvelope(b)
}

// record decodes the known items and stores the envelope if status is 2xx.
func (r *Receiver) record(env Envelope, status int) error {
	var events []Event
	var logs []Log
	var reports []ClientReport
	for i, it := range env.Items {
		var err error
		switch it.Type {
		case "event":
			var e Event
			err = decode(it.Payload, &e)
			events = append(events, e)
		case "log":
			var batch struct {
				Items []Log `json:"items"`
			}
			if err = decode(it.Payload, &batch); err == nil {
				if c, ok := it.Header["item_count"]; ok && fmt.Sprint(c) != fmt.Sprint(len(batch.Items)) {
					err = fmt.Errorf("item_count %v but %d logs", c, len(batch.Items))
				}
			}
			logs = append(logs, batch.Items...)
		case "client_report":
			var c ClientReport
			err = decode(it.Payload, &c)
			reports = append(reports, c)
		}
		if err != nil {
			return fmt.Errorf("item %d (%s): %w", i, it.Type, err)
		}
	}
	if status != 0 && (status < 200 || status > 299) {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.envelopes = append(r.envelopes, env)
	r.events = append(r.events, events...)
	r.logs = append(r.logs, logs...)
	r.reports = append(r.reports, reports...)
	return nil
}
