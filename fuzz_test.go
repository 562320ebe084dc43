package logsentry_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"

	"github.com/logsentry/logsentry"
	"github.com/logsentry/logsentry/internal/fuzzkit"
)

// fuzzSecret is a value the fuzzed records hold under sensitive keys only,
// at every depth: it must never reach Sentry.
const fuzzSecret = "fz-5ecret-7Qw9"

// fuzzAttrs builds the fields of one fuzzed record: every slog kind, values
// that JSON cannot carry as they are, and groups nested depth deep.
func fuzzAttrs(key, s string, depth byte, fbits, u uint64, i int64, raw []byte) []slog.Attr {
	f := math.Float64frombits(fbits)
	f32 := math.Float32frombits(uint32(fbits >> 7))
	leaf := []slog.Attr{
		slog.String(key, s),
		slog.Float64("f", f),
		slog.Uint64("u", u),
		slog.Int64("i", i),
		slog.Bool("b", fbits&1 == 1),
		slog.Duration("d", time.Duration(i)),
		slog.Time("t", time.Unix(0, i)),
		slog.Any("bytes", raw),
		slog.Any("any", map[string]any{key: s, "f": f, "f32": f32, "list": []any{f, u, i, s, raw, nil}}),
		slog.Any("struct", struct {
			F   float64            `json:"f"`
			S   string             `json:"s,omitempty"`
			M   map[string]float32 `json:"m"`
			Err error
		}{f, s, map[string]float32{key: f32}, errors.New(s)}),
		slog.Any("intkeys", map[uint64]float64{u: f}),
		slog.Any("number", json.Number(s)),
		slog.Any("raw", json.RawMessage(raw)),
		slog.String("password", fuzzSecret),
		slog.Any("cfg", map[string]any{"api_key": fuzzSecret, key: s}),
		slog.Group("credentials", slog.String(key, fuzzSecret)),
	}
	attrs := leaf
	for d := range int(depth % 20) {
		inner := slog.Attr{Key: key, Value: slog.GroupValue(attrs...)} // key may be "": an inline group
		attrs = []slog.Attr{slog.Group(key+strconv.Itoa(d), inner, slog.Any(key, []any{s, f, d}))}
	}
	out := append([]slog.Attr{}, leaf...)
	out = append(out, attrs...)
	out = append(out,
		slog.Group("user", slog.String("id", s), slog.String("email", key), slog.Float64(key, f)),
		slog.String("logger", key),
		slog.Any("err", fmt.Errorf("%s: %w", key, errors.Join(errors.New(s), nil))),
	)
	if depth&1 == 1 {
		out = append(out, slog.String("fingerprint", s))
	} else {
		out = append(out, slog.Any("fingerprint", []string{key, s}))
	}
	return out
}

// FuzzEmit sends records built from fuzzed keys, strings (any bytes, so
// invalid UTF-8 too), float bit patterns (NaN, ±Inf, subnormals), integers
// and nesting depths through Emit to every output, and checks that each
// produces exactly one event that encodes as valid JSON: the SDK silently
// drops an event whose encoding fails.
func FuzzEmit(f *testing.F) {
	tr := &fuzzkit.Transport{}
	client, err := sentry.NewClient(sentry.ClientOptions{
		Dsn:            "http://k@127.0.0.1:1/1", // never dialled
		Transport:      tr,
		MaxBreadcrumbs: 5,
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(client.Close)
	hub := sentry.NewHub(client, sentry.NewScope())
	ctx := sentry.SetHubOnContext(context.Background(), hub)

	f.Add("key", "value", byte(3), math.Float64bits(1.5), uint64(math.MaxUint64), int64(-1), []byte(`{"a":1}`))
	f.Add("", "", byte(0), math.Float64bits(math.NaN()), uint64(0), int64(0), []byte(nil))
	f.Add("k\xff", "\xc3(", byte(19), math.Float64bits(math.Inf(-1)), uint64(1)<<63, int64(math.MinInt64), []byte("\xff\xfe"))

	f.Fuzz(func(t *testing.T, key, s string, depth byte, fbits, u uint64, i int64, raw []byte) {
		emitFuzzed(t, ctx, tr, key, s, depth, fbits, u, i, raw)
	})
}

// emitFuzzed is one run of FuzzEmit.
func emitFuzzed(t *testing.T, ctx context.Context, tr *fuzzkit.Transport, key, s string, depth byte, fbits, u uint64, i int64, raw []byte) {
	t.Helper()
	var handled []error
	b := logsentry.New(
		logsentry.WithEventSeverity(logsentry.SeverityTrace),
		logsentry.WithBreadcrumbSeverity(logsentry.SeverityTrace),
		logsentry.WithLogSeverity(logsentry.SeverityTrace),
		logsentry.WithEventRate(0, 0),
		logsentry.WithFlushTimeout(0),
		logsentry.WithTagKeys(key, key+"0."+key, "f", "any"),
		logsentry.WithLoggerName(key),
		logsentry.WithErrorHandler(func(err error) { handled = append(handled, err) }),
	)
	before, _ := tr.Counts()
	b.Emit(ctx, logsentry.Record{
		Time:     time.Unix(0, i),
		Severity: logsentry.Severity(1 + int(depth)%30),
		Level:    key,
		Message:  s,
		Logger:   key,
		Err:      fmt.Errorf("%s: %w", s, errors.New(key)),
		Attrs:    fuzzAttrs(key, s, depth, fbits, u, i, raw),
	})
	after, _ := tr.Counts()
	failures, last := tr.Take()
	if len(failures) > 0 {
		t.Fatalf("events that do not encode: %q", failures)
	}
	if after != before+1 {
		t.Fatalf("Emit produced %d events, want 1", after-before)
	}
	if len(handled) > 0 {
		t.Errorf("error handler told %v", handled)
	}
	var ev struct {
		Contexts map[string]map[string]any `json:"contexts"`
	}
	if err := json.Unmarshal(last, &ev); err != nil || len(ev.Contexts["attributes"]) == 0 {
		t.Errorf("event without attributes (%v): %.300s", err, last)
	}
	// The event, and the breadcrumbs of earlier runs it carries.
	if strings.Contains(string(last), fuzzSecret) && !fuzzedHolds(fuzzSecret, key, s, string(raw)) {
		t.Errorf("a value under a sensitive key reached Sentry: %.3000s", last)
	}
}

// fuzzedHolds reports whether one of the fuzzed inputs holds secret.
func fuzzedHolds(secret string, inputs ...string) bool {
	for _, in := range inputs {
		if strings.Contains(in, secret) {
			return true
		}
	}
	return false
}
