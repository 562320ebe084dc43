// Package spotlight lets tests read back what a real Sentry SDK sent to a
// local Sentry Spotlight (started by scripts/spotlight/start.sh).
//
// Tests send through a normal sentry.Client whose DSN is the one start.sh
// printed (CI exports it as SPOTLIGHT_DSN) and then wait for the item on
// Spotlight's server-sent-event stream, GET /stream. A new connection to the
// stream first replays every envelope Spotlight still holds (the last 500),
// then streams new ones live, so a reader sees the envelopes of every test:
// mark what you send with a unique value and match on it.
//
// Each stream event carries one envelope as JSON:
//
//	[envelopeHeader, [[itemHeader, payload], ...]]
//
// Spotlight adds "type" to each JSON payload, and scripts/spotlight/shim.mjs
// rewrites sentry-go's bare "exception" list to {"values": [...]}.
package spotlight

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"
)

// EnvDSN names the environment variable that holds the DSN of a running
// Spotlight, as printed by scripts/spotlight/start.sh.
const EnvDSN = "SPOTLIGHT_DSN"

// envelopeEvent is the SSE event type Spotlight uses for Sentry envelopes.
const envelopeEvent = "application/x-sentry-envelope"

// DSNFromEnv returns $SPOTLIGHT_DSN, or "" when it is not set.
func DSNFromEnv() string {
	return strings.TrimSpace(os.Getenv(EnvDSN))
}

// BaseURL returns Spotlight's base URL (scheme://host:port) for a DSN such
// as http://spotlight@127.0.0.1:8969/0.
func BaseURL(dsn string) (string, error) {
	if strings.TrimSpace(dsn) == "" {
		return "", errors.New("spotlight: empty DSN")
	}
	u, err := url.Parse(strings.TrimSpace(dsn))
	if err != nil {
		return "", fmt.Errorf("spotlight: bad DSN: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("spotlight: DSN %q: scheme must be http or https", dsn)
	}
	if u.Hostname() == "" {
		return "", fmt.Errorf("spotlight: DSN %q has no host", dsn)
	}
	return u.Scheme + "://" + u.Host, nil
}

// Envelope is one envelope as Spotlight streams it.
type Envelope struct {
	ID     string          // the SSE id (Spotlight's envelope id)
	Header json.RawMessage // envelope header
	Items  []Item
}

// Item is one envelope item.
type Item struct {
	Type    string          // the item header's "type": event, log, client_report, ...
	Header  json.RawMessage // the whole item header
	Payload json.RawMessage // the item's JSON payload
}

// client talks to Spotlight on loopback only: never through a proxy, and
// without keep-alive, so that no connection (and no goroutine) outlives a
// stream once its body is closed.
var client = &http.Client{
	Transport: &http.Transport{
		Proxy:                 nil,
		DialContext:           (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		ResponseHeaderTimeout: 10 * time.Second,
		DisableKeepAlives:     true,
	},
}

// Stream reads GET <base>/stream and calls fn with each envelope, replayed
// ones first, until fn returns false (Stream then returns nil), ctx ends
// (ctx.Err()), or the stream fails. The response body is always closed
// before Stream returns.
func Stream(ctx context.Context, dsn string, fn func(Envelope) bool) error {
	base, err := BaseURL(dsn)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/stream", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "text/event-stream")
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("spotlight: GET %s/stream: %w", base, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("spotlight: GET %s/stream: %s", base, resp.Status)
	}

	// Server-sent events: "field: value" lines; a blank line ends an event.
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 0, 64<<10), 64<<20)
	var (
		event, id string
		data      bytes.Buffer
	)
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			if event == envelopeEvent && data.Len() > 0 {
				env, err := parseEnvelope(data.Bytes())
				if err != nil {
					return fmt.Errorf("spotlight: envelope %s: %w", id, err)
				}
				env.ID = id
				if !fn(env) {
					return nil
				}
			}
			event, id = "", ""
			data.Reset()
			continue
		}
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "event":
			event = value
		case "id":
			id = value
		case "data":
			if data.Len() > 0 {
				data.WriteByte('\n')
			}
			data.WriteString(value)
		}
		// Other fields ("retry") and comments (":...") are ignored.
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("spotlight: reading %s/stream: %w", base, err)
	}
	return fmt.Errorf("spotlight: %s/stream ended", base)
}

func parseEnvelope(b []byte) (Envelope, error) {
	var env Envelope
	var parts []json.RawMessage
	if err := json.Unmarshal(b, &parts); err != nil {
		return env, err
	}
	if len(parts) != 2 {
		return env, fmt.Errorf("want [header, items], got %d elements", len(parts))
	}
	env.Header = parts[0]
	var items [][]json.RawMessage
	if err := json.Unmarshal(parts[1], &items); err != nil {
		return env, fmt.Errorf("items: %w", err)
	}
	for i, pair := range items {
		if len(pair) != 2 {
			return env, fmt.Errorf("item %d: want [header, payload], got %d elements", i, len(pair))
		}
		var h struct {
			Type string `json:"type"`
		}
		if err := json.Unmarshal(pair[0], &h); err != nil {
			return env, fmt.Errorf("item %d header: %w", i, err)
		}
		env.Items = append(env.Items, Item{Type: h.Type, Header: pair[0], Payload: pair[1]})
	}
	return env, nil
}

// WaitForItem returns the payload of the first item of type itemType
// ("event", "log", ...) on Spotlight's stream for which match returns true
// (a nil match accepts any). It fails the test if none arrives within
// timeout. Flush the sentry client before calling it.
func WaitForItem(t testing.TB, dsn, itemType string, timeout time.Duration, match func(payload json.RawMessage) bool) json.RawMessage {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()

	var found json.RawMessage
	envelopes, seen := 0, 0
	err := Stream(ctx, dsn, func(env Envelope) bool {
		envelopes++
		for _, it := range env.Items {
			if it.Type != itemType {
				continue
			}
			seen++
			if match == nil || match(it.Payload) {
				found = it.Payload
				return false
			}
		}
		return true
	})
	if found != nil {
		return found
	}
	if errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("spotlight: no matching %q item within %s (%d envelopes, %d %q items seen)", itemType, timeout, envelopes, seen, itemType)
	}
	t.Fatalf("%v (while waiting for a %q item; %d envelopes, %d %q items seen)", err, itemType, envelopes, seen, itemType)
	return nil
}
