//go:build go1.26

package slogsentry_test

import (
	"context"
	"log/slog"
	"os"

	"github.com/getsentry/sentry-go"

	"github.com/logsentry/logsentry"
	"github.com/logsentry/logsentry/slogsentry"
)

// Records go both to a JSON handler on standard output and to Sentry. The
// JSON handler drops the time so that the output below is stable.
func Example_multiHandler() {
	hub := exampleHub()
	defer hub.Client().Close()

	noTime := func(groups []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey && len(groups) == 0 {
			return slog.Attr{}
		}
		return a
	}
	logger := slog.New(slog.NewMultiHandler(
		slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{ReplaceAttr: noTime}),
		slogsentry.NewHandler(logsentry.WithHub(hub)),
	))
	ctx := sentry.SetHubOnContext(context.Background(), hub)
	logger.InfoContext(ctx, "user signed in", "user_id", 7)
	logger.ErrorContext(ctx, "profile not loaded", "user_id", 7)
	// Output:
	// {"level":"INFO","msg":"user signed in","user_id":7}
	// {"level":"ERROR","msg":"profile not loaded","user_id":7}
	// error profile not loaded
	//   breadcrumb: info user signed in
}
