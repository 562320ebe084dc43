package slogsentry_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"github.com/getsentry/sentry-go"

	"github.com/logsentry/logsentry"
	"github.com/logsentry/logsentry/slogsentry"
)

// printTransport is a sentry.Transport that prints each event as
// "level message", its tags and its breadcrumbs, instead of sending it.
type printTransport struct{}

func (printTransport) Configure(sentry.ClientOptions) {}

func (printTransport) SendEvent(e *sentry.Event) {
	if e.Type != "" { // Sentry Logs, transactions
		return
	}
	fmt.Println(e.Level, e.Message)
	keys := make([]string, 0, len(e.Tags))
	for k := range e.Tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Printf("  tag %s=%s\n", k, e.Tags[k])
	}
	for _, b := range e.Breadcrumbs {
		fmt.Println("  breadcrumb:", b.Level, b.Message)
	}
}

func (printTransport) Flush(time.Duration) bool              { return true }
func (printTransport) FlushWithContext(context.Context) bool { return true }
func (printTransport) Close()                                {}

// exampleHub returns a hub whose client prints events instead of sending
// them. A real program calls sentry.Init and uses sentry.CurrentHub or the
// hub of each request.
func exampleHub() *sentry.Hub {
	client, err := sentry.NewClient(sentry.ClientOptions{Transport: printTransport{}})
	if err != nil {
		panic(err)
	}
	return sentry.NewHub(client, sentry.NewScope())
}

func ExampleNewHandler() {
	hub := exampleHub()
	defer hub.Client().Close()
	ctx := sentry.SetHubOnContext(context.Background(), hub)

	logger := slog.New(slogsentry.NewHandler())
	logger.DebugContext(ctx, "cache warm")                  // below every threshold: dropped
	logger.InfoContext(ctx, "cart loaded", "items", 3)      // a breadcrumb
	logger.WarnContext(ctx, "retrying payment", "tries", 2) // a breadcrumb
	logger.ErrorContext(ctx, "payment failed", "err", errors.New("card declined"))
	logger.ErrorContext(ctx, "order not saved")
	// Output:
	// error payment failed
	//   breadcrumb: info cart loaded
	//   breadcrumb: warning retrying payment
	// error order not saved
	//   breadcrumb: info cart loaded
	//   breadcrumb: warning retrying payment
	//   breadcrumb: error payment failed
}

func Example_options() {
	hub := exampleHub()
	defer hub.Client().Close()

	logger := slog.New(slogsentry.NewHandler(
		logsentry.WithHub(hub), // for records whose context has no hub
		slogsentry.WithEventLevel(slog.LevelWarn),
		slogsentry.WithBreadcrumbLevel(slogsentry.LevelOff),
		slogsentry.WithLogLevel(slog.LevelInfo), // Sentry Logs
		logsentry.WithTagKeys("request_id", "http.method"),
	))
	logger = logger.With("request_id", "req-42")
	logger.Info("request started") // a Sentry log only
	logger.Warn("quota almost used", slog.Group("http", "method", "POST", "path", "/upload"))
	logger.Log(context.Background(), slogsentry.LevelFatal, "out of disk") // flushed before Log returns
	// Output:
	// warning quota almost used
	//   tag http.method=POST
	//   tag request_id=req-42
	// fatal out of disk
	//   tag request_id=req-42
}
