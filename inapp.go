package logsentry

import (
	"runtime/debug"
	"strings"
	"sync"

	"github.com/getsentry/sentry-go"
)

// Sentry shows a frame as the user's code ("in app"), and groups by such
// frames, when its in_app is set. The SDK's rule (sentry.NewFrame) takes
// every frame that is not under GOROOT and has no "vendor" or "third_party"
// in its package for the application's: frames of the module cache
// (go.uber.org/zap, a database driver) count as the user's, and under
// -trimpath, where no file has GOROOT's prefix, so do the standard
// library's. The bridge decides by module instead, from the binary's build
// information: a frame is in app when its package belongs to the main
// module or to a module replaced by a local directory or built from a
// workspace (a monorepo's other modules); the longest module path wins, so
// a nested module of its own is not the main module's. Package main, and
// the package of files that go run and go test build from file names, are
// in app. Other packages (the standard library, dependencies) are not. Without
// build information the SDK's decision stands.

// appModules holds the build's modules, longest path first, with whether
// each is the application's.
type appModules struct {
	mods  []appModule
	cache sync.Map // package path -> bool
}

type appModule struct {
	path string
	app  bool
}

var buildModules = sync.OnceValue(func() *appModules {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return nil
	}
	return newAppModules(bi)
})

func newAppModules(bi *debug.BuildInfo) *appModules {
	// go run main.go and go test x_test.go build a package of files,
	// "command-line-arguments", with no main module: the modules it
	// depends on are still known.
	files := bi.Path == "command-line-arguments"
	if bi.Main.Path == "" && !files {
		return nil
	}
	m := &appModules{}
	if bi.Main.Path != "" {
		m.mods = append(m.mods, appModule{bi.Main.Path, true})
	}
	for _, d := range bi.Deps {
		local := d.Version == "(devel)" || d.Replace != nil && d.Replace.Version == ""
		m.mods = append(m.mods, appModule{d.Path, local})
	}
	// Longest first: the first match is the module the package is in.
	for i := 1; i < len(m.mods); i++ {
		for j := i; j > 0 && len(m.mods[j].path) > len(m.mods[j-1].path); j-- {
			m.mods[j], m.mods[j-1] = m.mods[j-1], m.mods[j]
		}
	}
	return m
}

// inApp reports whether the frames of package pkg are the application's.
func (m *appModules) inApp(pkg string) bool {
	if v, ok := m.cache.Load(pkg); ok {
		return v.(bool)
	}
	p := strings.TrimSuffix(pkg, "_test") // an external test package
	if strings.Contains(p, "%2e") {
		// The runtime escapes the dots of a path's last element in
		// symbol names: example.com/my.app is example.com/my%2eapp.
		p = strings.ReplaceAll(p, "%2e", ".")
	}
	app := p == "main" || p == "command-line-arguments"
	if !app {
		for _, mod := range m.mods {
			if p == mod.path || strings.HasPrefix(p, mod.path+"/") {
				app = mod.app
				break
			}
		}
	}
	if len(pkg) <= 1024 { // a package path; bound what a hostile name could add
		m.cache.Store(pkg, app)
	}
	return app
}

// setInApp sets the in_app of frames from their package, as described
// above; it leaves them as they are without build information, and frames
// of this module's own packages (never the user's, see frameCache) alone.
func setInApp(m *appModules, frames []sentry.Frame) {
	if m == nil {
		return
	}
	for i := range frames {
		f := &frames[i]
		if f.Module == "" || isOwnModule(f.Module) {
			continue
		}
		f.InApp = m.inApp(f.Module)
	}
}

// isOwnModule reports whether package pkg is one of this module's, not
// counting its tests and examples (which stand for the user's code).
func isOwnModule(pkg string) bool {
	return (pkg == thisModule || strings.HasPrefix(pkg, thisModule+"/")) &&
		!strings.HasSuffix(pkg, "_test") && !strings.Contains(pkg, "/examples/")
}
