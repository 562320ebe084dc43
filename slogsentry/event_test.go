package slogsentry_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/getsentry/sentry-go"
	pkgerrors "github.com/pkg/errors"

	"github.com/logsentry/logsentry"
	"github.com/logsentry/logsentry/breadcrumbs"
	"github.com/logsentry/logsentry/internal/sentrytest"
	"github.com/logsentry/logsentry/slogsentry"
)

type codeError struct{ code int }

func (e *codeError) Error() string { return fmt.Sprintf("code %d", e.code) }

// logOne logs one error record through a fresh handler with opts on a fresh
// hub and returns its event.
func logOne(t *testing.T, clientOpts sentry.ClientOptions, opts []logsentry.Option, log func(*slog.Logger)) sentrytest.Event {
	t.Helper()
	rcv, hub := sentrytest.NewReceiverHub(t, clientOpts)
	log(slog.New(slogsentry.NewHandler(append([]logsentry.Option{logsentry.WithHub(hub)}, opts...)...)))
	sentrytest.Flush(t, hub)
	evs := rcv.WaitEvents(t, 1, waitFor)
	if len(evs) != 1 {
		t.Fatalf("got %d events, want 1", len(evs))
	}
	return evs[0]
}

// TestCallSiteStack checks the stack of an event whose error carries none:
// it starts at the logging call, with no frame of slog or of this module.
func TestCallSiteStack(t *testing.T) {
	t.Run("message only", func(t *testing.T) {
		t.Parallel()
		var line int
		ev := logOne(t, sentry.ClientOptions{}, nil, func(l *slog.Logger) {
			line = sentrytest.NextLine()
			l.Error("no error here", "k", "v")
		})
		if len(ev.Exception) != 0 {
			t.Errorf("exceptions on a message-only event: %+v", ev.Exception)
		}
		checkFrames(t, sentrytest.ThreadFrames(t, ev), sentrytest.ThisFunc()+".1", line)
	})
	t.Run("error without stack", func(t *testing.T) {
		t.Parallel()
		rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
		logger := slog.New(slogsentry.NewHandler(logsentry.WithHub(hub)))
		line := sentrytest.NextLine()
		logger.Error("failed", "err", fmt.Errorf("op: %w", &codeError{1}))
		sentrytest.Flush(t, hub)
		ev := rcv.WaitEvents(t, 1, waitFor)[0]
		if hasThreads(t, ev) {
			t.Errorf("threads on an exception event: %s", ev.Raw)
		}
		last := ev.Exception[len(ev.Exception)-1]
		if last.Stacktrace == nil {
			t.Fatalf("last exception has no stack: %+v", ev.Exception)
		}
		checkFrames(t, last.Stacktrace.Frames, sentrytest.ThisFunc(), line)
		for _, ex := range ev.Exception[:len(ev.Exception)-1] {
			if ex.Stacktrace != nil {
				t.Errorf("stack on inner exception %s", ex.Type)
			}
		}
	})
	t.Run("LogAttrs and Log", func(t *testing.T) {
		t.Parallel()
		rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
		logger := slog.New(slogsentry.NewHandler(logsentry.WithHub(hub)))
		ctx := context.Background()
		line1 := sentrytest.NextLine()
		logger.LogAttrs(ctx, slog.LevelError, "via LogAttrs")
		line2 := sentrytest.NextLine()
		logger.With("a", 1).WithGroup("g").Log(ctx, slogsentry.LevelFatal, "via Log")
		sentrytest.Flush(t, hub)
		evs := rcv.WaitEvents(t, 2, waitFor)
		checkFrames(t, sentrytest.ThreadFrames(t, sentrytest.EventByMessage(t, evs, "via LogAttrs")), sentrytest.ThisFunc(), line1)
		checkFrames(t, sentrytest.ThreadFrames(t, sentrytest.EventByMessage(t, evs, "via Log")), sentrytest.ThisFunc(), line2)
	})
	t.Run("helper", func(t *testing.T) {
		t.Parallel()
		rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
		logger := slog.New(slogsentry.NewHandler(logsentry.WithHub(hub)))
		callLine := sentrytest.NextLine()
		line := logFromHelper(logger)
		sentrytest.Flush(t, hub)
		frames := sentrytest.ThreadFrames(t, rcv.WaitEvents(t, 1, waitFor)[0])
		checkFrames(t, frames, "logFromHelper", line)
		if len(frames) < 2 {
			t.Fatalf("frames = %+v", frames)
		}
		if f := frames[len(frames)-2]; f.Function != sentrytest.ThisFunc() || f.Lineno != callLine {
			t.Errorf("caller frame = %s:%d, want %s:%d", f.Function, f.Lineno, sentrytest.ThisFunc(), callLine)
		}
	})
}

// TestCallSiteStackThroughMiddleware: breadcrumbs.Middleware's handler,
// inlined into the function that wraps a handler with it, is named after
// that function; its frame is still this module's, not the user's.
func TestCallSiteStackThroughMiddleware(t *testing.T) {
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	sentrytest.BindCurrent(t, hub.Client()) // Middleware clones the current hub
	logger := slog.New(slogsentry.NewHandler())
	var line int
	h := breadcrumbs.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		line = sentrytest.NextLine()
		logger.ErrorContext(r.Context(), "in handler")
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "http://svc.example/", nil))
	sentrytest.Flush(t, hub)
	frames := sentrytest.ThreadFrames(t, rcv.WaitEvents(t, 1, waitFor)[0])
	checkFrames(t, frames, sentrytest.ThisFunc()+".func1", line)
	found := false
	for _, f := range frames {
		if !strings.HasSuffix(f.AbsPath, "/breadcrumbs/breadcrumbs.go") {
			continue
		}
		found = true
		if f.InApp || f.Module != "github.com/logsentry/logsentry/breadcrumbs" {
			t.Errorf("middleware frame %s in module %s, in_app %v: want module github.com/logsentry/logsentry/breadcrumbs, not in app", f.Function, f.Module, f.InApp)
		}
	}
	if !found {
		t.Errorf("no frame of breadcrumbs.Middleware in %+v", frames)
	}
}

// pcDropper is a user's handler that rebuilds each record, as some
// wrappers do, and loses its PC on the way.
type pcDropper struct{ slog.Handler }

func (p pcDropper) Handle(ctx context.Context, r slog.Record) error {
	r2 := slog.NewRecord(r.Time, r.Level, r.Message, 0)
	r.Attrs(func(a slog.Attr) bool { r2.AddAttrs(a); return true })
	return p.Handler.Handle(ctx, r2)
}

// TestCallSiteStackThroughWrapperHandler: a record without a PC, handed on
// by a wrapper handler, has the logging call on top, not the wrapper's
// Handle.
func TestCallSiteStackThroughWrapperHandler(t *testing.T) {
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	logger := slog.New(pcDropper{slogsentry.NewHandler(logsentry.WithHub(hub))})
	line := sentrytest.NextLine()
	logger.Error("through a wrapper")
	sentrytest.Flush(t, hub)
	checkFrames(t, sentrytest.ThreadFrames(t, rcv.WaitEvents(t, 1, waitFor)[0]), sentrytest.ThisFunc(), line)
}

func logFromHelper(l *slog.Logger) int {
	line := sentrytest.NextLine()
	l.Error("from a helper")
	return line
}

// pkgError makes a pkg/errors error with a stack of its own and returns the
// lines of New and Wrap with it.
func pkgError() (newLine, wrapLine int, err error) {
	newLine = sentrytest.NextLine()
	base := pkgerrors.New("disk full")
	wrapLine = sentrytest.NextLine()
	return newLine, wrapLine, pkgerrors.Wrap(base, "saving")
}

func TestErrorChain(t *testing.T) {
	t.Parallel()
	type exc struct {
		typ, value string
		parent     int // -1: none
		source     string
		group      bool
	}
	tests := []struct {
		name string
		err  error
		want []exc // innermost first, as sent
	}{
		{
			name: "single",
			err:  &codeError{1},
			want: []exc{{"*slogsentry_test.codeError", "code 1", -1, "", false}},
		},
		{
			name: "wrapped",
			err:  fmt.Errorf("charge: %w", fmt.Errorf("card: %w", &codeError{2})),
			want: []exc{
				{"*slogsentry_test.codeError", "code 2", 1, "unwrap", false},
				{"*fmt.wrapError", "card: code 2", 0, "unwrap", false},
				{"*fmt.wrapError", "charge: card: code 2", -1, "", false},
			},
		},
		{
			name: "joined",
			err:  errors.Join(&codeError{3}, fmt.Errorf("b: %w", &codeError{4})),
			want: []exc{
				{"*slogsentry_test.codeError", "code 4", 2, "unwrap", false},
				{"*fmt.wrapError", "b: code 4", 0, "errors[1]", false},
				{"*slogsentry_test.codeError", "code 3", 0, "errors[0]", false},
				{"*errors.joinError", "code 3\nb: code 4", -1, "", true},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ev := logOne(t, sentry.ClientOptions{}, nil, func(l *slog.Logger) {
				l.Error("chain", "err", tt.err)
			})
			if len(ev.Exception) != len(tt.want) {
				t.Fatalf("got %d exceptions, want %d: %s", len(ev.Exception), len(tt.want), ev.Raw)
			}
			for i, w := range tt.want {
				ex := ev.Exception[i]
				if ex.Type != w.typ || ex.Value != w.value {
					t.Errorf("exception %d = %s %q, want %s %q", i, ex.Type, ex.Value, w.typ, w.value)
				}
				if len(tt.want) == 1 {
					continue
				}
				m := ex.Mechanism
				if m == nil {
					t.Errorf("exception %d has no mechanism", i)
					continue
				}
				if w.parent < 0 {
					if m.ParentID != nil || m.Type != "generic" {
						t.Errorf("exception %d mechanism = %+v, want generic root", i, m)
					}
				} else if m.ParentID == nil || *m.ParentID != w.parent || m.Source != w.source || m.Type != "chained" {
					t.Errorf("exception %d mechanism = %+v (parent %v), want chained parent %d source %q", i, m, m.ParentID, w.parent, w.source)
				}
				if m.IsExceptionGroup != w.group {
					t.Errorf("exception %d is_exception_group = %t", i, m.IsExceptionGroup)
				}
			}
			if got := ev.Fingerprint; len(got) != 3 || got[0] != "chain" {
				t.Errorf("fingerprint = %q", got)
			}
		})
	}

	t.Run("pkg/errors stack", func(t *testing.T) {
		t.Parallel()
		newLine, wrapLine, err := pkgError()
		ev := logOne(t, sentry.ClientOptions{}, nil, func(l *slog.Logger) {
			l.Error("with stack", "err", err)
		})
		types := make([]string, len(ev.Exception))
		for i, ex := range ev.Exception {
			types[i] = ex.Type
		}
		want := []string{"*errors.fundamental", "*errors.withStack"} // Wrap's withMessage twin left out
		if !reflect.DeepEqual(types, want) {
			t.Fatalf("exception types = %v, want %v", types, want)
		}
		if hasThreads(t, ev) {
			t.Errorf("a call-site stack was added in threads: %s", ev.Raw)
		}
		for i, line := range map[int]int{0: newLine, 1: wrapLine} {
			st := ev.Exception[i].Stacktrace
			if st == nil || len(st.Frames) == 0 {
				t.Errorf("exception %d (%s) has no stack", i, types[i])
				continue
			}
			top := st.Frames[len(st.Frames)-1]
			if top.Function != "pkgError" || top.Lineno != line {
				t.Errorf("exception %d top frame = %s:%d, want pkgError:%d (the error's own stack)", i, top.Function, top.Lineno, line)
			}
		}
		if got, want := ev.Fingerprint, []string{"with stack", "*errors.fundamental", "disk full"}; !reflect.DeepEqual(got, want) {
			t.Errorf("fingerprint = %q, want %q", got, want)
		}
	})
}

// TestErrorPromotion checks which field becomes the exception.
func TestErrorPromotion(t *testing.T) {
	boom := &codeError{500}
	other := errors.New("other")
	tests := []struct {
		name      string
		log       func(*slog.Logger)
		wantValue string
		wantAttrs map[string]any // attributes left
	}{
		{"err key", func(l *slog.Logger) { l.Error("m", "err", boom, "k", 1) },
			"code 500", map[string]any{"k": int64(1)}},
		{"error key", func(l *slog.Logger) { l.Error("m", "error", boom) },
			"code 500", map[string]any{}},
		{"error key beats err key", func(l *slog.Logger) { l.Error("m", "err", other, "error", boom) },
			"code 500", map[string]any{"err": "other"}},
		{"error key beats earlier field", func(l *slog.Logger) { l.Error("m", "cause", other, "err", boom) },
			"code 500", map[string]any{"cause": "other"}},
		{"any field", func(l *slog.Logger) { l.Error("m", "cause", boom, "k", "v") },
			"code 500", map[string]any{"k": "v"}},
		{"first of several fields", func(l *slog.Logger) { l.Error("m", "cause", boom, "reason", other) },
			"code 500", map[string]any{"reason": "other"}},
		{"LogAttrs", func(l *slog.Logger) { l.LogAttrs(context.TODO(), slog.LevelError, "m", slog.Any("failure", boom)) },
			"code 500", map[string]any{}},
		{"WithAttrs", func(l *slog.Logger) { l.With("err", boom).Error("m") },
			"code 500", map[string]any{}},
		{"inside WithGroup", func(l *slog.Logger) { l.WithGroup("req").Error("m", "err", boom, "id", 7) },
			"code 500", map[string]any{"req": map[string]any{"id": int64(7)}}},
		{"inside WithGroup WithAttrs", func(l *slog.Logger) { l.WithGroup("req").With("cause", boom).Error("m") },
			"code 500", map[string]any{}},
		{"inside a group", func(l *slog.Logger) { l.Error("m", slog.Group("g", slog.Any("cause", boom), slog.Int("n", 2))) },
			"code 500", map[string]any{"g": map[string]any{"n": int64(2)}}},
		{"top level beats group", func(l *slog.Logger) { l.Error("m", slog.Group("g", slog.Any("cause", other)), "e", boom) },
			"code 500", map[string]any{"g": map[string]any{"cause": "other"}}},
		{"string under err key", func(l *slog.Logger) { l.Error("m", "err", "not an error") },
			"", map[string]any{"err": "not an error"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
			logger := slog.New(slogsentry.NewHandler(logsentry.WithHub(hub)))
			tt.log(logger)
			hub.CaptureMessage("probe")
			sentrytest.Flush(t, hub)
			evs := rcv.WaitEvents(t, 2, waitFor)
			ev := sentrytest.EventByMessage(t, evs, "m")
			if tt.wantValue == "" {
				if len(ev.Exception) != 0 {
					t.Errorf("exception = %+v, want none", ev.Exception)
				}
			} else if n := len(ev.Exception); n == 0 || ev.Exception[n-1].Value != tt.wantValue {
				t.Errorf("exception = %+v, want value %q", ev.Exception, tt.wantValue)
			}
			if got := sentrytest.Attrs(ev); !reflect.DeepEqual(got, tt.wantAttrs) {
				t.Errorf("attributes = %v, want %v", got, tt.wantAttrs)
			}
			data := crumbData(t, sentrytest.EventByMessage(t, evs, "probe"), "m")
			if tt.wantValue != "" && data["error"] != tt.wantValue {
				t.Errorf("breadcrumb data = %v, want error %q", data, tt.wantValue)
			}
		})
	}
}

func TestEmptyMessageTakesErrorText(t *testing.T) {
	t.Parallel()
	ev := logOne(t, sentry.ClientOptions{}, nil, func(l *slog.Logger) {
		l.Error("", "err", fmt.Errorf("open db: %w", &codeError{3}))
	})
	if ev.Message != "open db: code 3" {
		t.Errorf("message = %q", ev.Message)
	}
	if want := []string{"*slogsentry_test.codeError", "code <int>"}; !reflect.DeepEqual(ev.Fingerprint, want) {
		t.Errorf("fingerprint = %q, want %q", ev.Fingerprint, want)
	}
}

func TestTags(t *testing.T) {
	t.Parallel()
	ev := logOne(t, sentry.ClientOptions{}, []logsentry.Option{logsentry.WithTagKeys("request_id", "http.method")},
		func(l *slog.Logger) {
			l.With("request_id", "r-1").Error("tagged",
				slog.Group("http", slog.String("method", "GET"), slog.String("path", "/a")),
				"method", "top-level method",
				"user_id", 7,
				slog.Group("db", slog.String("request_id", "nested")),
			)
		})
	want := map[string]string{"request_id": "r-1", "http.method": "GET"}
	if !reflect.DeepEqual(ev.Tags, want) {
		t.Errorf("tags = %v, want %v", ev.Tags, want)
	}
	a := sentrytest.Attrs(ev)
	if a["request_id"] != "r-1" || a["method"] != "top-level method" {
		t.Errorf("tagged fields must stay in the attributes: %v", a)
	}
	if v, _ := sentrytest.Lookup(a, "http", "method"); v != "GET" {
		t.Errorf("attributes = %v", a)
	}

	t.Run("through WithGroup and numbers", func(t *testing.T) {
		t.Parallel()
		ev := logOne(t, sentry.ClientOptions{}, []logsentry.Option{logsentry.WithTagKeys("request_id", "http.method", "http.status")},
			func(l *slog.Logger) {
				l.WithGroup("http").With("method", "POST").Error("tagged", "status", 503, "request_id", "in group")
			})
		want := map[string]string{"http.method": "POST", "http.status": "503"}
		if !reflect.DeepEqual(ev.Tags, want) {
			t.Errorf("tags = %v, want %v", ev.Tags, want)
		}
	})
	t.Run("none by default", func(t *testing.T) {
		t.Parallel()
		ev := logOne(t, sentry.ClientOptions{}, nil, func(l *slog.Logger) {
			l.Error("untagged", "request_id", "r-1", "level", "x")
		})
		if len(ev.Tags) != 0 {
			t.Errorf("tags = %v, want none", ev.Tags)
		}
	})
}

func TestFingerprint(t *testing.T) {
	custom := logsentry.WithFingerprint(func(r logsentry.Record) []string {
		if r.Message == "no custom" {
			return nil
		}
		return []string{"custom", r.Message}
	})
	tests := []struct {
		name string
		opts []logsentry.Option
		log  func(*slog.Logger)
		want []string
	}{
		{"message", nil, func(l *slog.Logger) { l.Error("just a message", "id", 1) },
			[]string{"just a message"}},
		{"message and innermost error type", nil, func(l *slog.Logger) {
			l.Error("wrapped", "err", fmt.Errorf("a: %w", fmt.Errorf("b: %w", &codeError{9})))
		}, []string{"wrapped", "*slogsentry_test.codeError", "code <int>"}},
		{"stable across values", nil, func(l *slog.Logger) {
			l.Error("user 42 failed", "err", &codeError{42})
		}, []string{"user <int> failed", "*slogsentry_test.codeError", "code <int>"}},
		{"record field list", nil, func(l *slog.Logger) {
			l.Error("m", "fingerprint", []string{"a", "b"}, "err", &codeError{1})
		}, []string{"a", "b"}},
		{"record field string", nil, func(l *slog.Logger) {
			l.With("fingerprint", "from-with").Error("m")
		}, []string{"from-with"}},
		{"WithFingerprint", []logsentry.Option{custom}, func(l *slog.Logger) {
			l.Error("m", "err", &codeError{1})
		}, []string{"custom", "m"}},
		{"record field beats WithFingerprint", []logsentry.Option{custom}, func(l *slog.Logger) {
			l.Error("m", "fingerprint", []string{"mine"})
		}, []string{"mine"}},
		{"WithFingerprint nil keeps default", []logsentry.Option{custom}, func(l *slog.Logger) {
			l.Error("no custom")
		}, []string{"no custom"}},
		{"WithFingerprint panics", []logsentry.Option{logsentry.WithFingerprint(func(logsentry.Record) []string { panic("boom") })},
			func(l *slog.Logger) { l.Error("m") }, []string{"m"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ev := logOne(t, sentry.ClientOptions{}, tt.opts, tt.log)
			if !reflect.DeepEqual(ev.Fingerprint, tt.want) {
				t.Errorf("fingerprint = %q, want %q", ev.Fingerprint, tt.want)
			}
			if _, ok := sentrytest.Attrs(ev)["fingerprint"]; ok {
				t.Errorf("fingerprint field left in the attributes: %v", sentrytest.Attrs(ev))
			}
		})
	}
}

func TestLoggerName(t *testing.T) {
	tests := []struct {
		name      string
		opts      []logsentry.Option
		log       func(*slog.Logger)
		want      string
		wantAttrs map[string]any
	}{
		{"default", nil, func(l *slog.Logger) { l.Error("m") }, "slog", map[string]any{}},
		{"logger field", nil, func(l *slog.Logger) { l.Error("m", "logger", "billing") }, "billing", map[string]any{}},
		{"logger via With", nil, func(l *slog.Logger) { l.With("logger", "payments").Error("m") }, "payments", map[string]any{}},
		{"WithLoggerName", []logsentry.Option{logsentry.WithLoggerName("app")}, func(l *slog.Logger) { l.Error("m") }, "app", map[string]any{}},
		{"field beats WithLoggerName", []logsentry.Option{logsentry.WithLoggerName("app")},
			func(l *slog.Logger) { l.Error("m", "logger", "billing") }, "billing", map[string]any{}},
		{"not a string", nil, func(l *slog.Logger) { l.Error("m", "logger", 3) }, "slog", map[string]any{"logger": int64(3)}},
		{"inside a group", nil, func(l *slog.Logger) { l.WithGroup("g").Error("m", "logger", "x") }, "slog",
			map[string]any{"g": map[string]any{"logger": "x"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
			logger := slog.New(slogsentry.NewHandler(append([]logsentry.Option{logsentry.WithHub(hub)}, tt.opts...)...))
			tt.log(logger)
			hub.CaptureMessage("probe")
			sentrytest.Flush(t, hub)
			evs := rcv.WaitEvents(t, 2, waitFor)
			ev := sentrytest.EventByMessage(t, evs, "m")
			if ev.Logger != tt.want {
				t.Errorf("logger = %q, want %q", ev.Logger, tt.want)
			}
			if got := sentrytest.Attrs(ev); !reflect.DeepEqual(got, tt.wantAttrs) {
				t.Errorf("attributes = %v, want %v", got, tt.wantAttrs)
			}
			probe := sentrytest.EventByMessage(t, evs, "probe")
			if len(probe.Breadcrumbs) != 1 || probe.Breadcrumbs[0].Category != tt.want {
				t.Errorf("breadcrumbs = %+v, want category %q", probe.Breadcrumbs, tt.want)
			}
		})
	}
}

func TestUser(t *testing.T) {
	user := slog.Group("user",
		slog.String("id", "u-1"),
		slog.String("email", "ada@example.com"),
		slog.String("username", "ada"),
		slog.String("ip_address", "10.0.0.1"),
		slog.String("name", "Ada L."),
		slog.String("plan", "pro"),
	)
	all := sentrytest.User{ID: "u-1", Email: "ada@example.com", Username: "ada", IPAddress: "10.0.0.1",
		Name: "Ada L.", Data: map[string]string{"plan": "pro"}}
	gated := sentrytest.User{ID: "u-1", Name: "Ada L.", Data: map[string]string{"plan": "pro"}}
	tests := []struct {
		name string
		opts sentry.ClientOptions
		want sentrytest.User
	}{
		{"default", sentry.ClientOptions{}, gated},
		//lint:ignore SA1019 SendDefaultPII is deprecated but still honoured, and widely used.
		{"SendDefaultPII", sentry.ClientOptions{SendDefaultPII: true}, all},
		{"DataCollection UserInfo off", sentry.ClientOptions{DataCollection: &sentry.DataCollection{UserInfo: sentry.Set(false)}}, gated},
		{"DataCollection UserInfo on", sentry.ClientOptions{DataCollection: &sentry.DataCollection{UserInfo: sentry.Set(true)}}, all},
		{"DataCollection default", sentry.ClientOptions{DataCollection: &sentry.DataCollection{}}, all},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rcv, hub := sentrytest.NewReceiverHub(t, tt.opts)
			slog.New(slogsentry.NewHandler(logsentry.WithHub(hub))).Error("with user", user, "k", 1)
			sentrytest.Flush(t, hub)
			ev := rcv.WaitEvents(t, 1, waitFor)[0]
			if !reflect.DeepEqual(ev.User, tt.want) {
				t.Errorf("user = %+v, want %+v", ev.User, tt.want)
			}
			if got, want := sentrytest.Attrs(ev), map[string]any{"k": int64(1)}; !reflect.DeepEqual(got, want) {
				t.Errorf("attributes = %v, want %v", got, want)
			}
			if tt.want.Email == "" {
				for _, s := range []string{"ada@example.com", "10.0.0.1", `"ada"`} {
					if strings.Contains(string(ev.Raw), s) {
						t.Errorf("PII %s sent: %s", s, ev.Raw)
					}
				}
			}
		})
	}
}

// TestTrace checks that an event and a log made inside a span are linked
// to it.
func TestTrace(t *testing.T) {
	tests := []struct {
		name string
		opts sentry.ClientOptions
	}{
		{"tracing enabled", sentry.ClientOptions{EnableTracing: true, TracesSampleRate: 1}},
		{"tracing disabled", sentry.ClientOptions{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rcv, hub := sentrytest.NewReceiverHub(t, tt.opts)
			logger := slog.New(slogsentry.NewHandler(logsentry.WithHub(hub), slogsentry.WithLogLevel(slog.LevelInfo)))
			root := sentry.StartSpan(sentrytest.HubContext(hub), "op")
			child := sentry.StartSpan(root.Context(), "child")
			// A later sibling becomes the scope's span: the record must
			// still link to the span of its own context.
			sibling := sentry.StartSpan(root.Context(), "sibling")
			logger.ErrorContext(child.Context(), "in span")
			sibling.Finish()
			child.Finish()
			root.Finish()
			sentrytest.Flush(t, hub)
			ev := sentrytest.EventByMessage(t, rcv.WaitEvents(t, 1, waitFor), "in span")
			tc := ev.Contexts["trace"]
			if tc["trace_id"] != root.TraceID.String() || tc["span_id"] != child.SpanID.String() {
				t.Errorf("event trace context = %v, want trace %s span %s", tc, root.TraceID, child.SpanID)
			}
			lg := sentrytest.LogByBody(t, rcv.WaitLogs(t, 1, waitFor), "in span")
			if lg.TraceID != root.TraceID.String() || lg.SpanID != child.SpanID.String() {
				t.Errorf("log trace %q span %q, want %s %s", lg.TraceID, lg.SpanID, root.TraceID, child.SpanID)
			}
		})
	}
}
