package main

import (
	"context"
	"encoding/json"
	"io"
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/logsentry/logsentry/internal/sentrytest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m, sentrytest.LeakOptions...) }

// transaction is the part of a "transaction" item the tests look at.
type transaction struct {
	Name     string                    `json:"transaction"`
	Contexts map[string]map[string]any `json:"contexts"`
	Spans    []struct {
		Op          string `json:"op"`
		Description string `json:"description"`
		TraceID     string `json:"trace_id"`
	} `json:"spans"`
}

// transactions decodes the transactions the receiver got.
func transactions(t *testing.T, rcv *sentrytest.Receiver) []transaction {
	t.Helper()
	var out []transaction
	for _, env := range rcv.Envelopes() {
		for _, it := range env.Items {
			if it.Type != "transaction" {
				continue
			}
			var tx transaction
			if err := json.Unmarshal(it.Payload, &tx); err != nil {
				t.Fatalf("transaction item: %v", err)
			}
			out = append(out, tx)
		}
	}
	return out
}

// unapproved returns the ids of the rows of changeLog(n) that lack approval.
func unapproved(n int) []string {
	var ids []string
	for _, c := range changeLog(n) {
		if c.ApprovedBy == "" {
			ids = append(ids, c.ID)
		}
	}
	return ids
}

func TestRun(t *testing.T) {
	tests := []struct {
		name       string
		violations int
		wantLevel  string // "" for no event
		wantStatus string
	}{
		{"clean books send no event", 0, "", "ok"},
		{"one violation is a warning", 1, "warning", "ok"},
		{"three violations are a warning", 3, "warning", "ok"},
		{"four violations are a warning", 4, "warning", "ok"},
		{"five violations are an error", 5, "error", "failed_precondition"},
		{"six violations are an error", 6, "error", "failed_precondition"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rcv := sentrytest.NewReceiver(t)
			var out strings.Builder
			if err := run(context.Background(), &out, clientOptions(rcv.DSN()), tt.violations); err != nil {
				t.Fatalf("run: %v", err)
			}

			// run flushed before returning: everything has arrived.
			txs := transactions(t, rcv)
			if len(txs) != 1 {
				t.Fatalf("got %d transactions, want 1", len(txs))
			}
			tx := txs[0]
			trace := tx.Contexts["trace"]
			if tx.Name != "audit billing-changes" || trace["op"] != "audit.run" || trace["status"] != tt.wantStatus {
				t.Errorf("transaction %q op %v status %v, want %q audit.run %s",
					tx.Name, trace["op"], trace["status"], "audit billing-changes", tt.wantStatus)
			}
			if len(tx.Spans) != 1 || tx.Spans[0].Op != "db.query" || tx.Spans[0].TraceID != trace["trace_id"] {
				t.Errorf("spans = %+v, want one db.query span of trace %v", tx.Spans, trace["trace_id"])
			}

			events := rcv.Events()
			if tt.wantLevel == "" {
				if len(events) != 0 {
					t.Fatalf("got %d events, want none: %+v", len(events), events)
				}
				return
			}
			if len(events) != 1 {
				t.Fatalf("got %d events, want 1 summary event", len(events))
			}
			ev := events[0]
			if ev.Level != tt.wantLevel || ev.Message != "audit found unauthorized changes" {
				t.Errorf("event [%s] %q, want [%s] summary", ev.Level, ev.Message, tt.wantLevel)
			}
			if !slices.Equal(ev.Fingerprint, []string{"audit", auditName}) {
				t.Errorf("fingerprint = %q", ev.Fingerprint)
			}
			if ev.Tags["audit"] != auditName || !strings.HasPrefix(ev.Tags["run_id"], "run-") {
				t.Errorf("tags = %v, want audit and run_id", ev.Tags)
			}
			if got := ev.Contexts["attributes"]["violations"]; got != json.Number(strconv.Itoa(tt.violations)) {
				t.Errorf("attributes.violations = %v, want %d", got, tt.violations)
			}

			// The event belongs to the run's transaction.
			evTrace := ev.Contexts["trace"]
			if evTrace["trace_id"] == nil || evTrace["trace_id"] != trace["trace_id"] || evTrace["span_id"] != trace["span_id"] {
				t.Errorf("event trace %v, want the transaction's trace_id %v and span_id %v",
					evTrace, trace["trace_id"], trace["span_id"])
			}

			// The trail: one warning breadcrumb per violation, in order, with
			// its row, the card number redacted.
			var ids []string
			for _, b := range ev.Breadcrumbs {
				if b.Level != "warning" || b.Message != "unauthorized change" || b.Category != "slog" {
					t.Errorf("breadcrumb [%s] %s: %q", b.Level, b.Category, b.Message)
				}
				if b.Data["change.card_number"] != "[Filtered]" {
					t.Errorf("breadcrumb %v: card_number = %v, want [Filtered]", b.Data["change.id"], b.Data["change.card_number"])
				}
				if b.Data["change.account"] == nil || b.Data["change.by"] == nil || b.Data["change.to"] == nil {
					t.Errorf("breadcrumb data %v lacks the row", b.Data)
				}
				id, _ := b.Data["change.id"].(string)
				ids = append(ids, id)
			}
			if want := unapproved(tt.violations); !slices.Equal(ids, want) {
				t.Errorf("breadcrumbs for changes %q, want %q", ids, want)
			}

			// No card number leaves the process, in any item; the console
			// keeps them.
			for _, env := range rcv.Envelopes() {
				for _, it := range env.Items {
					for _, c := range changeLog(0) {
						if strings.Contains(string(it.Payload), c.CardNumber) {
							t.Errorf("%s item contains card number %q", it.Type, c.CardNumber)
						}
					}
				}
			}
			if !strings.Contains(out.String(), "change.card_number=") {
				t.Errorf("console output lacks the rows:\n%s", out.String())
			}
		})
	}
}

func TestRunRejectsBadCounts(t *testing.T) {
	for _, n := range []int{-1, 11} {
		if err := run(context.Background(), io.Discard, clientOptions(""), n); err == nil {
			t.Errorf("run(-violations %d) = nil, want an error", n)
		}
	}
}
