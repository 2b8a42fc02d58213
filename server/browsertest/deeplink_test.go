package browsertest

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/chunk"
	"github.com/semsearch/semsearch/index"
	"github.com/semsearch/semsearch/ingest"
	"github.com/semsearch/semsearch/search"
	"github.com/semsearch/semsearch/server/servertest"
)

// postPage is a long article whose answer sits far below the fold, in a
// section of its own, after text that repeats its opening words.
func postPage() string {
	var b strings.Builder
	b.WriteString(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Files are hard</title>
<style>body { font: 18px/1.6 serif; max-width: 40rem; margin: 2rem auto; } p { margin: 1.2rem 0; }</style>
</head><body><article><h1>Files are hard</h1>`)
	for i := range 30 {
		fmt.Fprintf(&b, "<p>Paragraph %d is filler about page caches and buffers, and the disk spins on regardless.</p>\n", i)
	}
	b.WriteString(`<h2 id="durability">When is a write durable?</h2>
<p id="answer">A write is durable only once fsync on the file and on its directory has returned without an error.</p>`)
	for i := range 30 {
		fmt.Fprintf(&b, "<p>Trailing paragraph %d keeps the answer away from the bottom of the page.</p>\n", i)
	}
	b.WriteString(`</article></body></html>`)
	return b.String()
}

// TestDeepLink_ScrollsToPassage ingests a locally served post, searches it
// with the real searcher, opens the passage's link in Chromium and checks
// that the browser scrolled the passage into view.
func TestDeepLink_ScrollsToPassage(t *testing.T) {
	page := postPage()
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/2024/files-are-hard.html" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, page)
	}))
	t.Cleanup(site.Close)
	postURL := site.URL + "/2024/files-are-hard.html"

	ctx := context.Background()
	posts, err := ingest.Parse([]byte(page), postURL)
	if err != nil || len(posts) != 1 {
		t.Fatalf("parse the post: %v, %d posts", err, len(posts))
	}
	post := posts[0]
	emb := servertest.Embedder{N: 8}
	st, err := index.Open(ctx, t.TempDir(), emb.Model(), emb.Dims())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	chunks := chunk.Split(post, chunk.Options{MaxTokens: 80})
	texts := make([]string, len(chunks))
	for i, c := range chunks {
		texts[i] = c.Context
	}
	vecs, err := emb.EmbedPassages(ctx, texts)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Put(ctx, post, chunks, vecs); err != nil {
		t.Fatal(err)
	}
	rs, err := search.New(st, emb).Search(ctx, semsearch.Query{Text: "fsync directory durable", K: 1, Mode: semsearch.ModeLexical})
	if err != nil || len(rs) != 1 || len(rs[0].Passages) == 0 {
		t.Fatalf("search: %v, %+v", err, rs)
	}
	link := rs[0].Passages[0].Link
	if !strings.HasPrefix(link, postURL+"#:~:text=") {
		t.Fatalf("passage link %q, want %s with a text fragment", link, postURL)
	}
	t.Logf("passage link: %s", link)

	b := newBrowser(t)
	b.do(t,
		chromedp.Navigate(link),
		chromedp.WaitVisible(chromedp.CSS("#answer")),
	)
	// The browser scrolls to the fragment after load: wait until the
	// passage is inside the viewport.
	waitFor(t, b, `(() => {
		const r = document.querySelector("#answer").getBoundingClientRect();
		return window.scrollY > 0 && r.top >= 0 && r.bottom <= window.innerHeight;
	})()`)
	screenshot(t, b, "deeplink-passage.png")

	b.do(t, chromedp.Navigate(postURL), chromedp.WaitVisible(chromedp.CSS("#answer")))
	if below := eval[bool](t, b, `document.querySelector("#answer").getBoundingClientRect().top > window.innerHeight && window.scrollY === 0`); !below {
		t.Error("the answer is in view without the fragment: the test proves nothing")
	}
	b.checkProblems(t)
}
