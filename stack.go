package logsentry

import (
	"path"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/getsentry/sentry-go"
)

// maxCachedPCs bounds the frame cache. Call sites repeat, so a few thousand
// entries cover a program's logging calls and the frames below them.
const maxCachedPCs = 8192

// frameCache maps a program counter to its symbolized frames (more than one
// when calls were inlined), outermost first. Symbolizing is the main cost of
// a stack trace, and the result for a PC never changes.
type frameCache struct {
	m sync.Map // uintptr -> []sentry.Frame
	n atomic.Int32
}

func (c *frameCache) frames(pc uintptr) []sentry.Frame {
	if f, ok := c.m.Load(pc); ok {
		return f.([]sentry.Frame)
	}
	var frames []sentry.Frame
	it := runtime.CallersFrames([]uintptr{pc})
	for {
		rf, more := it.Next()
		f := sentry.NewFrame(rf)
		if pkg, ok := ownPackage(rf.File); ok {
			// This module's code is never the user's, even inlined into
			// a user's function (breadcrumbs.Middleware's handler is named
			// after its caller), where the function name gives the
			// caller's package.
			f.Module, f.InApp = pkg, false
		}
		frames = append(frames, f)
		if !more {
			break
		}
	}
	setInApp(buildModules(), frames) // this module's frames stay out
	// CallersFrames yields the innermost (inlined) frame first.
	for i, j := 0, len(frames)-1; i < j; i, j = i+1, j-1 {
		frames[i], frames[j] = frames[j], frames[i]
	}
	if c.n.Load() < maxCachedPCs {
		if _, loaded := c.m.LoadOrStore(pc, frames); !loaded {
			c.n.Add(1)
		}
	}
	return frames
}

// thisModule is the import path prefix of this module's packages, whose
// frames never appear in a reported stack.
const thisModule = "github.com/logsentry/logsentry"

// ownDir is the directory of this module's root package in the file
// names of the binary (an absolute path, or the import path under
// -trimpath).
var ownDir = func() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return ""
	}
	return path.Dir(file)
}()

// ownPackage returns the package of this module that source file belongs
// to, unless it is a test or an example (which stand for the user's code).
func ownPackage(file string) (string, bool) {
	if ownDir == "" || !strings.HasPrefix(file, ownDir+"/") || strings.HasSuffix(file, "_test.go") {
		return "", false
	}
	dir := path.Dir(file[len(ownDir)+1:])
	switch {
	case dir == ".":
		return thisModule, true
	case dir == "examples" || strings.HasPrefix(dir, "examples/"):
		return "", false
	}
	return thisModule + "/" + dir, true
}

// loggerPackages are the loggers: their front ends build the records.
var loggerPackages = []string{
	"log/slog",
	"log",
	"go.uber.org/zap",
	"github.com/sirupsen/logrus",
	"github.com/rs/zerolog",
}

// loggingPackages are the packages whose frames sit between a logging call
// and the bridge: the loggers, the SDK and the runtime. When a record
// carries no PC, the stack starts below the last of them.
var loggingPackages = append(slices.Clip(loggerPackages), "github.com/getsentry/sentry-go", "runtime")

// inPackages reports whether module is one of pkgs or below one of them.
func inPackages(module string, pkgs []string) bool {
	for _, p := range pkgs {
		if module == p || strings.HasPrefix(module, p+"/") {
			return true
		}
	}
	return false
}

// isLoggingFrame reports whether a frame of module (a package path) belongs
// to a logging library or to this module (its tests and examples excepted).
func isLoggingFrame(module string) bool {
	if module == thisModule || strings.HasPrefix(module, thisModule+"/") {
		return isOwnModule(module)
	}
	return inPackages(module, loggingPackages)
}

// callSite returns the stack trace of the logging call whose site is pc,
// as Sentry wants it: outermost frame first, the call site last. skip is the
// number of frames of the bridge above the caller of callSite.
//
// When pc is on the current stack (the usual, synchronous case) the trace is
// the current stack from that frame down. When it is not (the record was
// handed over from another goroutine) the trace is that single call site.
// When pc is 0 the frames of logging libraries and of this module are
// skipped from the top.
func (b *Bridge) callSite(pc uintptr) *sentry.Stacktrace {
	var buf [128]uintptr
	pcs := buf[:runtime.Callers(2, buf[:])]
	start := -1
	if pc != 0 {
		for i, p := range pcs {
			if p == pc || p-1 == pc {
				start = i
				break
			}
		}
		if start < 0 {
			pcs, start = []uintptr{pc}, 0
		}
	} else {
		start = b.skipLogging(pcs, 0)
		// A handler of the user's between the logger and this module (a
		// wrapper that rebuilds the record and drops its PC) is no call
		// site: the call site is below the outermost logging frame.
		for j := start + 1; j < len(pcs) && j <= start+maxWrapperFrames; j++ {
			if isLoggerFrame(b.frames.frames(pcs[j])[0].Module) {
				start = b.skipLogging(pcs, j)
				j = start
			}
		}
	}
	pcs = pcs[start:]
	if len(pcs) == 0 {
		return nil
	}
	// A Frame is 280 bytes: size the slice for the frames kept, not for
	// every PC (runtime and testing frames are dropped).
	n := 0
	for _, pc := range pcs {
		for _, f := range b.frames.frames(pc) {
			if !isRuntimeFrame(f.Module) {
				n++
			}
		}
	}
	if n == 0 {
		return nil
	}
	frames := make([]sentry.Frame, 0, n)
	for i := len(pcs) - 1; i >= 0; i-- {
		for _, f := range b.frames.frames(pcs[i]) {
			if isRuntimeFrame(f.Module) {
				continue
			}
			frames = append(frames, f)
		}
	}
	// Logging functions inlined into the call site's frame sit on top of
	// it: the call site is the last frame that is not theirs.
	for len(frames) > 1 && isLoggingFrame(frames[len(frames)-1].Module) {
		frames = frames[:len(frames)-1]
	}
	if len(frames) == 0 {
		return nil
	}
	return &sentry.Stacktrace{Frames: frames}
}

// isLoggerFrame reports whether a frame of module belongs to one of the
// loggers themselves (their front ends build the records), not to the SDK,
// the runtime or this module.
func isLoggerFrame(module string) bool { return inPackages(module, loggerPackages) }

// maxWrapperFrames bounds the frames of handlers between a logger and this
// module that callSite looks past to find the logging call (see there).
const maxWrapperFrames = 8

// isLoggingPC reports whether the physical frame of pc is a logging
// library's or this module's. A physical frame belongs to its outermost
// function: a logging call inlined into the caller's function is the
// caller's frame (callSite trims its inlined part).
func (b *Bridge) isLoggingPC(pc uintptr) bool {
	return isLoggingFrame(b.frames.frames(pc)[0].Module)
}

// skipLogging returns the index of the first of pcs[i:] that is not a
// logging frame (see isLoggingPC), or len(pcs).
func (b *Bridge) skipLogging(pcs []uintptr, i int) int {
	for i < len(pcs) && b.isLoggingPC(pcs[i]) {
		i++
	}
	return i
}

// CallerPC returns the program counter of the logging call that led to its
// caller: the first frame above it that belongs to no logging library and
// not to this module, or 0. Adapters whose logger reports no call site (the
// zerolog hook) call it on the logging goroutine to fill Record.PC. Frames
// are symbolized once per PC and cached.
func (b *Bridge) CallerPC() uintptr {
	var buf [32]uintptr
	n := runtime.Callers(2, buf[:]) // runtime.Callers, CallerPC
	if i := b.skipLogging(buf[:n], 0); i < n {
		return buf[i]
	}
	return 0
}

// isRuntimeFrame reports whether frames of module are left out of stack
// traces.
func isRuntimeFrame(module string) bool { return module == "runtime" || module == "testing" }
