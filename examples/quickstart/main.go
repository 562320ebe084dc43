// Command quickstart forwards ordinary log calls to Sentry: info lines become
// breadcrumbs of their request, the error becomes an issue with its error
// chain and the caller's line on top, and the audit line becomes a Sentry log.
//
//	go run ./examples/quickstart                # prints what would be sent
//	SENTRY_DSN=... go run ./examples/quickstart # sends it (e.g. to Spotlight)
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/getsentry/sentry-go"

	"github.com/logsentry/logsentry"
	"github.com/logsentry/logsentry/breadcrumbs"
	"github.com/logsentry/logsentry/internal/preview"
	"github.com/logsentry/logsentry/slogsentry"
)

func main() {
	opts := sentry.ClientOptions{Dsn: os.Getenv("SENTRY_DSN"), Release: "quickstart@1.0.0"}
	if opts.Dsn == "" {
		fmt.Println("SENTRY_DSN is unset: printing what would be sent to Sentry.")
		opts.Transport = &preview.Transport{W: os.Stdout}
	}
	if err := sentry.Init(opts); err != nil {
		fmt.Fprintln(os.Stderr, "sentry.Init:", err)
		os.Exit(1)
	}
	defer sentry.Flush(2 * time.Second)

	// One line swaps Sentry in beside the console output you already have.
	sentryHandler := slogsentry.NewHandler(
		slogsentry.WithLogLevel(slog.LevelWarn), // Sentry Logs are opt-in
		logsentry.WithTagKeys("order_id"),
	)
	console := slog.NewTextHandler(os.Stdout, nil)
	slog.SetDefault(slog.New(tee{console, sentryHandler}))

	// Each request gets its own breadcrumb trail.
	ctx := breadcrumbs.WithTrail(context.Background())
	checkout(ctx, 1042)
}

var errDeclined = errors.New("card declined")

func checkout(ctx context.Context, orderID int) {
	log := slog.With("order_id", orderID)
	log.InfoContext(ctx, "cart loaded", "items", 3, "total", 59.90)
	log.InfoContext(ctx, "payment started", "provider", "acme-pay")
	log.WarnContext(ctx, "audit: price override", "by", "ops@example.com", "from", 64.90, "to", 59.90)
	err := fmt.Errorf("charge order %d: %w", orderID, errDeclined)
	log.ErrorContext(ctx, "checkout failed", "err", err, slog.Group("user", "id", "u-7"))
}

// tee sends records to two handlers, as slog.NewMultiHandler does on Go 1.26.
type tee [2]slog.Handler

func (t tee) Enabled(ctx context.Context, l slog.Level) bool {
	return t[0].Enabled(ctx, l) || t[1].Enabled(ctx, l)
}

func (t tee) Handle(ctx context.Context, r slog.Record) error {
	var errs []error
	for _, h := range t {
		if h.Enabled(ctx, r.Level) {
			errs = append(errs, h.Handle(ctx, r.Clone()))
		}
	}
	return errors.Join(errs...)
}

func (t tee) WithAttrs(as []slog.Attr) slog.Handler {
	return tee{t[0].WithAttrs(as), t[1].WithAttrs(as)}
}

func (t tee) WithGroup(name string) slog.Handler {
	return tee{t[0].WithGroup(name), t[1].WithGroup(name)}
}
