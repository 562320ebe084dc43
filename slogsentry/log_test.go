package slogsentry_test

import (
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"

	"github.com/logsentry/logsentry"
	"github.com/logsentry/logsentry/internal/sentrytest"
	"github.com/logsentry/logsentry/slogsentry"
)

// TestSentryLogs checks the Sentry Logs of records: typed attributes,
// dotted group keys, the origin and the logger's own level name.
func TestSentryLogs(t *testing.T) {
	t.Parallel()
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{Release: "r@1"})
	logger := slog.New(slogsentry.NewHandler(
		logsentry.WithHub(hub),
		slogsentry.WithLogLevel(slog.LevelInfo),
	))
	logger.With("svc", "billing").WithGroup("req").Info("typed",
		"n", 42,
		"neg", int64(-7),
		"u", uint64(7),
		"f", 1.5,
		"b", true,
		"s", "text",
		"d", 1500*time.Millisecond,
		"obj", map[string]int{"a": 1},
		slog.Group("http", "status", 200, slog.Group("url", "path", "/a")),
	)
	logger.Debug("below the log level")
	logger.Warn("warned", "err", errors.New("slow disk"))
	logger.Log(t.Context(), slogsentry.LevelFatal, "fatal but alive")
	logger.Info("")
	// Still here: a fatal log must not exit.
	sentrytest.Flush(t, hub)
	logs := rcv.WaitLogs(t, 4, waitFor)
	if len(logs) != 4 {
		t.Errorf("got %d logs, want 4: %+v", len(logs), logs)
	}

	lg := sentrytest.LogByBody(t, logs, "typed")
	if lg.Level != "info" || lg.Severity != 9 {
		t.Errorf("level %q severity %d", lg.Level, lg.Severity)
	}
	want := map[string]sentrytest.Attribute{
		"svc":               {Type: "string", Value: "billing"},
		"req.n":             {Type: "integer", Value: json.Number("42")},
		"req.neg":           {Type: "integer", Value: json.Number("-7")},
		"req.u":             {Type: "integer", Value: json.Number("7")},
		"req.f":             {Type: "double", Value: json.Number("1.5")},
		"req.b":             {Type: "boolean", Value: true},
		"req.s":             {Type: "string", Value: "text"},
		"req.d":             {Type: "string", Value: "1.5s"},
		"req.obj.a":         {Type: "integer", Value: json.Number("1")},
		"req.http.status":   {Type: "integer", Value: json.Number("200")},
		"req.http.url.path": {Type: "string", Value: "/a"},
		"sentry.origin":     {Type: "string", Value: "auto.log.slog"},
		"logger.name":       {Type: "string", Value: "slog"},
		"log.level":         {Type: "string", Value: "INFO"},
		"sentry.release":    {Type: "string", Value: "r@1"},
	}
	for k, w := range want {
		got, ok := lg.Attributes[k]
		if !ok {
			t.Errorf("attribute %q missing", k)
			continue
		}
		if got.Type != w.Type || got.Value != w.Value {
			t.Errorf("attribute %q = %s %#v, want %s %#v", k, got.Type, got.Value, w.Type, w.Value)
		}
	}
	for k, a := range lg.Attributes {
		if _, ok := want[k]; !ok && !strings.HasPrefix(k, "sentry.") {
			t.Errorf("unexpected attribute %q = %v", k, a)
		}
	}
	if time.Since(lg.Timestamp) > time.Minute {
		t.Errorf("timestamp = %v", lg.Timestamp)
	}

	warned := sentrytest.LogByBody(t, logs, "warned")
	if warned.Level != "warn" || warned.Attributes["exception.message"].String() != "slow disk" ||
		warned.Attributes["exception.type"].String() != "*errors.errorString" {
		t.Errorf("warn log = %+v", warned)
	}
	if _, ok := warned.Attributes["err"]; ok {
		t.Errorf("the error is also an attribute: %+v", warned.Attributes)
	}

	fatal := sentrytest.LogByBody(t, logs, "fatal but alive")
	if fatal.Level != "fatal" || fatal.Severity != 21 {
		t.Errorf("fatal log level %q severity %d", fatal.Level, fatal.Severity)
	}
	for _, l := range logs {
		if l.Body == "below the log level" {
			t.Errorf("a debug record became a log")
		}
	}
	// An empty message still makes a log (the SDK drops empty bodies).
	var empty bool
	for _, l := range logs {
		if l.Level == "info" && l.Body != "typed" {
			empty = true
		}
	}
	if !empty {
		t.Errorf("the record with an empty message made no log")
	}
}

// TestSentryLogsOnly checks logs without events or breadcrumbs: an error
// record makes a log and nothing else.
func TestSentryLogsOnly(t *testing.T) {
	t.Parallel()
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	logger := slog.New(slogsentry.NewHandler(
		logsentry.WithHub(hub),
		slogsentry.WithEventLevel(slogsentry.LevelOff),
		slogsentry.WithBreadcrumbLevel(slogsentry.LevelOff),
		slogsentry.WithLogLevel(slog.LevelDebug),
	))
	logger.Debug("d")
	logger.Error("e")
	hub.CaptureMessage("probe")
	sentrytest.Flush(t, hub)
	rcv.WaitLogs(t, 2, waitFor)
	evs := rcv.WaitEvents(t, 1, waitFor)
	if len(evs) != 1 || len(evs[0].Breadcrumbs) != 0 {
		t.Errorf("events = %q, probe breadcrumbs %q: want only the probe, with none", sentrytest.Messages(evs), sentrytest.BreadcrumbMessages(evs[0]))
	}
}
