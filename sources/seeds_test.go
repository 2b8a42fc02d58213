package sources

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/ingest"
	"github.com/semsearch/semsearch/internal/testenv"
)

// seedBlog serves the shared seed listings (001, 002, 004: titles, dates
// and summaries only) as a blog on loopback: each raw, as the text page it
// is, and rendered as an HTML index whose entries link to article pages
// generated here, carrying a full text the listing does not have. The
// articles give no date and, when the listing has a title, no title: the
// listing must supply them. robots.txt disallows one article per blog.
type seedBlog struct {
	*httptest.Server
	entries map[string][]semsearch.Post // by seed prefix
	raw     map[string][]byte
	mu      sync.Mutex
	asked   map[string]int
}

func newSeedBlog(t *testing.T, prefixes ...string) *seedBlog {
	t.Helper()
	dir := testenv.Shared(t, "seeds")
	b := &seedBlog{entries: map[string][]semsearch.Post{}, raw: map[string][]byte{}, asked: map[string]int{}}
	for _, p := range prefixes {
		m, err := filepath.Glob(filepath.Join(dir, p+"_*"))
		if err != nil || len(m) != 1 {
			t.Fatalf("seed %s: %v %v", p, m, err)
		}
		data, err := os.ReadFile(m[0])
		if err != nil {
			t.Fatal(err)
		}
		posts, err := ingest.Parse(data, "")
		if err != nil || len(posts) < 3 {
			t.Fatalf("seed %s parses to %d posts: %v", p, len(posts), err)
		}
		b.raw[p], b.entries[p] = data, posts
	}
	b.Server = httptest.NewServer(http.HandlerFunc(b.serve))
	t.Cleanup(b.Close)
	return b
}

func (b *seedBlog) count(path string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.asked[path]
}

func marker(seed string, i int) string { return fmt.Sprintf("fulltext%sx%d", seed, i) }

func (b *seedBlog) serve(w http.ResponseWriter, r *http.Request) {
	b.mu.Lock()
	b.asked[r.URL.Path]++
	b.mu.Unlock()
	var seed string
	var n int
	switch {
	case r.URL.Path == "/robots.txt":
		var rules strings.Builder
		rules.WriteString("User-agent: *\n")
		for seed := range b.entries {
			fmt.Fprintf(&rules, "Disallow: /%s/posts/1$\n", seed) // not /posts/10
		}
		w.Write([]byte(rules.String()))
	case strings.HasPrefix(r.URL.Path, "/raw/"):
		data, ok := b.raw[strings.TrimPrefix(r.URL.Path, "/raw/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write(data)
	case strings.HasSuffix(r.URL.Path, "/") && b.entries[strings.Trim(r.URL.Path, "/")] != nil:
		seed = strings.Trim(r.URL.Path, "/")
		var page strings.Builder
		page.WriteString("<!doctype html><html><head><title>Seed blog " + seed + "</title></head><body><main>")
		for i, e := range b.entries[seed] {
			date := ""
			if !e.Published.IsZero() {
				date = fmt.Sprintf(`<time datetime="%s">%s</time>`, e.Published.Format("2006-01-02"), e.Published.Format("Jan 2, 2006"))
			}
			title := e.Title
			if e.TitleDerived {
				title = fmt.Sprintf("Entry %d", i)
			}
			fmt.Fprintf(&page, `<article><h2><a href="/%s/posts/%d">%s</a></h2>%s<p>%s</p></article>`,
				seed, i, html.EscapeString(title), date, html.EscapeString(e.Summary))
		}
		page.WriteString("</main></body></html>")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(page.String()))
	case sscanPost(r.URL.Path, &seed, &n) && b.entries[seed] != nil && n < len(b.entries[seed]):
		e := b.entries[seed][n]
		var page strings.Builder
		page.WriteString("<!doctype html><html><head></head><body><article>")
		fmt.Fprintf(&page, "<p>%s</p>", html.EscapeString(e.Summary))
		for k := 0; k < 3; k++ {
			fmt.Fprintf(&page, "<p>Paragraph %d is only on the article page and not in the listing, so it proves the full text was read: %s.</p>", k, marker(seed, n))
		}
		page.WriteString("</article></body></html>")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(page.String()))
	default:
		http.NotFound(w, r)
	}
}

func sscanPost(path string, seed *string, n *int) bool {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if len(parts) != 3 || parts[1] != "posts" {
		return false
	}
	*seed = parts[0]
	_, err := fmt.Sscanf(parts[2], "%d", n)
	return err == nil
}

// The seed listings, subscribed as sites, lead to their full articles:
// every allowed entry is stored with the article's text and the listing's
// title and date; the disallowed one is never asked for. Subscribed raw,
// they are text pages of summary posts.
func TestPoller_SeedListingsCrawlToFullArticles(t *testing.T) {
	ctx := context.Background()
	blog := newSeedBlog(t, "001", "002", "004")
	h := newHarness(t, autoClock)
	for _, seed := range []string{"001", "002", "004"} {
		entries := blog.entries[seed]
		res := h.add(blog.URL+"/"+seed+"/", AddOptions{})
		if res.Source.Kind != semsearch.KindSite {
			t.Fatalf("seed %s: kind %s", seed, res.Source.Kind)
		}
		if res.New != len(entries)-1 || res.Source.LastError != "" {
			t.Errorf("seed %s: %d new of %d entries (one disallowed); last error %q", seed, res.New, len(entries), res.Source.LastError)
		}
		if n := blog.count(fmt.Sprintf("/%s/posts/1", seed)); n != 0 {
			t.Errorf("seed %s: disallowed article asked %d times", seed, n)
		}
		for i, e := range entries {
			id := fmt.Sprintf("%s/%s/posts/%d", blog.URL, seed, i)
			p, err := h.store.Post(ctx, id)
			if i == 1 {
				if err == nil {
					t.Errorf("seed %s: disallowed article %d stored", seed, i)
				}
				continue
			}
			if err != nil {
				t.Errorf("seed %s entry %d: %v", seed, i, err)
				continue
			}
			if !strings.Contains(p.Text, marker(seed, i)) {
				t.Errorf("seed %s entry %d: not the full article: %.200q", seed, i, p.Text)
			}
			if !e.TitleDerived && p.Title != e.Title {
				t.Errorf("seed %s entry %d: title %q, want the listing's %q", seed, i, p.Title, e.Title)
			}
			if !e.Published.Equal(p.Published) {
				t.Errorf("seed %s entry %d: published %v, want the listing's %v", seed, i, p.Published, e.Published)
			}
		}
		// A re-poll reads the listing again, conditionally or not, and no
		// article: they are all known.
		before := blog.count(fmt.Sprintf("/%s/posts/0", seed))
		res2, err := h.p.PollNow(ctx, res.Source.ID)
		if err != nil || res2.Outcome != NotModified || blog.count(fmt.Sprintf("/%s/posts/0", seed)) != before {
			t.Errorf("seed %s re-poll: %+v, %v", seed, res2, err)
		}

		raw := h.add(blog.URL+"/raw/"+seed, AddOptions{})
		if raw.Source.Kind != semsearch.KindPage || raw.New+raw.Unchanged != len(entries) {
			t.Errorf("raw seed %s: %s with %d new, %d unchanged, want %d entries", seed, raw.Source.Kind, raw.New, raw.Unchanged, len(entries))
		}
	}
	if err := h.store.Verify(ctx); err != nil {
		t.Error(err)
	}
}
