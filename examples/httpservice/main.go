// Command httpservice is a net/http service that logs with zap and reports to
// Sentry: each request gets a trail of its own, so the breadcrumbs on an
// issue are those of the request that failed; its request id (a tag) and
// user are attached; 5xx responses and panics become issues, while 401, 403
// and 404 answers, the clients' doing, stay breadcrumbs.
//
// zap takes no context at the call, so a logger is made per request, bound
// to the request's trail with zapsentry.Context, and handed to handlers.
//
//	go run ./examples/httpservice              # scripted requests, then exits
//	go run ./examples/httpservice -serve :8080 # keeps serving until Ctrl-C
//	SENTRY_DSN=... go run ./examples/httpservice
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"time"

	"github.com/getsentry/sentry-go"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/logsentry/logsentry"
	"github.com/logsentry/logsentry/breadcrumbs"
	"github.com/logsentry/logsentry/internal/preview"
	"github.com/logsentry/logsentry/zapsentry"
)

func main() {
	serve := flag.String("serve", "", "listen on this address (e.g. :8080) and serve until interrupted, instead of running the scripted requests")
	flag.Parse()

	opts := sentry.ClientOptions{Dsn: os.Getenv("SENTRY_DSN"), Release: "httpservice@1.0.0"}
	if opts.Dsn == "" {
		fmt.Println("SENTRY_DSN is unset: printing what would be sent to Sentry (── lines).")
		opts.Transport = &preview.Transport{W: os.Stdout}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, opts, *serve); err != nil {
		fmt.Fprintln(os.Stderr, "httpservice:", err)
		os.Exit(1)
	}
}

// run is the program without its flags: it serves on addr until ctx is done,
// or, with addr "", on a free local port for the scripted requests only. It
// logs to out, reports to the Sentry client made from opts, and flushes and
// closes that client before it returns.
func run(ctx context.Context, out io.Writer, opts sentry.ClientOptions, addr string) error {
	if err := sentry.Init(opts); err != nil {
		return err
	}
	defer func() {
		// Close only after a flush that went through: with Sentry hanging,
		// sentry-go v0.50's Close can wait for its HTTP timeout (30 s).
		if sentry.Flush(2 * time.Second) {
			sentry.CurrentHub().Client().Close()
		}
	}()

	console := zapcore.Lock(zapcore.AddSync(out)) // the server and the script both print
	ln, err := net.Listen("tcp", cmp.Or(addr, "127.0.0.1:0"))
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: newHandler(newLogger(console)), ReadHeaderTimeout: 5 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	if addr != "" {
		fmt.Fprintf(console, "serving on http://%s; try:\n  curl -H 'Authorization: Bearer tok-alice' http://%[1]s/orders/1003\n", ln.Addr())
		<-ctx.Done()
	} else {
		err = script(ctx, console, "http://"+ln.Addr().String())
	}
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	return errors.Join(err, srv.Shutdown(shutdown), ignoreClosed(<-served))
}

// newLogger returns a zap logger that writes to console and sends to Sentry.
func newLogger(console zapcore.WriteSyncer) *zap.Logger {
	enc := zapcore.NewConsoleEncoder(zap.NewDevelopmentEncoderConfig())
	log := zap.New(zapcore.NewCore(enc, console, zap.InfoLevel), zap.AddCaller())
	return zapsentry.AttachCore(log,
		logsentry.WithTagKeys("request_id"), // search Sentry for one request
		logsentry.WithFilter(clientErrorsStayBreadcrumbs),
	)
}

// newHandler returns the service. breadcrumbs.Middleware runs first: it gives
// the request its own hub, and with it its own trail, on its context.
func newHandler(log *zap.Logger) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /orders/{id}", handler(getOrder))
	mux.Handle("GET /orders/{id}/receipt", handler(getReceipt))
	return breadcrumbs.Middleware(withRequest(log, recoverPanics(mux)))
}

// withRequest makes the request's logger: it carries the request's context,
// and so its trail, its request id, and the user the token names. Every line
// it logs is a breadcrumb of this request, and every error an event of it.
func withRequest(base *zap.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := cmp.Or(r.Header.Get("X-Request-Id"), newRequestID())
		w.Header().Set("X-Request-Id", id)
		log := base.With(zapsentry.Context(r.Context()), zap.String("request_id", id))
		user := users[r.Header.Get("Authorization")] // a real service verifies the token here
		if user != "" {
			log = log.With(zap.Dict("user", zap.String("id", user))) // the event's user
		}
		log.Info("request started", zap.String("method", r.Method), zap.String("path", r.URL.Path))
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), reqKey{}, &reqInfo{log, user})))
	})
}

// recoverPanics turns a panic into a 500 and an error record. It logs from
// the deferred call, while the panicking frames are still on the stack, so
// the event's stack trace leads to the line that panicked.
func recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			p := recover()
			if p == nil {
				return
			}
			if p == http.ErrAbortHandler {
				panic(p) // net/http's way to abort a response: not a bug
			}
			err := fmt.Errorf("panic: %v", p)
			if e, ok := p.(error); ok {
				err = fmt.Errorf("panic: %w", e) // keeps e.g. a runtime.Error in the chain
			}
			info(r).log.Error("panic serving request", zap.Int("status", http.StatusInternalServerError), zap.Error(err))
			http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		}()
		next.ServeHTTP(w, r)
	})
}

// clientErrorsStayBreadcrumbs is the bridge's filter. Every failed request is
// logged at error level with its status (see handler.ServeHTTP); those that
// are the client's doing keep their breadcrumb but open no issue.
func clientErrorsStayBreadcrumbs(r logsentry.Record, s logsentry.Sinks) logsentry.Sinks {
	for _, a := range r.Attrs {
		if a.Key == "status" && a.Value.Kind() == slog.KindInt64 {
			switch a.Value.Int64() {
			case http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound:
				return s &^ logsentry.SinkEvent
			}
		}
	}
	return s
}

// handler is an http.Handler that returns its failure, which ServeHTTP logs
// and answers: a statusError with its status, any other error with a 500.
type handler func(w http.ResponseWriter, r *http.Request, rq *reqInfo) error

func (h handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rq := info(r)
	err := h(w, r, rq)
	if err == nil {
		return
	}
	status := http.StatusInternalServerError
	var se statusError
	if errors.As(err, &se) {
		status = se.status
	}
	rq.log.Error("request failed", zap.Int("status", status), zap.Error(err))
	http.Error(w, http.StatusText(status), status)
}

// getReceipt has a bug: it panics on an order without lines.
func getReceipt(w http.ResponseWriter, r *http.Request, rq *reqInfo) error {
	o, err := loadOrder(rq, r.PathValue("id"))
	if err != nil {
		return err
	}
	rq.log.Info("rendering receipt", zap.String("order_id", o.ID))
	_, err = fmt.Fprintf(w, "receipt for %s, headed %q\n", o.ID, o.Lines[0]) // bug: an order may have no lines
	return err
}
