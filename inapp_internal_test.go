package logsentry

import (
	"runtime"
	"runtime/debug"
	"testing"

	"github.com/getsentry/sentry-go"
)

func TestInAppByModule(t *testing.T) {
	m := newAppModules(&debug.BuildInfo{
		Main: debug.Module{Path: "example.com/app"},
		Deps: []*debug.Module{
			{Path: "go.uber.org/zap", Version: "v1.28.0"},
			{Path: "example.com/app/tools", Version: "v0.3.0"},                                         // a nested module, from the proxy
			{Path: "example.com/shared", Version: "v0.0.0", Replace: &debug.Module{Path: "../shared"}}, // a local directory
			{Path: "example.com/fork", Version: "v1.0.0", Replace: &debug.Module{Path: "example.com/fork2", Version: "v1.0.1"}},
			{Path: "example.com/ws", Version: "(devel)"}, // a workspace module
		},
	})
	for pkg, want := range map[string]bool{
		"example.com/app":                  true,
		"command-line-arguments":           true,
		"command-line-arguments_test":      true,
		"example.com/app/internal/db":      true,
		"example.com/app/internal/db_test": true,
		"example.com/app_test":             true,
		"main":                             true,
		"example.com/app/tools":            false,
		"example.com/app/tools/gen":        false,
		"example.com/applesauce":           false,
		"example.com/shared/auth":          true,
		"example.com/fork/x":               false,
		"example.com/ws/api":               true,
		"go.uber.org/zap/zapcore":          false,
		"net/http":                         false,
		"runtime":                          false,
		"unknown.org/x":                    false,
	} {
		for range 2 { // the second answer comes from the cache
			if got := m.inApp(pkg); got != want {
				t.Errorf("inApp(%q) = %v, want %v", pkg, got, want)
			}
		}
	}
	if newAppModules(&debug.BuildInfo{}) != nil {
		t.Error("no main module: want the SDK's decision kept (nil)")
	}
	// go run main.go: no main module, the dependencies known.
	files := newAppModules(&debug.BuildInfo{Path: "command-line-arguments", Deps: []*debug.Module{
		{Path: "go.uber.org/zap", Version: "v1.28.0"}, {Path: "example.com/app", Version: "(devel)"}}})
	for pkg, want := range map[string]bool{"main": true, "command-line-arguments": true, "go.uber.org/zap": false, "example.com/app/db": true, "net/http": false} {
		if files == nil || files.inApp(pkg) != want {
			t.Errorf("go run main.go: inApp(%q) != %v", pkg, want)
		}
	}
	// A module whose last path element has a dot: the runtime escapes it.
	dotted := newAppModules(&debug.BuildInfo{Main: debug.Module{Path: "example.com/my.app"}})
	for pkg, want := range map[string]bool{"example.com/my%2eapp": true, "example.com/my.app/db": true, "example.com/my%2eapp_test": true, "example.com/myxapp": false} {
		if got := dotted.inApp(pkg); got != want {
			t.Errorf("inApp(%q) = %v, want %v", pkg, got, want)
		}
	}

	// Under -trimpath no file has GOROOT's prefix, and the SDK takes the
	// standard library for the application's; the package decides here.
	frames := []sentry.Frame{
		sentry.NewFrame(runtimeFrame("net/http.HandlerFunc.ServeHTTP", "net/http/server.go")),
		sentry.NewFrame(runtimeFrame("example.com/app/internal/db.Query", "example.com/app/internal/db/db.go")),
		sentry.NewFrame(runtimeFrame("go.uber.org/zap.(*Logger).Error", "go.uber.org/zap@v1.28.0/logger.go")),
		sentry.NewFrame(runtimeFrame("github.com/logsentry/logsentry.(*Bridge).Emit", "github.com/logsentry/logsentry/bridge.go")),
	}
	if !frames[0].InApp || !frames[2].InApp {
		t.Fatalf("the SDK's decision changed: %+v", frames)
	}
	frames[3].InApp = false // as frameCache sets this module's frames
	setInApp(m, frames)
	for i, want := range []bool{false, true, false, false} {
		if frames[i].InApp != want {
			t.Errorf("%s.%s: in_app %v, want %v", frames[i].Module, frames[i].Function, frames[i].InApp, want)
		}
	}
}

func runtimeFrame(function, file string) runtime.Frame {
	return runtime.Frame{Function: function, File: file, Line: 1}
}
