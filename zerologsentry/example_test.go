package zerologsentry_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/rs/zerolog"

	"github.com/logsentry/logsentry"
	"github.com/logsentry/logsentry/breadcrumbs"
	"github.com/logsentry/logsentry/zerologsentry"
)

// printTransport is a sentry.Transport that prints each event as
// "level message", its exceptions and its breadcrumbs, instead of sending
// it.
type printTransport struct{}

func (printTransport) Configure(sentry.ClientOptions) {}

func (printTransport) SendEvent(e *sentry.Event) {
	if e.Type != "" { // Sentry Logs, transactions
		return
	}
	fmt.Println("sentry:", e.Level, e.Message)
	for i := len(e.Exception) - 1; i >= 0; i-- {
		fmt.Printf("  exception %s: %s\n", e.Exception[i].Type, e.Exception[i].Value)
	}
	for _, b := range e.Breadcrumbs {
		fmt.Println("  breadcrumb:", b.Level, b.Message, b.Data)
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

func ExampleNewWriter() {
	hub := exampleHub()
	defer hub.Client().Close()
	ctx := breadcrumbs.WithTrail(sentry.SetHubOnContext(context.Background(), hub))

	w := zerologsentry.NewWriter()
	// Tee prints the lines to stdout, without the hook's correlation field,
	// and sends them to w.
	logger := zerolog.New(w.Tee(os.Stdout)).Hook(w)
	logger.Debug().Ctx(ctx).Msg("cache warm")                 // below every threshold
	logger.Info().Ctx(ctx).Int("items", 3).Msg("cart loaded") // a breadcrumb
	logger.Error().Ctx(ctx).Err(errors.New("card declined")).Msg("payment failed")
	// Output:
	// {"level":"debug","message":"cache warm"}
	// {"level":"info","items":3,"message":"cart loaded"}
	// {"level":"error","error":"card declined","message":"payment failed"}
	// sentry: error payment failed
	//   exception zerologsentry.LoggedError: card declined
	//   breadcrumb: info cart loaded map[items:3]
}

func ExampleErrorMarshalFunc() {
	hub := exampleHub()
	defer hub.Client().Close()
	old := zerolog.ErrorMarshalFunc
	defer func() { zerolog.ErrorMarshalFunc = old }()
	zerolog.ErrorMarshalFunc = zerologsentry.ErrorMarshalFunc // once, at start-up

	w := zerologsentry.NewWriter(logsentry.WithHub(hub))
	logger := zerolog.New(w.Tee(os.Stdout)).Hook(w)
	_, err := os.Open("/no/such/file")
	logger.Error().Err(fmt.Errorf("load config: %w", err)).Msg("cannot start")
	// Output:
	// {"level":"error","error":"load config: open /no/such/file: no such file or directory","message":"cannot start"}
	// sentry: error cannot start
	//   exception *fmt.wrapError: load config: open /no/such/file: no such file or directory
	//   exception *fs.PathError: open /no/such/file: no such file or directory
	//   exception syscall.Errno: no such file or directory
}

func ExampleSeverity() {
	for _, l := range []zerolog.Level{
		zerolog.TraceLevel, zerolog.DebugLevel, zerolog.InfoLevel, zerolog.WarnLevel,
		zerolog.ErrorLevel, zerolog.FatalLevel, zerolog.PanicLevel, zerolog.NoLevel,
	} {
		name := l.String()
		if l == zerolog.NoLevel {
			name = "(none)"
		}
		s := zerologsentry.Severity(l)
		fmt.Printf("%-6s %2d %s\n", name, int(s), s.SentryLevel())
	}
	// Output:
	// trace   1 debug
	// debug   5 debug
	// info    9 info
	// warn   13 warning
	// error  17 error
	// fatal  21 fatal
	// panic  22 fatal
	// (none)  9 info
}

func ExampleWithEventLevel() {
	hub := exampleHub()
	defer hub.Client().Close()

	w := zerologsentry.NewWriter(
		logsentry.WithHub(hub),
		zerologsentry.WithEventLevel(zerolog.WarnLevel),
		zerologsentry.WithBreadcrumbLevel(zerolog.Disabled),
	)
	logger := zerolog.New(w).Hook(w)
	logger.Info().Msg("not sent")
	logger.Warn().Str("disk", "/var").Msg("disk almost full")
	// Output:
	// sentry: warning disk almost full
}
