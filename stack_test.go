package logsentry_test

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"

	"github.com/getsentry/sentry-go"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/logsentry/logsentry"
	"github.com/logsentry/logsentry/internal/sentrytest"
)

// stackEvent emits one message-only error record with emitFn and returns
// the frames of its thread.
func stackEvent(t *testing.T, emitFn func(b *logsentry.Bridge, ctx context.Context)) []sentrytest.Frame {
	t.Helper()
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	emitFn(logsentry.New(logsentry.WithHub(hub)), context.Background())
	sentrytest.Flush(t, hub)
	ev := rcv.WaitEvents(t, 1, waitFor)[0]
	if len(ev.Exception) != 0 {
		t.Fatalf("message-only record has exceptions: %s", ev.Raw)
	}
	return threadFrames(t, ev)
}

func TestStackPCOnStack(t *testing.T) {
	var line int
	frames := stackEvent(t, func(b *logsentry.Bridge, ctx context.Context) {
		line = sentrytest.NextLine()
		emit(ctx, b, logsentry.Record{Severity: logsentry.SeverityError, Message: "here"})
	})
	checkFrames(t, frames, "TestStackPCOnStack.func1", line)
	// The frames below the call site are the goroutine's: the closure's
	// caller (stackEvent) and the test function.
	if len(frames) < 3 || frames[len(frames)-2].Function != "stackEvent" || frames[len(frames)-3].Function != "TestStackPCOnStack" {
		t.Errorf("frames = %+v", frames)
	}
}

func TestStackPCOffStack(t *testing.T) {
	pcs := make(chan uintptr)
	var line int
	go func() {
		var pc [1]uintptr
		line = sentrytest.NextLine()
		runtime.Callers(1, pc[:])
		pcs <- pc[0]
	}()
	pc := <-pcs
	frames := stackEvent(t, func(b *logsentry.Bridge, ctx context.Context) {
		b.Emit(ctx, logsentry.Record{Severity: logsentry.SeverityError, Message: "handed over", PC: pc})
	})
	if len(frames) != 1 {
		t.Fatalf("got %d frames, want the single call site: %+v", len(frames), frames)
	}
	checkFrames(t, frames, "TestStackPCOffStack.func1", line)
}

func TestStackPCAtCallSite(t *testing.T) {
	// A PC taken at the logging line itself (runtime.Callers(1)) is not a
	// return address on the stack when Emit runs: the trace is that line.
	var line int
	frames := stackEvent(t, func(b *logsentry.Bridge, ctx context.Context) {
		var pc [1]uintptr
		line = sentrytest.NextLine()
		runtime.Callers(1, pc[:])
		b.Emit(ctx, logsentry.Record{Severity: logsentry.SeverityError, Message: "callers(1)", PC: pc[0]})
	})
	checkFrames(t, frames, "TestStackPCAtCallSite.func1", line)
}

func TestStackNoPC(t *testing.T) {
	var line int
	frames := stackEvent(t, func(b *logsentry.Bridge, ctx context.Context) {
		line = sentrytest.NextLine()
		b.Emit(ctx, logsentry.Record{Severity: logsentry.SeverityError, Message: "no pc"})
	})
	checkFrames(t, frames, "TestStackNoPC.func1", line)
}

func TestStackNoPCException(t *testing.T) {
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	b := logsentry.New(logsentry.WithHub(hub))
	line := sentrytest.NextLine()
	b.Emit(context.Background(), logsentry.Record{Severity: logsentry.SeverityError, Message: "no pc", Err: errors.New("e")})
	sentrytest.Flush(t, hub)
	ev := rcv.WaitEvents(t, 1, waitFor)[0]
	checkFrames(t, ev.Exception[len(ev.Exception)-1].Stacktrace.Frames, "TestStackNoPCException", line)
}

// TestStackConcurrent: frames are cached per PC; concurrent records from
// several call sites each get their own trace.
func TestStackConcurrent(t *testing.T) {
	rcv, hub := sentrytest.NewReceiverHub(t, sentry.ClientOptions{})
	b := logsentry.New(logsentry.WithHub(hub), noRate)
	done := make(chan int)
	for i := range 8 {
		go func() {
			line := sentrytest.NextLine()
			emit(context.Background(), b, logsentry.Record{Severity: logsentry.SeverityError, Message: "concurrent " + string(rune('a'+i))})
			done <- line
		}()
	}
	var line int
	for range 8 {
		line = <-done
	}
	sentrytest.Flush(t, hub)
	for _, ev := range rcv.WaitEvents(t, 8, waitFor) {
		checkFrames(t, threadFrames(t, ev), "TestStackConcurrent.func1", line)
	}
}

// TestStackInAppByModule logs from code that a dependency calls back (zap's
// encoder calling an ObjectMarshaler): the dependency's frames, from the
// module cache, are not the application's; the test's own frames are.
func TestStackInAppByModule(t *testing.T) {
	var line int
	frames := stackEvent(t, func(b *logsentry.Bridge, ctx context.Context) {
		enc := zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig())
		buf, err := enc.EncodeEntry(zapcore.Entry{}, []zapcore.Field{zap.Object("x", zapcore.ObjectMarshalerFunc(func(zapcore.ObjectEncoder) error {
			line = sentrytest.NextLine()
			emit(ctx, b, logsentry.Record{Severity: logsentry.SeverityError, Message: "inside zap"})
			return nil
		}))})
		if err != nil {
			t.Fatal(err)
		}
		buf.Free()
	})
	checkFrames(t, frames, "TestStackInAppByModule.func1.1", line)
	var zapFrames int
	for _, f := range frames {
		switch {
		case strings.HasPrefix(f.Module, "go.uber.org/zap"):
			zapFrames++
			if f.InApp {
				t.Errorf("zap frame %s.%s is in_app", f.Module, f.Function)
			}
		case f.Module == "github.com/logsentry/logsentry_test":
			if !f.InApp {
				t.Errorf("test frame %s is not in_app", f.Function)
			}
		case f.Module == "testing":
			if f.InApp {
				t.Errorf("standard library frame %s.%s is in_app", f.Module, f.Function)
			}
		}
	}
	if zapFrames == 0 {
		t.Fatalf("no zap frame between the test and the call site: %+v", frames)
	}
}
