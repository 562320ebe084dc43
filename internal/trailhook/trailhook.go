// Package trailhook lets the logsentry core learn of each hub that package
// breadcrumbs gives a request or a job, without breadcrumbs importing the
// core (which imports breadcrumbs).
package trailhook

import (
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
