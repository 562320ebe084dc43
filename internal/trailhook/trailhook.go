// Package trailhook lets the logsentry core learn of the trails (hubs of a
// request or a job) that package breadcrumbs makes, without breadcrumbs
// importing the core (which imports breadcrumbs).
package trailhook

import (
	"context"
	"sync/atomic"

	"github.com/getsentry/sentry-go"
)

var onTrail atomic.Pointer[func(hub *sentry.Hub, fresh bool)]

// Set makes f the function called with each new trail's hub.
func Set(f func(hub *sentry.Hub, fresh bool)) { onTrail.Store(&f) }

// Started reports hub, the hub of a new trail (a request's or a job's), to
// the function given to Set, if any. fresh says that hub was made for the
// trail; else it is a hub found on the request's context, which an outer
// middleware presumably made for the request, but may be reported again.
func Started(hub *sentry.Hub, fresh bool) {
	if f := onTrail.Load(); f != nil {
		(*f)(hub, fresh)
	}
}

// Trail describes the trail a context carries.
type Trail struct {
	Hub *sentry.Hub
	// FromCurrent says that Hub was cloned from sentry.CurrentHub, whose
	// client it has: none in a program that binds its client elsewhere.
	FromCurrent bool
	// Request says that Hub's scope holds the request it serves
	// (Middleware set it), which fills every event of the trail.
	Request bool
}

type trailKey struct{}

// With returns ctx carrying t.Hub as its hub, and t.
func With(ctx context.Context, t Trail) context.Context {
	return context.WithValue(sentry.SetHubOnContext(ctx, t.Hub), trailKey{}, t)
}

// Of returns the trail ctx carries, if its hub is still ctx's hub.
func Of(ctx context.Context) (Trail, bool) {
	t, ok := ctx.Value(trailKey{}).(Trail)
	return t, ok && t.Hub == sentry.GetHubFromContext(ctx)
}
