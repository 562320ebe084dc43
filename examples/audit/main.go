// Command audit runs a billing audit as one Sentry transaction. Each
// unauthorized change it finds is logged as a warning, which becomes a
// breadcrumb carrying the change's row; the run then logs one summary, which
// becomes one event carrying that trail of violations: a warning for one to
// four of them, an error for five or more. The event links to the run's
// trace, and the card number in each row reaches Sentry as [Filtered].
//
//	go run ./examples/audit                # 3 violations: a warning event
//	go run ./examples/audit -violations 6  # 6 violations: an error event
//	SENTRY_DSN=... go run ./examples/audit # sends it (e.g. to Spotlight)
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/getsentry/sentry-go"

	"github.com/logsentry/logsentry"
	"github.com/logsentry/logsentry/breadcrumbs"
	"github.com/logsentry/logsentry/internal/preview"
	"github.com/logsentry/logsentry/internal/slogtee"
	"github.com/logsentry/logsentry/slogsentry"
)

const (
	auditName = "billing-changes"

	// errorThreshold is the number of violations from which the audit's
	// event is an error rather than a warning.
	errorThreshold = 5

	// levelFinding is the summary's level when the audit found a few
	// violations. It is a custom slog level one step above Warn: as the
	// event threshold it makes the summary an event while the per-change
	// warnings below it stay breadcrumbs. Sentry still shows it as a
	// warning (slog levels Warn to Warn+3 all map to "warning").
	levelFinding = slog.LevelWarn + 2
)

func main() {
	violations := flag.Int("violations", 3, "unauthorized changes in the change log, 0 to 10 (1-4: warning event, 5+: error event)")
	flag.Parse()
	if *violations < 0 || *violations > 10 {
		fmt.Fprintf(os.Stderr, "audit: -violations %d: want 0 to 10\n", *violations)
		os.Exit(2)
	}

	opts := clientOptions(os.Getenv("SENTRY_DSN"))
	if opts.Dsn == "" {
		fmt.Println("SENTRY_DSN is unset: printing what would be sent to Sentry (── lines).")
		opts.Transport = &preview.Transport{W: os.Stdout}
	}
	if err := run(context.Background(), os.Stdout, opts, *violations); err != nil {
		fmt.Fprintln(os.Stderr, "audit:", err)
		os.Exit(1)
	}
}

// clientOptions turns tracing on and keeps every trace: the audit run is a
// transaction, and its event links to it.
func clientOptions(dsn string) sentry.ClientOptions {
	return sentry.ClientOptions{Dsn: dsn, Release: "audit@1.0.0", EnableTracing: true, TracesSampleRate: 1.0}
}

// run is the program without its flags: it audits a change log with the given
// number of violations, logging to out and reporting to the Sentry client made
// from opts, and flushes and closes that client before it returns.
func run(ctx context.Context, out io.Writer, opts sentry.ClientOptions, violations int) error {
	if violations < 0 || violations > 10 {
		return fmt.Errorf("-violations %d: want 0 to 10", violations)
	}
	if err := sentry.Init(opts); err != nil {
		return err
	}
	defer func() {
		// Close only after a flush that went through: with Sentry hanging,
		// sentry-go v0.50's Close can wait for its HTTP timeout (30 s).
		if sentry.Flush(2 * time.Second) {
			sentry.CurrentHub().Client().Close()
		}
	}()

	log := slog.New(slogtee.New(
		slog.NewTextHandler(out, nil), // the console keeps the rows as they are
		slogsentry.NewHandler(
			// Only violations go on the trail: approved changes would bury them.
			slogsentry.WithBreadcrumbLevel(slog.LevelWarn),
			slogsentry.WithEventLevel(levelFinding),
			// Searchable in Sentry: every run of this audit, or one run.
			logsentry.WithTagKeys("audit", "run_id"),
		),
	)).With("audit", auditName, "run_id", time.Now().UTC().Format("run-20060102T150405"))

	// The run gets a trail of its own, so its breadcrumbs never mix with
	// those of other work in the process, and the transaction is started on
	// it: records logged with tx.Context() carry the trace.
	ctx = breadcrumbs.WithTrail(ctx)
	tx := sentry.StartTransaction(ctx, "audit "+auditName, sentry.WithOpName("audit.run"))
	defer tx.Finish() // runs before the flush above: the transaction is sent
	ctx = tx.Context()

	load := tx.StartChild("db.query", sentry.WithDescription("SELECT * FROM billing_changes"))
	rows := changeLog(violations)
	load.Finish()
	log.InfoContext(ctx, "audit started", "changes", len(rows))

	found := 0
	for _, c := range rows {
		if c.ApprovedBy != "" {
			continue
		}
		found++
		// A breadcrumb with the whole row: in Sentry the event shows each
		// violation's data, with card_number replaced by [Filtered].
		log.WarnContext(ctx, "unauthorized change", "change", c)
	}

	// One summary per run. The fingerprint names the audit, so every run of
	// it groups into one issue whatever its message, count or level.
	summary := []any{"violations", found, "checked", len(rows), "fingerprint", []string{"audit", auditName}}
	tx.Status = sentry.SpanStatusOK // the run worked; with 5+ violations it "failed"
	switch {
	case found == 0:
		log.InfoContext(ctx, "audit passed", "checked", len(rows))
	case found < errorThreshold:
		log.Log(ctx, levelFinding, "audit found unauthorized changes", summary...)
	default:
		tx.Status = sentry.SpanStatusFailedPrecondition
		log.ErrorContext(ctx, "audit found unauthorized changes", summary...)
	}
	return nil
}

// change is one row of the billing change log.
type change struct {
	ID, Account, Field, From, To, By, ApprovedBy string
	CardNumber                                   string // the card billed for the change
}

// LogValue logs the row as a group: change.id=chg-101 change.account=acme ...
func (c change) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("id", c.ID), slog.String("account", c.Account), slog.String("field", c.Field),
		slog.String("from", c.From), slog.String("to", c.To), slog.String("by", c.By),
		slog.String("card_number", c.CardNumber),
	)
}

// changeLog returns the change log under audit: ten approved changes, of
// which the given number lose their approval, spread through the log.
func changeLog(violations int) []change {
	rows := []change{
		{"chg-101", "acme", "plan", "pro", "enterprise", "m.lee", "r.ode", "4242 4242 4242 4242"},
		{"chg-102", "globex", "discount", "0%", "40%", "j.doe", "r.ode", "4000 0566 5566 5556"},
		{"chg-103", "initech", "seats", "25", "250", "j.doe", "a.kim", "5555 5555 5555 4444"},
		{"chg-104", "umbrella", "invoice_due", "net-30", "net-90", "s.roy", "a.kim", "3782 822463 10005"},
		{"chg-105", "acme", "credit", "0.00", "1500.00", "m.lee", "r.ode", "4242 4242 4242 4242"},
		{"chg-106", "hooli", "plan", "team", "free", "t.wu", "a.kim", "6011 1111 1111 1117"},
		{"chg-107", "globex", "tax_exempt", "false", "true", "j.doe", "r.ode", "4000 0566 5566 5556"},
		{"chg-108", "initech", "discount", "10%", "15%", "s.roy", "a.kim", "5555 5555 5555 4444"},
		{"chg-109", "vandelay", "currency", "USD", "EUR", "t.wu", "r.ode", "3056 9300 0902 0004"},
		{"chg-110", "hooli", "refund", "0.00", "980.00", "m.lee", "a.kim", "6011 1111 1111 1117"},
	}
	for i := range violations {
		rows[i*3%len(rows)].ApprovedBy = ""
	}
	return rows
}
