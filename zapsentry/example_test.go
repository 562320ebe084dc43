package zapsentry_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/getsentry/sentry-go"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/logsentry/logsentry"
	"github.com/logsentry/logsentry/breadcrumbs"
	"github.com/logsentry/logsentry/zapsentry"
)

// printTransport is a sentry.Transport that prints each event instead of
// sending it.
type printTransport struct{}

func (printTransport) Configure(sentry.ClientOptions)        {}
func (printTransport) Flush(time.Duration) bool              { return true }
func (printTransport) FlushWithContext(context.Context) bool { return true }
func (printTransport) Close()                                {}

func (printTransport) SendEvent(ev *sentry.Event) {
	if ev.Type != "" { // a transaction, a batch of logs, ...
		return
	}
	fmt.Printf("sentry %s event %q from %s", ev.Level, ev.Message, ev.Logger)
	if len(ev.Exception) > 0 {
		fmt.Printf(", exception %s", ev.Exception[len(ev.Exception)-1].Type)
	}
	var crumbs []string
	for _, b := range ev.Breadcrumbs {
		crumbs = append(crumbs, b.Message)
	}
	fmt.Printf(", breadcrumbs [%s]\n", strings.Join(crumbs, ", "))
}

// newPrintHub returns a hub whose client prints events, and a function that
// closes the client.
func newPrintHub() (*sentry.Hub, func()) {
	client, err := sentry.NewClient(sentry.ClientOptions{Transport: printTransport{}})
	if err != nil {
		panic(err)
	}
	return sentry.NewHub(client, sentry.NewScope()), client.Close
}

func ExampleNewCore() {
	hub, closeClient := newPrintHub() // usually: sentry.Init, and no WithHub
	defer closeClient()

	logger := zap.New(zapsentry.NewCore(logsentry.WithHub(hub))).Named("billing")
	defer func() { _ = logger.Sync() }()

	logger.Debug("below every threshold: dropped")
	logger.Info("invoice loaded", zap.String("invoice", "in-42"))    // a breadcrumb
	logger.Warn("retrying charge", zap.Int("attempt", 2))            // a breadcrumb
	logger.Error("charge failed", zap.Error(errors.New("declined"))) // an event
	// Output:
	// sentry error event "charge failed" from billing, exception *errors.errorString, breadcrumbs [invoice loaded, retrying charge]
}

func ExampleAttachCore() {
	hub, closeClient := newPrintHub()
	defer closeClient()

	// An existing logger; here zap's example logger, writing JSON to stdout.
	logger := zap.NewExample()
	logger = zapsentry.AttachCore(logger, logsentry.WithHub(hub), zapsentry.WithEventLevel(zapcore.WarnLevel))

	// Each request gets its own breadcrumb trail; zapsentry.Context passes
	// it to the Sentry core and is not printed by the JSON core.
	ctx := breadcrumbs.WithTrail(sentry.SetHubOnContext(context.Background(), hub))
	req := logger.With(zapsentry.Context(ctx), zap.String("request_id", "r-7"))
	req.Info("request started")
	req.Warn("disk almost full", zap.String("mount", "/data"))
	// Output:
	// {"level":"info","msg":"request started","request_id":"r-7"}
	// {"level":"warn","msg":"disk almost full","request_id":"r-7","mount":"/data"}
	// sentry warning event "disk almost full" from zap, breadcrumbs [request started]
}

func ExampleContext() {
	hub, closeClient := newPrintHub()
	defer closeClient()
	logger := zap.New(zapsentry.NewCore(logsentry.WithHub(hub)))

	// Two jobs, each with its own trail: breadcrumbs never mix.
	base := sentry.SetHubOnContext(context.Background(), hub)
	for _, job := range []string{"resize", "upload"} {
		ctx := breadcrumbs.WithTrail(base)
		logger.Info(job+" started", zapsentry.Context(ctx))
		logger.Error(job+" failed", zapsentry.Context(ctx))
	}
	// Output:
	// sentry error event "resize failed" from zap, breadcrumbs [resize started]
	// sentry error event "upload failed" from zap, breadcrumbs [upload started]
}

// The Core beside a console core, combined with zapcore.NewTee.
func ExampleNewCore_tee() {
	hub, closeClient := newPrintHub()
	defer closeClient()

	console := zapcore.NewCore(
		zapcore.NewConsoleEncoder(zapcore.EncoderConfig{MessageKey: "msg", LevelKey: "level", EncodeLevel: zapcore.CapitalLevelEncoder}),
		zapcore.Lock(os.Stdout), zapcore.InfoLevel)
	logger := zap.New(zapcore.NewTee(console, zapsentry.NewCore(logsentry.WithHub(hub))))

	logger.Error("queue stalled", zap.Namespace("queue"), zap.String("name", "emails"))
	// Output:
	// ERROR	queue stalled	{"queue": {"name": "emails"}}
	// sentry error event "queue stalled" from zap, breadcrumbs []
}
