package logsentry_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/getsentry/sentry-go"

	"github.com/logsentry/logsentry"
)

// printTransport is a sentry.Transport that prints each event instead of
// sending it: its level and message, then its tags, fingerprint and
// breadcrumbs when it has any.
type printTransport struct{}

func (printTransport) Configure(sentry.ClientOptions)        {}
func (printTransport) Flush(time.Duration) bool              { return true }
func (printTransport) FlushWithContext(context.Context) bool { return true }
func (printTransport) Close()                                {}

func (printTransport) SendEvent(e *sentry.Event) {
	if e.Type != "" { // logs, transactions
		return
	}
	fmt.Printf("%s: %s\n", e.Level, e.Message)
	if len(e.Tags) > 0 {
		keys := make([]string, 0, len(e.Tags))
		for k := range e.Tags {
			keys = append(keys, k+"="+e.Tags[k])
		}
		sort.Strings(keys)
		fmt.Printf("  tags: %s\n", strings.Join(keys, " "))
	}
	if len(e.Fingerprint) > 0 {
		fmt.Printf("  fingerprint: %q\n", e.Fingerprint)
	}
	for _, b := range e.Breadcrumbs {
		fmt.Printf("  breadcrumb: %s %s\n", b.Level, b.Message)
	}
}

// exampleHub returns a hub whose client prints events, and a function that
// closes the client.
func exampleHub() (*sentry.Hub, func()) {
	client, err := sentry.NewClient(sentry.ClientOptions{
		Dsn:       "http://public@127.0.0.1:1/1", // never dialled: printTransport
		Transport: printTransport{},
	})
	if err != nil {
		panic(err)
	}
	return sentry.NewHub(client, sentry.NewScope()), client.Close
}

// An adapter turns each log record into a Record and hands it to Emit:
// info records become breadcrumbs, error records events.
func ExampleNew() {
	hub, done := exampleHub()
	defer done()
	b := logsentry.New(logsentry.WithHub(hub))
	ctx := context.Background()

	b.Emit(ctx, logsentry.Record{Severity: logsentry.SeverityDebug, Message: "cache miss"}) // below every threshold
	b.Emit(ctx, logsentry.Record{Severity: logsentry.SeverityInfo, Message: "loading order"})
	b.Emit(ctx, logsentry.Record{Severity: logsentry.SeverityError, Message: "payment failed",
		Err: fmt.Errorf("charge: %w", context.DeadlineExceeded)})
	// Output:
	// error: payment failed
	//   fingerprint: ["payment failed" "context.deadlineExceededError" "context deadline exceeded"]
	//   breadcrumb: info loading order
}

// Only the listed keys become tags; a key inside a group is written with
// dots. All fields stay in the event's "attributes" context.
func ExampleWithTagKeys() {
	hub, done := exampleHub()
	defer done()
	b := logsentry.New(logsentry.WithHub(hub), logsentry.WithTagKeys("region", "http.method"))

	b.Emit(context.Background(), logsentry.Record{Severity: logsentry.SeverityError, Message: "upstream timeout",
		Attrs: []slog.Attr{
			slog.String("region", "eu-west-1"),
			slog.String("request_id", "r-123"), // high cardinality: not a tag
			slog.Group("http", slog.String("method", "GET"), slog.Int("status", 504)),
		}})
	// Output:
	// error: upstream timeout
	//   tags: http.method=GET region=eu-west-1
	//   fingerprint: ["upstream timeout"]
}

// A fingerprint function groups events by a key of its choosing; a
// record's own "fingerprint" field beats it.
func ExampleWithFingerprint() {
	hub, done := exampleHub()
	defer done()
	b := logsentry.New(logsentry.WithHub(hub), logsentry.WithBreadcrumbSeverity(logsentry.SeverityOff),
		logsentry.WithFingerprint(func(r logsentry.Record) []string {
			for _, a := range r.Attrs {
				if a.Key == "tenant" {
					return []string{"{{ default }}", a.Value.String()}
				}
			}
			return nil // the default: message and error type
		}))
	ctx := context.Background()

	b.Emit(ctx, logsentry.Record{Severity: logsentry.SeverityError, Message: "quota exceeded",
		Attrs: []slog.Attr{slog.String("tenant", "acme")}})
	b.Emit(ctx, logsentry.Record{Severity: logsentry.SeverityError, Message: "sync failed"})
	b.Emit(ctx, logsentry.Record{Severity: logsentry.SeverityError, Message: "retry",
		Attrs: []slog.Attr{slog.String("tenant", "acme"), slog.Any("fingerprint", []string{"retries"})}})
	// Output:
	// error: quota exceeded
	//   fingerprint: ["{{ default }}" "acme"]
	// error: sync failed
	//   fingerprint: ["sync failed"]
	// error: retry
	//   fingerprint: ["retries"]
}

// A filter sees each record and the outputs its severity selects, and
// returns the outputs to use: here it drops health checks, demotes client
// errors to breadcrumbs and sends audit records to Sentry Logs as well.
func ExampleWithFilter() {
	hub, done := exampleHub()
	defer done()
	status := func(r logsentry.Record) int64 {
		for _, a := range r.Attrs {
			if a.Key == "status" {
				return a.Value.Int64()
			}
		}
		return 0
	}
	b := logsentry.New(logsentry.WithHub(hub), logsentry.WithFilter(func(r logsentry.Record, s logsentry.Sinks) logsentry.Sinks {
		switch {
		case r.Message == "health check":
			return logsentry.SinkNone
		case status(r) >= 400 && status(r) < 500:
			return s &^ logsentry.SinkEvent
		case r.Logger == "audit":
			return s | logsentry.SinkLog
		}
		return s
	}))
	ctx := context.Background()

	b.Emit(ctx, logsentry.Record{Severity: logsentry.SeverityError, Message: "health check"})
	b.Emit(ctx, logsentry.Record{Severity: logsentry.SeverityError, Message: "not found", Attrs: []slog.Attr{slog.Int("status", 404)}})
	b.Emit(ctx, logsentry.Record{Severity: logsentry.SeverityInfo, Message: "role changed", Logger: "audit"})
	b.Emit(ctx, logsentry.Record{Severity: logsentry.SeverityError, Message: "database down", Attrs: []slog.Attr{slog.Int("status", 503)}})
	// Output:
	// error: database down
	//   fingerprint: ["database down"]
	//   breadcrumb: error not found
	//   breadcrumb: info role changed
}

// The default fingerprint is the message with its variable parts as
// placeholders, and the innermost error's type: messages formatted before
// the logger saw them make one issue. An error logged again up the stack
// of the same request (the hub of the context) makes no second issue: its
// record is a breadcrumb of the next event.
func Example_grouping() {
	hub, done := exampleHub()
	defer done()
	b := logsentry.New()
	ctx := sentry.SetHubOnContext(context.Background(), hub) // one request
	errNoFunds := errors.New("insufficient funds")

	for _, id := range []int{4821, 4822} {
		err := fmt.Errorf("charge %d: %w", id, errNoFunds)
		b.Emit(ctx, logsentry.Record{Severity: logsentry.SeverityError,
			Message: fmt.Sprintf("charge %d failed after %v", id, 150*time.Millisecond), Err: err})
		// The caller logs the error it was returned, wrapped.
		b.Emit(ctx, logsentry.Record{Severity: logsentry.SeverityError,
			Message: "checkout failed", Err: fmt.Errorf("checkout: %w", err)})
	}
	fmt.Println("deduplicated:", b.Stats().EventsDeduplicated)
	// Output:
	// error: charge 4821 failed after 150ms
	//   fingerprint: ["charge <int> failed after <duration>" "*errors.errorString" "insufficient funds"]
	// error: charge 4822 failed after 150ms
	//   fingerprint: ["charge <int> failed after <duration>" "*errors.errorString" "insufficient funds"]
	//   breadcrumb: error charge 4821 failed after 150ms
	//   breadcrumb: error checkout failed
	// deduplicated: 2
}
