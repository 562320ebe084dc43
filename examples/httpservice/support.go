package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"go.uber.org/zap"
)

// reqKey is the context key of a request's *reqInfo.
type reqKey struct{}

// reqInfo is what withRequest learned about a request.
type reqInfo struct {
	log  *zap.Logger
	user string // "" when the request names no user
}

func info(r *http.Request) *reqInfo { return r.Context().Value(reqKey{}).(*reqInfo) }

func newRequestID() string { return rand.Text()[:12] }

// statusError is a failure that answers with its own HTTP status.
type statusError struct {
	status int
	err    error
}

func (e statusError) Error() string { return e.err.Error() }
func (e statusError) Unwrap() error { return e.err }

var errTimeout = errors.New("i/o timeout")

type order struct {
	ID, Owner string
	Lines     []string
}

// The service's data: users by bearer token, and orders. Order 1003 lives on
// a database shard that times out.
var (
	users  = map[string]string{"Bearer tok-alice": "alice", "Bearer tok-bob": "bob"}
	orders = map[string]order{
		"1001": {"1001", "alice", []string{"2x widget", "1x gadget"}},
		"1002": {"1002", "alice", nil},
		"1003": {"1003", "alice", []string{"1x sprocket"}},
	}
)

func getOrder(w http.ResponseWriter, r *http.Request, rq *reqInfo) error {
	o, err := loadOrder(rq, r.PathValue("id"))
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "order %s: %d line(s)\n", o.ID, len(o.Lines))
	return err
}

func loadOrder(rq *reqInfo, id string) (order, error) {
	if rq.user == "" {
		return order{}, statusError{http.StatusUnauthorized, errors.New("no valid bearer token")}
	}
	rq.log.Info("loading order", zap.String("order_id", id))
	o, ok := orders[id]
	switch {
	case !ok:
		return order{}, statusError{http.StatusNotFound, fmt.Errorf("order %s not found", id)}
	case o.Owner != rq.user:
		return order{}, statusError{http.StatusForbidden, fmt.Errorf("order %s belongs to another user", id)}
	case id == "1003":
		return order{}, fmt.Errorf("load order %s: shard 7: %w", id, errTimeout)
	}
	return o, nil
}

// step is one scripted request.
type step struct{ token, path string }

// steps are the scripted requests: 200, 404, 401, 403, 500, and a panic.
var steps = []step{
	{"tok-alice", "/orders/1001"},
	{"tok-alice", "/orders/1009"},
	{"", "/orders/1001"},
	{"tok-bob", "/orders/1001"},
	{"tok-alice", "/orders/1003"},
	{"tok-alice", "/orders/1002/receipt"},
}

// script sends the steps to the service at base, one at a time, and prints a
// summary.
func script(ctx context.Context, out io.Writer, base string) error {
	client := &http.Client{Timeout: 5 * time.Second}
	defer client.CloseIdleConnections()
	var summary strings.Builder
	for _, s := range steps {
		who := userName(s.token)
		fmt.Fprintf(out, "\n▶ GET %s as %s\n", s.path, who)
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+s.path, nil)
		if err != nil {
			return err
		}
		if s.token != "" {
			req.Header.Set("Authorization", "Bearer "+s.token)
		}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		fmt.Fprintf(out, "◀ %s\n", resp.Status)
		outcome := "nothing sent" // its breadcrumbs ended with the request
		switch c := resp.StatusCode; {
		case c >= 500:
			outcome = "an issue in Sentry, with this request's breadcrumbs"
		case c == 401 || c == 403 || c == 404:
			outcome = "no issue: the filter kept it a breadcrumb"
		}
		fmt.Fprintf(&summary, "  %-28s %-12s %-25s request %s: %s\n",
			"GET "+s.path, "as "+who, resp.Status, resp.Header.Get("X-Request-Id"), outcome)
	}
	fmt.Fprintf(out, "\nSummary:\n%s", summary.String())
	return nil
}

func userName(token string) string {
	if token == "" {
		return "anonymous"
	}
	return strings.TrimPrefix(token, "tok-")
}

// ignoreClosed drops the error Serve returns after Shutdown.
func ignoreClosed(err error) error {
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}
