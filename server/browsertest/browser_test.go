package browsertest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/server"
	"github.com/semsearch/semsearch/server/servertest"

	"github.com/semsearch/semsearch/internal/testenv"
)

// chromiumPath finds Chromium, or skips (fails in CI) when it is missing.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/chromium", "chromium", "chromium-browser"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	testenv.Need(t, false, "chromium not found (apt-get install chromium)")
	return ""
}

// artifactDir is where the screenshots go: $SEMSEARCH_ARTIFACTS when set,
// else the test's artifact directory (kept with `go test -artifacts`).
func artifactDir(t *testing.T) string {
	if dir := os.Getenv("SEMSEARCH_ARTIFACTS"); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	return t.ArtifactDir()
}

// startServer serves the real server on the fake service at 127.0.0.1:0
// until the test ends.
func startServer(t *testing.T, svc *servertest.Service) string {
	t.Helper()
	return startServerWith(t, server.Config{}, svc)
}

// startServerWith is startServer with a configuration (Addr is set).
func startServerWith(t *testing.T, cfg server.Config, svc *servertest.Service) string {
	t.Helper()
	cfg.Addr = "127.0.0.1:0"
	srv, err := server.New(cfg, svc.Services(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}

// browser starts headless Chromium with a fresh profile and collects
// uncaught exceptions and security (CSP) log entries from the page.
type browser struct {
	ctx      context.Context
	mu       sync.Mutex
	problems []string
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("lang", "en-US"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1100, 1000),
	}
	// One deadline for the whole browser session; the machine may be slow.
	parent, cancelTimeout := context.WithTimeout(context.Background(), 2*time.Minute)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(parent, opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancelCtx(); cancelAlloc(); cancelTimeout() })

	b := &browser{ctx: ctx}
	err := chromedp.Listen(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			b.problem("uncaught exception: " + ev.ExceptionDetails.Text + describeException(ev.ExceptionDetails))
		case *cdplog.EventEntryAdded:
			if ev.Entry.Source == cdplog.EntrySourceSecurity || strings.Contains(ev.Entry.Text, "Content Security Policy") {
				b.problem("security: " + ev.Entry.Text)
			}
		}
	})
	if err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	b.do(t, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, cdplog.Enable, cdp.Empty{})
		return err
	}))
	return b
}

func describeException(d *runtime.ExceptionDetails) string {
	if d.Exception != nil && d.Exception.Description != "" {
		return " (" + d.Exception.Description + ")"
	}
	return ""
}

func (b *browser) problem(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.problems = append(b.problems, s)
}

func (b *browser) checkProblems(t *testing.T) {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, p := range b.problems {
		t.Errorf("page problem: %s", p)
	}
}

func (b *browser) do(t *testing.T, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		t.Fatalf("browser: %v", err)
	}
}

func eval[T any](t *testing.T, b *browser, expr string) T {
	t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// waitFor waits (bounded by the browser deadline) until the JS expression
// is truthy.
func waitFor(t *testing.T, b *browser, expr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingMutation())); err != nil {
		t.Fatalf("waiting for %s: %v", expr, err)
	}
}

func screenshot(t *testing.T, b *browser, name string) {
	t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	path := filepath.Join(artifactDir(t), name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

func TestWebPage_SearchAndRelated(t *testing.T) {
	svc := newService()
	base := startServer(t, svc)
	b := newBrowser(t)

	b.do(t,
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS("#q")),
	)
	if id := eval[string](t, b, `document.activeElement.id`); id != "q" {
		t.Errorf("focus on %q at load, want the search box", id)
	}

	// Type a query and submit with Enter.
	b.do(t,
		chromedp.SendKeys(chromedp.CSS("#q"), "fsync durability"+kb.Enter),
		chromedp.WaitVisible(chromedp.CSS("#results .result mark")),
	)
	waitFor(t, b, `document.querySelector("#status").dataset.kind === "done"`)
	if n := eval[int](t, b, `document.querySelectorAll("#results > .result").length`); n != 3 {
		t.Errorf("%d results shown, want 3", n)
	}
	if got := eval[string](t, b, `document.querySelector("#results .result mark").textContent`); got != "durable" {
		t.Errorf("first highlight %q, want durable", got)
	}
	if got := eval[string](t, b, `location.search`); got != "?q=fsync+durability" {
		t.Errorf("URL query %q, want ?q=fsync+durability", got)
	}
	if got := eval[string](t, b, `document.querySelector("#status").textContent`); !strings.Contains(got, "3 posts") {
		t.Errorf("status %q", got)
	}
	// Each passage with a link offers it; a javascript: link is dropped.
	links := eval[[]string](t, b, `[...document.querySelectorAll("#results .passage-link")].map(a => a.href + " " + a.getAttribute("aria-label"))`)
	if want := idFiles + "#:~:text=A%20successful%20write()%20only%20means,until%20fsync%20returns. Go to passage: What does fsync guarantee?"; len(links) != 1 || links[0] != want {
		t.Errorf("passage links %q, want [%q]", links, want)
	}
	if c := svc.LastCall(); c.Query.Text != "fsync durability" || c.Query.Mode != semsearch.ModeHybrid {
		t.Errorf("search call %+v", c)
	}

	// The hostile title is text, not markup, and nothing ran; its
	// javascript: URL did not become a link.
	evil := eval[struct {
		Text     string `json:"text"`
		Children int    `json:"children"`
		Href     *string
		Pwned    bool   `json:"pwned"`
		Source   string `json:"source"`
		Scripts  int    `json:"scripts"`
	}](t, b, `(() => {
		const a = document.querySelectorAll("#results .title-link")[1];
		return {
			text: a.textContent, children: a.children.length, Href: a.getAttribute("href"),
			pwned: window.__pwned === true,
			source: document.querySelectorAll("#results .source")[1].textContent,
			scripts: document.querySelectorAll("#results script, #results img").length,
		};
	})()`)
	if evil.Text != evilTitle || evil.Children != 0 || evil.Scripts != 0 {
		t.Errorf("hostile title rendered as markup: %+v", evil)
	}
	if evil.Pwned {
		t.Error("script from a result title was executed")
	}
	if evil.Href != nil {
		t.Errorf("javascript: URL became a link: %q", *evil.Href)
	}
	if evil.Source != "Untrusted Feed <b>bold</b>" {
		t.Errorf("source %q", evil.Source)
	}
	// A post without a URL is not linked (to this very page, as it once was).
	if href := eval[*string](t, b, `document.querySelectorAll("#results .title-link")[2].getAttribute("href")`); href != nil {
		t.Errorf("a post without a URL links to %q", *href)
	}
	visible := eval[bool](t, b, `(() => { const r = document.querySelectorAll("#results .title-link")[1].getBoundingClientRect(); return r.width > 0 && r.height > 0; })()`)
	if !visible {
		t.Error("hostile title not visible as text")
	}

	// Related posts for the first result.
	b.do(t,
		chromedp.Click(chromedp.CSS("#results .result .related-toggle")),
		chromedp.WaitVisible(chromedp.CSS("#results .result .related-item")),
	)
	if c := svc.LastCall(); c.Method != "Related" || c.ID != idFiles || c.K != 5 {
		t.Errorf("related call %+v, want Related(%q, 5)", c, idFiles)
	}
	related := eval[[]string](t, b, `[...document.querySelectorAll("#results .result:first-child .related-title")].map(a => a.textContent)`)
	if len(related) != 2 || related[0] != "Write-ahead logging, explained" {
		t.Errorf("related titles %q", related)
	}
	if got := eval[string](t, b, `document.querySelector("#results .related-toggle").getAttribute("aria-expanded")`); got != "true" {
		t.Errorf("aria-expanded %q after opening", got)
	}
	screenshot(t, b, "search-results.png")

	// Keyboard: Enter on a focused "Related" button opens it; this post has
	// none, which is said plainly.
	b.do(t, chromedp.SendKeys(chromedp.CSS("#results .result:nth-child(3) .related-toggle"), kb.Enter))
	waitFor(t, b, `document.querySelector("#results .result:nth-child(3) .related-status").dataset.kind === "empty"`)

	b.checkProblems(t)
}

func TestWebPage_URLStateAndErrors(t *testing.T) {
	svc := newService()
	base := startServer(t, svc)
	b := newBrowser(t)

	// A shared link reproduces the search, mode included.
	b.do(t,
		chromedp.Navigate(base+"/?q="+url.QueryEscape("fsync")+"&mode=lexical"),
		chromedp.WaitVisible(chromedp.CSS("#results .result mark")),
	)
	if got := eval[string](t, b, `document.querySelector("#q").value + "|" + document.querySelector("#mode").value`); got != "fsync|lexical" {
		t.Errorf("form restored as %q", got)
	}
	if c := svc.LastCall(); c.Query.Mode != semsearch.ModeLexical {
		t.Errorf("mode %q, want lexical", c.Query.Mode)
	}

	tests := []struct {
		query, kind, text string
	}{
		{"nothing", "empty", "No posts match"},
		{"boom", "error", "internal error"},
	}
	for _, tt := range tests {
		b.do(t, chromedp.Navigate(base+"/?q="+tt.query))
		waitFor(t, b, fmt.Sprintf(`document.querySelector("#status").dataset.kind === %q`, tt.kind))
		status := eval[string](t, b, `document.querySelector("#status").textContent`)
		if !strings.Contains(status, tt.text) {
			t.Errorf("?q=%s: status %q, want it to contain %q", tt.query, status, tt.text)
		}
		if strings.Contains(status, "/var/lib") {
			t.Errorf("internal detail leaked to the page: %q", status)
		}
		if n := eval[int](t, b, `document.querySelectorAll("#results > .result").length`); n != 0 {
			t.Errorf("?q=%s: %d results shown", tt.query, n)
		}
		if tt.kind == "error" {
			screenshot(t, b, "search-error.png")
		}
	}

	// A search from the form is pushed to the history; Back restores the
	// earlier one (form and results).
	b.do(t,
		chromedp.Navigate(base+"/?q=fsync"),
		chromedp.WaitVisible(chromedp.CSS("#results .result mark")),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Evaluate[string](`document.querySelector("#q").value = ""`)(ctx, tg)
			return err
		}),
		chromedp.SendKeys(chromedp.CSS("#q"), "nothing"+kb.Enter),
	)
	waitFor(t, b, `location.search === "?q=nothing" && document.querySelector("#status").dataset.kind === "empty"`)
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[chromedp.Void](`history.back()`)); err != nil && !errors.Is(err, chromedp.ErrJSUndefined) {
		t.Fatal(err)
	}
	waitFor(t, b, `location.search === "?q=fsync" && document.querySelector("#q").value === "fsync" && document.querySelector("#status").dataset.kind === "done"`)
	b.checkProblems(t)
}

// TestWebPage_NarrowDark renders the results on a phone-sized screen in
// dark mode: nothing overflows sideways, and the screenshot is kept.
func TestWebPage_NarrowDark(t *testing.T) {
	base := startServer(t, newService())
	b := newBrowser(t)
	b.do(t,
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			if _, err := cdp.Call(ctx, tg, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
				Width: 390, Height: 844, DeviceScaleFactor: 1, Mobile: true,
			}); err != nil {
				return err
			}
			_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
				Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}},
			})
			return err
		}),
		chromedp.Navigate(base+"/?q=fsync"),
		chromedp.WaitVisible(chromedp.CSS("#results .result mark")),
		chromedp.Click(chromedp.CSS("#results .result .related-toggle")),
		chromedp.WaitVisible(chromedp.CSS("#results .result .related-item")),
	)
	if over := eval[int](t, b, `document.documentElement.scrollWidth - window.innerWidth`); over > 0 {
		t.Errorf("page overflows the 390px screen by %dpx", over)
	}
	if dark := eval[bool](t, b, `matchMedia("(prefers-color-scheme: dark)").matches`); !dark {
		t.Error("dark mode emulation not applied")
	}
	screenshot(t, b, "search-narrow-dark.png")
	b.checkProblems(t)
}
