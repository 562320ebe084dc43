package breadcrumbs_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/getsentry/sentry-go"

	"github.com/logsentry/logsentry/breadcrumbs"
)

// printTransport prints each event's message and breadcrumbs instead of
// sending them.
type printTransport struct{}

func (printTransport) Configure(sentry.ClientOptions)        {}
func (printTransport) Flush(time.Duration) bool              { return true }
func (printTransport) FlushWithContext(context.Context) bool { return true }
func (printTransport) Close()                                {}

func (printTransport) SendEvent(e *sentry.Event) {
	if e.Type != "" {
		return
	}
	fmt.Println(e.Message)
	for _, b := range e.Breadcrumbs {
		fmt.Printf("  %s/%s: %s\n", b.Type, b.Category, b.Message)
	}
}

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

// Each job gets its own trail: its breadcrumbs show on its own events only.
func ExampleWithTrail() {
	hub, done := exampleHub()
	defer done()
	ctx := sentry.SetHubOnContext(context.Background(), hub)

	job1, job2 := breadcrumbs.WithTrail(ctx), breadcrumbs.WithTrail(ctx)
	breadcrumbs.Add(job1, breadcrumbs.New(sentry.LevelInfo, "worker", "job 1 started", nil, time.Time{}), nil)
	breadcrumbs.Add(job2, breadcrumbs.New(sentry.LevelInfo, "", "job 2 started", nil, time.Time{}), nil)
	breadcrumbs.Add(job2, breadcrumbs.New(sentry.LevelError, "worker", "job 2 retrying", nil, time.Time{}), nil)

	sentry.GetHubFromContext(job2).CaptureMessage("job 2 failed")
	// Output:
	// job 2 failed
	//   default/log: job 2 started
	//   error/worker: job 2 retrying
}

// Middleware gives each request a trail of its own, cloned from the current
// hub, with the request recorded on its scope.
func ExampleMiddleware() {
	hub, done := exampleHub()
	defer done()
	cur := sentry.CurrentHub()
	cur.PushScope()
	cur.BindClient(hub.Client())
	defer cur.PopScope()

	h := breadcrumbs.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		breadcrumbs.Add(r.Context(), breadcrumbs.New(sentry.LevelInfo, "http", "loading "+r.URL.Path, nil, time.Time{}), nil)
		sentry.GetHubFromContext(r.Context()).CaptureMessage("request failed")
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/orders/7", nil))
	cur.CaptureMessage("outside any request")
	// Output:
	// request failed
	//   default/http: loading /orders/7
	// outside any request
}
