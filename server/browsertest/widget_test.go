package browsertest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/server"
)

// blogPage is a static page of another site that loads the widget from
// semsearch. Its own CSP allows scripts and fetches from semsearch only and
// no inline style, and its CSS would hide the widget's results if the
// shadow root let it in. attrs are more attributes of the widget.
func blogPage(semsearchURL string, attrs ...string) string {
	return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>A static blog</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self' ` + semsearchURL + `; connect-src ` + semsearchURL + `; style-src 'self'">
<link rel="stylesheet" href="/blog.css"><link rel="icon" href="/favicon.svg">
</head><body><h1>A static blog</h1>
<semsearch-search label="Search this blog" k="3"` + strings.Join(append([]string{""}, attrs...), " ") + `></semsearch-search>
<p>Posts about files and durability.</p>
<script src="` + semsearchURL + `/widget.js" defer></script>
</body></html>`
}

const blogCSS = `.result, mark, .results, li { display: none !important; } input { visibility: hidden; }`

// serveBlog serves blogPage (with attrs) on its own loopback port and
// returns its origin.
func serveBlog(t *testing.T, semsearchURL string, ln net.Listener, attrs ...string) string {
	t.Helper()
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, blogPage(semsearchURL, attrs...))
		case "/post.html":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>A post</title><link rel="icon" href="/favicon.svg"></head><body><h1 id="post">A post</h1><p>The passage.</p></body></html>`)
		case "/favicon.svg":
			w.Header().Set("Content-Type", "image/svg+xml")
			fmt.Fprint(w, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><rect width="1" height="1"/></svg>`)
		case "/blog.css":
			w.Header().Set("Content-Type", "text/css")
			fmt.Fprint(w, blogCSS)
		default:
			http.NotFound(w, r)
		}
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String()
}

func listen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

// consoleWatch records console errors and warnings and error log entries
// (failed loads, CORS refusals) of the page.
type consoleWatch struct {
	mu   sync.Mutex
	msgs []string
}

func watchConsole(t *testing.T, b *browser) *consoleWatch {
	t.Helper()
	w := &consoleWatch{}
	err := chromedp.Listen(b.ctx, func(ev any) {
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeWarning {
				var parts []string
				for _, a := range ev.Args {
					parts = append(parts, strings.Trim(string(a.Value), `"`)+a.Description)
				}
				w.add("console." + string(ev.Type) + ": " + strings.Join(parts, " "))
			}
		case *cdplog.EventEntryAdded:
			if ev.Entry.Level == cdplog.EntryLevelError || ev.Entry.Level == cdplog.EntryLevelWarning {
				w.add("log " + string(ev.Entry.Source) + ": " + ev.Entry.Text + " " + ev.Entry.URL)
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *consoleWatch) add(s string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.msgs = append(w.msgs, s)
}

func (w *consoleWatch) take() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := w.msgs
	w.msgs = nil
	return out
}

const shadow = `document.querySelector("semsearch-search").shadowRoot`

// TestWidget_CrossOriginBlog loads /widget.js into a static page of another
// origin: typing a question shows highlighted results, the arrow keys move
// the selection, Escape closes the list, and the console stays clean. A
// page of an origin semsearch does not allow gets no results.
func TestWidget_CrossOriginBlog(t *testing.T) {
	allowedLn, refusedLn := listen(t), listen(t)
	allowed := "http://" + allowedLn.Addr().String()
	svc := newService()
	search := svc.SearchFunc
	svc.SearchFunc = func(ctx context.Context, q semsearch.Query) ([]semsearch.Result, error) {
		if q.Text == "open it" { // one result on the blog itself, to follow with Enter
			return []semsearch.Result{{ID: "post", Title: "A post", URL: allowed + "/post.html", Score: 1,
				Passages: []semsearch.Passage{{Text: "The passage.", Highlight: "The passage.", Link: allowed + "/post.html#:~:text=The%20passage."}}}}, nil
		}
		return search(ctx, q)
	}
	base := startServerWith(t, server.Config{CORSOrigins: []string{allowed}}, svc)
	serveBlog(t, base, allowedLn)
	refused := serveBlog(t, base, refusedLn)

	b := newBrowser(t)
	console := watchConsole(t, b)
	b.do(t, chromedp.Navigate(allowed+"/"))
	waitFor(t, b, `customElements.get("semsearch-search") !== undefined && `+shadow+` !== null`)

	a11y := eval[map[string]string](t, b, `(() => {
		const input = `+shadow+`.querySelector("input"), list = `+shadow+`.querySelector("[role=listbox]");
		return {label: input.getAttribute("aria-label"), role: input.getAttribute("role"),
			expanded: input.getAttribute("aria-expanded"), controls: input.getAttribute("aria-controls") === list.id ? "ok" : "no",
			status: `+shadow+`.querySelector("[role=status]").getAttribute("aria-live")};
	})()`)
	if want := map[string]string{"label": "Search this blog", "role": "combobox", "expanded": "false", "controls": "ok", "status": "polite"}; fmt.Sprint(a11y) != fmt.Sprint(want) {
		t.Errorf("accessibility attributes %v, want %v", a11y, want)
	}

	// Type a question, key by key: one debounced search, results shown.
	calls := len(svc.Calls())
	b.do(t,
		chromedp.Evaluate[chromedp.Void](shadow+`.querySelector("input").focus()`),
		chromedp.KeyEvent("does fsync make it durable"),
	)
	waitFor(t, b, `document.querySelector("semsearch-search").dataset.state === "done"`)
	// 26 keystrokes: without the debounce there would be about 25 searches.
	if n := len(svc.Calls()) - calls; n < 1 || n > 8 {
		t.Errorf("%d searches for one typed question of 26 keys: the input is not debounced", n)
	}
	if c := svc.LastCall(); c.Query.Text != "does fsync make it durable" || c.Query.K != 3 {
		t.Errorf("last search %+v, want the whole question with k=3", c)
	}
	got := eval[struct {
		Titles   []string `json:"titles"`
		Marks    int      `json:"marks"`
		Href     string   `json:"href"`
		Visible  bool     `json:"visible"`
		Expanded string   `json:"expanded"`
		Status   string   `json:"status"`
		Markup   int      `json:"markup"`
		Pwned    bool     `json:"pwned"`
	}](t, b, `(() => {
		const root = `+shadow+`;
		const first = root.querySelector(".result");
		const r = first.getBoundingClientRect();
		return {
			titles: [...root.querySelectorAll(".result .title")].map(e => e.textContent),
			marks: root.querySelectorAll(".result mark").length,
			href: root.querySelector(".result .title").href,
			visible: r.width > 0 && r.height > 0,
			expanded: root.querySelector("input").getAttribute("aria-expanded"),
			status: root.querySelector("[role=status]").textContent,
			markup: root.querySelectorAll(".results script, .results img, .results b, .results i").length,
			pwned: window.__pwned === true,
		};
	})()`)
	if len(got.Titles) != 3 || got.Titles[0] != "Files are hard" || got.Titles[1] != evilTitle {
		t.Errorf("titles %q", got.Titles)
	}
	if got.Marks < 2 || !got.Visible || got.Expanded != "true" || got.Status != "3 posts" {
		t.Errorf("results not shown as expected: %+v", got)
	}
	if want := idFiles + "#:~:text=A%20successful%20write()%20only%20means,until%20fsync%20returns."; got.Href != want {
		t.Errorf("first result links to %q, want the passage %q", got.Href, want)
	}
	if got.Markup != 0 || got.Pwned {
		t.Errorf("server text became markup: %d elements, pwned %v", got.Markup, got.Pwned)
	}
	screenshot(t, b, "widget-results.png")

	// Keyboard: the arrows move the selection (wrapping), Escape closes.
	selected := func() string {
		return eval[string](t, b, `(() => { const root = `+shadow+`;
			const id = root.querySelector("input").getAttribute("aria-activedescendant");
			const sel = [...root.querySelectorAll("[aria-selected=true]")].map(e => e.id);
			return sel.length === 1 && sel[0] === id ? root.getElementById(id).querySelector(".title").textContent : "mismatch " + id + " " + sel; })()`)
	}
	for _, step := range []struct{ key, want string }{
		{kb.ArrowDown, "Files are hard"},
		{kb.ArrowDown, evilTitle},
		{kb.ArrowDown, "Write-ahead logging, explained"},
		{kb.ArrowDown, "Files are hard"},
		{kb.ArrowUp, "Write-ahead logging, explained"},
	} {
		b.do(t, chromedp.KeyEvent(step.key))
		if got := selected(); got != step.want {
			t.Errorf("after %q: selected %q, want %q", step.key, got, step.want)
		}
	}
	b.do(t, chromedp.KeyEvent(kb.Escape))
	if hidden := eval[bool](t, b, shadow+`.querySelector(".results").hidden && `+shadow+`.querySelector("input").getAttribute("aria-expanded") === "false"`); !hidden {
		t.Error("Escape did not close the results")
	}
	for _, m := range console.take() {
		t.Errorf("console on the allowed blog: %s", m)
	}
	b.checkProblems(t)

	// Enter on the selected result follows its passage link.
	b.do(t,
		chromedp.Evaluate[chromedp.Void](shadow+`.querySelector("input").value = ""`),
		chromedp.KeyEvent("open it"),
	)
	waitFor(t, b, `document.querySelector("semsearch-search").dataset.state === "done"`)
	b.do(t, chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.CSS("#post")))
	if got := eval[string](t, b, `location.pathname`); got != "/post.html" {
		t.Errorf("Enter followed to %q", got)
	}

	// Another origin: the browser refuses the answer; no results shown.
	b.do(t, chromedp.Navigate(refused+"/"))
	waitFor(t, b, `customElements.get("semsearch-search") !== undefined`)
	b.do(t,
		chromedp.Evaluate[chromedp.Void](shadow+`.querySelector("input").focus()`),
		chromedp.KeyEvent("fsync"+kb.Enter),
	)
	waitFor(t, b, `document.querySelector("semsearch-search").dataset.state === "error"`)
	if n := eval[int](t, b, shadow+`.querySelectorAll(".result").length`); n != 0 {
		t.Errorf("%d results on a page of a refused origin", n)
	}
	status := eval[string](t, b, shadow+`.querySelector("[role=status]").textContent`)
	if !strings.HasPrefix(status, "Search failed") {
		t.Errorf("status %q on a refused origin", status)
	}
	refusals := console.take()
	cors := false
	for _, m := range refusals {
		cors = cors || strings.Contains(m, "CORS")
	}
	t.Logf("refused origin %s: status %q, console %q", refused, status, refusals)
	if !cors {
		t.Errorf("no CORS refusal in the console of the refused origin: %q", refusals)
	}
}
