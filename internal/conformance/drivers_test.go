package conformance_test

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/rs/zerolog"
	"github.com/sirupsen/logrus"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/logsentry/logsentry"
	"github.com/logsentry/logsentry/logrussentry"
	"github.com/logsentry/logsentry/slogsentry"
	"github.com/logsentry/logsentry/zapsentry"
	"github.com/logsentry/logsentry/zerologsentry"
)

// level is a logger-neutral level; each driver maps it to its logger's.
type level int

const (
	levelDebug level = iota
	levelInfo
	levelWarn
	levelError
	levelOff // as a threshold: that output is off
)

// field is a logger-neutral field: val is a string, int, float64, bool,
// error, []string or group.
type field struct {
	key string
	val any
}

type group []field

func f(key string, val any) field { return field{key, val} }

// thresholds are the three outputs' levels; the zero value is not used:
// defaults() gives the library's defaults.
type thresholds struct{ event, breadcrumb, log level }

func defaults() thresholds { return thresholds{levelError, levelInfo, levelOff} }

// logger logs one record natively, with ctx reaching the adapter the way
// its logger carries contexts.
type logger interface {
	log(ctx context.Context, l level, msg string, fields ...field)
	named(name string) logger
}

// adapter builds a logger of one kind whose only output is the adapter
// under test, configured with th and opts.
type adapter struct {
	name string
	new  func(t *testing.T, th thresholds, opts ...logsentry.Option) logger
}

var adapters = []adapter{
	{"slog", newSlog},
	{"zap", newZap},
	{"logrus", newLogrus},
	{"zerolog", newZerolog},
}

// --- slog ---------------------------------------------------------------

type slogLogger struct{ l *slog.Logger }

func newSlog(t *testing.T, th thresholds, opts ...logsentry.Option) logger {
	lv := func(l level) slog.Level {
		return [...]slog.Level{slog.LevelDebug, slog.LevelInfo, slog.LevelWarn, slog.LevelError, slogsentry.LevelOff}[l]
	}
	opts = append([]logsentry.Option{
		slogsentry.WithEventLevel(lv(th.event)),
		slogsentry.WithBreadcrumbLevel(lv(th.breadcrumb)),
		slogsentry.WithLogLevel(lv(th.log)),
	}, opts...)
	return slogLogger{slog.New(slogsentry.NewHandler(opts...))}
}

func (s slogLogger) log(ctx context.Context, l level, msg string, fields ...field) {
	lv := [...]slog.Level{slog.LevelDebug, slog.LevelInfo, slog.LevelWarn, slog.LevelError}[l]
	s.l.LogAttrs(ctx, lv, msg, slogAttrs(fields)...)
}

func slogAttrs(fields []field) []slog.Attr {
	out := make([]slog.Attr, 0, len(fields))
	for _, fd := range fields {
		switch v := fd.val.(type) {
		case group:
			out = append(out, slog.Attr{Key: fd.key, Value: slog.GroupValue(slogAttrs(v)...)})
		default:
			out = append(out, slog.Any(fd.key, v))
		}
	}
	return out
}

func (s slogLogger) named(name string) logger { return slogLogger{s.l.With("logger", name)} }

// --- zap ----------------------------------------------------------------

type zapLogger struct{ l *zap.Logger }

func newZap(t *testing.T, th thresholds, opts ...logsentry.Option) logger {
	lv := func(l level) zapcore.Level {
		return [...]zapcore.Level{zapcore.DebugLevel, zapcore.InfoLevel, zapcore.WarnLevel, zapcore.ErrorLevel, zapsentry.LevelOff}[l]
	}
	opts = append([]logsentry.Option{
		zapsentry.WithEventLevel(lv(th.event)),
		zapsentry.WithBreadcrumbLevel(lv(th.breadcrumb)),
		zapsentry.WithLogLevel(lv(th.log)),
	}, opts...)
	return zapLogger{zap.New(zapsentry.NewCore(opts...), zap.AddCaller())}
}

func (z zapLogger) log(ctx context.Context, l level, msg string, fields ...field) {
	lv := [...]zapcore.Level{zapcore.DebugLevel, zapcore.InfoLevel, zapcore.WarnLevel, zapcore.ErrorLevel}[l]
	fs := append(zapFields(fields), zapsentry.Context(ctx))
	z.l.Log(lv, msg, fs...)
}

func zapFields(fields []field) []zap.Field {
	out := make([]zap.Field, 0, len(fields)+1)
	for _, fd := range fields {
		switch v := fd.val.(type) {
		case string:
			out = append(out, zap.String(fd.key, v))
		case int:
			out = append(out, zap.Int(fd.key, v))
		case float64:
			out = append(out, zap.Float64(fd.key, v))
		case bool:
			out = append(out, zap.Bool(fd.key, v))
		case error:
			out = append(out, zap.NamedError(fd.key, v))
		case []string:
			out = append(out, zap.Strings(fd.key, v))
		case group:
			out = append(out, zap.Dict(fd.key, zapFields(v)...))
		default:
			out = append(out, zap.Any(fd.key, v))
		}
	}
	return out
}

func (z zapLogger) named(name string) logger { return zapLogger{z.l.Named(name)} }

// --- logrus -------------------------------------------------------------

type logrusLogger struct {
	l      *logrus.Logger
	fields logrus.Fields
}

func newLogrus(t *testing.T, th thresholds, opts ...logsentry.Option) logger {
	lv := func(l level) logrus.Level {
		return [...]logrus.Level{logrus.DebugLevel, logrus.InfoLevel, logrus.WarnLevel, logrus.ErrorLevel, logrussentry.LevelOff}[l]
	}
	opts = append([]logsentry.Option{
		logrussentry.WithEventLevel(lv(th.event)),
		logrussentry.WithBreadcrumbLevel(lv(th.breadcrumb)),
		logrussentry.WithLogLevel(lv(th.log)),
	}, opts...)
	l := logrus.New()
	l.SetOutput(io.Discard)
	l.SetLevel(logrus.TraceLevel)
	l.AddHook(logrussentry.NewHook(opts...))
	return logrusLogger{l: l}
}

func (r logrusLogger) log(ctx context.Context, l level, msg string, fields ...field) {
	lv := [...]logrus.Level{logrus.DebugLevel, logrus.InfoLevel, logrus.WarnLevel, logrus.ErrorLevel}[l]
	all := logrus.Fields{}
	for k, v := range r.fields {
		all[k] = v
	}
	for k, v := range logrusFields(fields) {
		all[k] = v
	}
	r.l.WithContext(ctx).WithFields(all).Log(lv, msg)
}

func logrusFields(fields []field) logrus.Fields {
	out := logrus.Fields{}
	for _, fd := range fields {
		if g, ok := fd.val.(group); ok {
			out[fd.key] = map[string]any(logrusFields(g))
			continue
		}
		out[fd.key] = fd.val
	}
	return out
}

func (r logrusLogger) named(name string) logger {
	return logrusLogger{l: r.l, fields: logrus.Fields{"logger": name}}
}

// --- zerolog ------------------------------------------------------------

type zerologLogger struct{ l zerolog.Logger }

func newZerolog(t *testing.T, th thresholds, opts ...logsentry.Option) logger {
	lv := func(l level) zerolog.Level {
		return [...]zerolog.Level{zerolog.DebugLevel, zerolog.InfoLevel, zerolog.WarnLevel, zerolog.ErrorLevel, zerolog.Disabled}[l]
	}
	opts = append([]logsentry.Option{
		zerologsentry.WithEventLevel(lv(th.event)),
		zerologsentry.WithBreadcrumbLevel(lv(th.breadcrumb)),
		zerologsentry.WithLogLevel(lv(th.log)),
	}, opts...)
	w := zerologsentry.NewWriter(opts...)
	return zerologLogger{zerolog.New(w).Hook(w).With().Timestamp().Logger()}
}

func (z zerologLogger) log(ctx context.Context, l level, msg string, fields ...field) {
	lv := [...]zerolog.Level{zerolog.DebugLevel, zerolog.InfoLevel, zerolog.WarnLevel, zerolog.ErrorLevel}[l]
	e := z.l.WithLevel(lv).Ctx(ctx)
	zerologFields(e, fields)
	e.Msg(msg)
}

func zerologFields(e *zerolog.Event, fields []field) {
	for _, fd := range fields {
		switch v := fd.val.(type) {
		case string:
			e.Str(fd.key, v)
		case int:
			e.Int(fd.key, v)
		case float64:
			e.Float64(fd.key, v)
		case bool:
			e.Bool(fd.key, v)
		case error:
			e.AnErr(fd.key, v)
		case []string:
			e.Strs(fd.key, v)
		case group:
			d := zerolog.Dict()
			zerologFields(d, v)
			e.Dict(fd.key, d)
		default:
			e.Interface(fd.key, v)
		}
	}
}

func (z zerologLogger) named(name string) logger {
	return zerologLogger{z.l.With().Str("logger", name).Logger()}
}
