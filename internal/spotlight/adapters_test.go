package spotlight_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/rs/zerolog"
	"github.com/sirupsen/logrus"
	"go.uber.org/zap"

	"github.com/logsentry/logsentry"
	"github.com/logsentry/logsentry/internal/spotlight"
	"github.com/logsentry/logsentry/logrussentry"
	"github.com/logsentry/logsentry/slogsentry"
	"github.com/logsentry/logsentry/zapsentry"
	"github.com/logsentry/logsentry/zerologsentry"
)

// TestAdaptersEndToEnd logs a breadcrumb, an error event and a Sentry log
// through each adapter into Spotlight, Sentry's own local receiver, and
// reads back what arrived: the exception chain, the breadcrumb of the same
// trail, the typed fields, and the typed log attribute.
func TestAdaptersEndToEnd(t *testing.T) {
	dsn := spotlight.DSNFromEnv()
	if dsn == "" {
		t.Skip(spotlight.EnvDSN + " is not set: no Spotlight to send to (.ci/run always sets it).")
	}
	type logFunc func(ctx context.Context, runID string, err error)
	adapters := map[string]func(opts ...logsentry.Option) logFunc{
		"slog": func(opts ...logsentry.Option) logFunc {
			l := slog.New(slogsentry.NewHandler(append(opts, slogsentry.WithLogLevel(slog.LevelInfo))...))
			return func(ctx context.Context, runID string, err error) {
				l.InfoContext(ctx, "cart loaded", "run_id", runID, "items", 3)
				l.ErrorContext(ctx, "checkout failed", "run_id", runID, "err", err)
			}
		},
		"zap": func(opts ...logsentry.Option) logFunc {
			l := zap.New(zapsentry.NewCore(append(opts, zapsentry.WithLogLevel(zap.InfoLevel))...))
			return func(ctx context.Context, runID string, err error) {
				l.Info("cart loaded", zapsentry.Context(ctx), zap.String("run_id", runID), zap.Int("items", 3))
				l.Error("checkout failed", zapsentry.Context(ctx), zap.String("run_id", runID), zap.Error(err))
			}
		},
		"logrus": func(opts ...logsentry.Option) logFunc {
			l := logrus.New()
			l.SetOutput(io.Discard)
			l.AddHook(logrussentry.NewHook(append(opts, logrussentry.WithLogLevel(logrus.InfoLevel))...))
			return func(ctx context.Context, runID string, err error) {
				l.WithContext(ctx).WithFields(logrus.Fields{"run_id": runID, "items": 3}).Info("cart loaded")
				l.WithContext(ctx).WithField("run_id", runID).WithError(err).Error("checkout failed")
			}
		},
		"zerolog": func(opts ...logsentry.Option) logFunc {
			w := zerologsentry.NewWriter(append(opts, zerologsentry.WithLogLevel(zerolog.InfoLevel))...)
			l := zerolog.New(w).Hook(w)
			return func(ctx context.Context, runID string, err error) {
				l.Info().Ctx(ctx).Str("run_id", runID).Int("items", 3).Msg("cart loaded")
				l.Error().Ctx(ctx).Str("run_id", runID).Err(err).Msg("checkout failed")
			}
		},
	}
	prev := zerolog.ErrorMarshalFunc
	zerolog.ErrorMarshalFunc = zerologsentry.ErrorMarshalFunc
	t.Cleanup(func() { zerolog.ErrorMarshalFunc = prev })

	for name, newLog := range adapters {
		t.Run(name, func(t *testing.T) {
			transport := &http.Transport{}
			defer transport.CloseIdleConnections()
			client, err := sentry.NewClient(sentry.ClientOptions{
				Dsn:        dsn,
				HTTPClient: &http.Client{Transport: transport, Timeout: 10 * time.Second},
			})
			if err != nil {
				t.Fatal(err)
			}
			defer client.Close()
			hub := sentry.NewHub(client, sentry.NewScope())
			ctx := sentry.SetHubOnContext(context.Background(), hub)

			runID := name + "-" + newRunID(t)
			logf := newLog(logsentry.WithTagKeys("run_id"))
			logf(ctx, runID, fmt.Errorf("charge: %w", quotaError{limit: 5}))
			if !hub.Flush(10 * time.Second) {
				t.Fatal("flush timed out")
			}

			payload := spotlight.WaitForItem(t, dsn, "event", 15*time.Second, func(p json.RawMessage) bool {
				var ev struct {
					Tags map[string]string `json:"tags"`
				}
				return json.Unmarshal(p, &ev) == nil && ev.Tags["run_id"] == runID
			})
			var ev struct {
				Level     string `json:"level"`
				Message   string `json:"message"`
				Logger    string `json:"logger"`
				Exception struct {
					Values []struct{ Type, Value string } `json:"values"`
				} `json:"exception"`
				Breadcrumbs []struct { // sentry-go sends a bare list
					Message string         `json:"message"`
					Data    map[string]any `json:"data"`
				} `json:"breadcrumbs"`
				Contexts map[string]map[string]any `json:"contexts"`
			}
			if err := json.Unmarshal(payload, &ev); err != nil {
				t.Fatalf("decoding: %v\n%s", err, payload)
			}
			if ev.Level != "error" || ev.Message != "checkout failed" || ev.Logger != name {
				t.Errorf("level %q message %q logger %q", ev.Level, ev.Message, ev.Logger)
			}
			vals := ev.Exception.Values
			if len(vals) != 2 || vals[0].Type != "spotlight_test.quotaError" || vals[1].Type != "*fmt.wrapError" {
				t.Errorf("exception.values = %+v", vals)
			}
			crumbs := ev.Breadcrumbs
			if len(crumbs) != 1 || crumbs[0].Message != "cart loaded" || fmt.Sprint(crumbs[0].Data["items"]) != "3" {
				t.Errorf("breadcrumbs = %+v", crumbs)
			}
			if got := ev.Contexts["attributes"]["run_id"]; got != runID {
				t.Errorf("contexts.attributes.run_id = %v", got)
			}

			logPayload := spotlight.WaitForItem(t, dsn, "log", 15*time.Second, func(p json.RawMessage) bool {
				var batch struct {
					Items []struct {
						Body       string `json:"body"`
						Attributes map[string]struct {
							Value any `json:"value"`
						} `json:"attributes"`
					} `json:"items"`
				}
				if json.Unmarshal(p, &batch) != nil {
					return false
				}
				for _, it := range batch.Items {
					if it.Body == "cart loaded" && it.Attributes["run_id"].Value == runID {
						return true
					}
				}
				return false
			})
			if !json.Valid(logPayload) {
				t.Error("log payload is not JSON")
			}
		})
	}
}
