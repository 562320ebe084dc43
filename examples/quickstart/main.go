// Command quickstart forwards ordinary log calls to Sentry from all four
// loggers: info lines become breadcrumbs of their request, errors become
// issues with their error chain and the caller's line on top, and (in the
// slog part, where they are switched on) warnings become Sentry logs. Each
// logger keeps its console output.
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
	"github.com/rs/zerolog"
	"github.com/sirupsen/logrus"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/logsentry/logsentry"
	"github.com/logsentry/logsentry/breadcrumbs"
	"github.com/logsentry/logsentry/internal/preview"
	"github.com/logsentry/logsentry/internal/slogtee"
	"github.com/logsentry/logsentry/logrussentry"
	"github.com/logsentry/logsentry/slogsentry"
	"github.com/logsentry/logsentry/zapsentry"
	"github.com/logsentry/logsentry/zerologsentry"
)

var errDeclined = errors.New("card declined")

func main() {
	opts := sentry.ClientOptions{Dsn: os.Getenv("SENTRY_DSN"), Release: "quickstart@1.0.0"}
	if opts.Dsn == "" {
		fmt.Println("SENTRY_DSN is unset: printing what would be sent to Sentry (── lines).")
		opts.Transport = &preview.Transport{W: os.Stdout}
	}
	if err := sentry.Init(opts); err != nil {
		fmt.Fprintln(os.Stderr, "sentry.Init:", err)
		os.Exit(1)
	}
	defer sentry.Flush(2 * time.Second)

	withSlog()
	withZap()
	withLogrus()
	withZerolog()
}

// Each request (here: each function) gets its own breadcrumb trail, so the
// breadcrumbs of one never show up on another's issue.
func request() context.Context { return breadcrumbs.WithTrail(context.Background()) }

func withSlog() {
	h := slogsentry.NewHandler(
		slogsentry.WithLogLevel(slog.LevelWarn), // Sentry Logs are opt-in
		logsentry.WithTagKeys("order_id"),       // only listed fields become tags
	)
	// slogtee.New is slog.NewMultiHandler (Go 1.26) for Go 1.25, which this
	// module supports; on Go 1.26, write slog.NewMultiHandler.
	log := slog.New(slogtee.New(slog.NewTextHandler(os.Stdout, nil), h)).With("order_id", 1042)

	ctx := request()
	log.InfoContext(ctx, "cart loaded", "items", 3, "total", 59.90)
	log.WarnContext(ctx, "audit: price override", "by", "ops", "from", 64.90, "to", 59.90)
	log.ErrorContext(ctx, "checkout failed", "err", fmt.Errorf("charge order 1042: %w", errDeclined),
		slog.Group("user", "id", "u-7"))
}

func withZap() {
	console := zapcore.NewCore(zapcore.NewConsoleEncoder(zap.NewDevelopmentEncoderConfig()),
		zapcore.Lock(os.Stdout), zapcore.InfoLevel)
	log := zap.New(zapcore.NewTee(console, zapsentry.NewCore()), zap.AddCaller()).Named("billing")

	ctx := request()
	log.Info("invoice drafted", zapsentry.Context(ctx), zap.Int("lines", 4))
	log.Error("invoice rejected", zapsentry.Context(ctx), zap.Error(fmt.Errorf("post invoice: %w", errDeclined)))
}

func withLogrus() {
	log := logrus.New()
	log.SetOutput(os.Stdout)
	log.AddHook(logrussentry.NewHook())

	ctx := request()
	log.WithContext(ctx).WithField("sku", "A-1").Info("stock reserved")
	log.WithContext(ctx).WithError(fmt.Errorf("ship order: %w", errDeclined)).Error("shipping failed")
}

func withZerolog() {
	// zerolog writes an error as text; this opt-in lets the Writer recover
	// the error value, so the issue shows its type and chain.
	zerolog.ErrorMarshalFunc = zerologsentry.ErrorMarshalFunc
	w := zerologsentry.NewWriter()
	defer w.Close()
	// Attached as writer and as hook: the hook hands over the context and
	// the call site of each line.
	console := zerolog.ConsoleWriter{Out: os.Stdout}
	log := zerolog.New(w.Tee(console)).
		Hook(w).With().Timestamp().Logger()

	ctx := request()
	log.Info().Ctx(ctx).Str("queue", "emails").Msg("job picked")
	log.Error().Ctx(ctx).Err(fmt.Errorf("send mail: %w", errDeclined)).Msg("job failed")
}
