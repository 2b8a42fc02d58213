package crawl

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// page is one resource of a test site.
type page struct {
	body        string
	contentType string
	status      int    // 0 = 200
	location    string // redirect target for 3xx
	header      map[string]string
}

// site is a loopback web site whose pages the test sets, which answers
// conditional requests (ETag from the content) and counts every request.
type site struct {
	*httptest.Server
	mu       sync.Mutex
	pages    map[string]page
	requests map[string]int
	cond     map[string]int // conditional requests (If-None-Match) per path
	total    int
}

func newSite(t *testing.T) *site {
	t.Helper()
	s := &site{pages: map[string]page{}, requests: map[string]int{}, cond: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *site) set(path string, p page) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pages[path] = p
}

func (s *site) html(path, body string) {
	s.set(path, page{body: body, contentType: "text/html; charset=utf-8"})
}

func (s *site) count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[path]
}

func (s *site) totalRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.total
}

func (s *site) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	path := r.URL.Path
	if r.URL.RawQuery != "" {
		path += "?" + r.URL.RawQuery
	}
	s.requests[path]++
	s.total++
	p, ok := s.pages[path]
	if r.Header.Get("If-None-Match") != "" {
		s.cond[path]++
	}
	s.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	for k, v := range p.header {
		w.Header().Set(k, v)
	}
	if p.location != "" {
		http.Redirect(w, r, p.location, p.status)
		return
	}
	if p.status != 0 && p.status != 200 {
		w.WriteHeader(p.status)
		return
	}
	sum := sha256.Sum256([]byte(p.body))
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	w.Header().Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if p.contentType != "" {
		w.Header().Set("Content-Type", p.contentType)
	}
	w.Write([]byte(p.body))
}

// article is an HTML article page with enough text for extraction, which
// carries marker in its body. date may be empty (the listing then gives it).
func article(title, date, marker string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<!doctype html><html><head><title>%s</title>", title)
	if date != "" {
		fmt.Fprintf(&b, `<meta property="article:published_time" content="%s">`, date)
	}
	fmt.Fprintf(&b, "</head><body><nav><a href=\"/\">Home</a></nav><article><h1>%s</h1>", title)
	for i := 0; i < 4; i++ {
		fmt.Fprintf(&b, "<p>This paragraph %d of the full article about %s explains the matter at length, "+
			"with enough words that the extractor keeps it as the main content of the page. %s</p>", i, title, marker)
	}
	b.WriteString("</article><footer>Copyright</footer></body></html>")
	return b.String()
}

// listing is an HTML blog index: one <article> per entry with a linked
// heading, a <time> and a summary.
func listing(entries ...[3]string) string { // href, title, date
	var b strings.Builder
	b.WriteString(`<!doctype html><html><head><title>The Blog</title><meta property="og:site_name" content="The Blog"></head><body><main>`)
	for _, e := range entries {
		fmt.Fprintf(&b, `<article><h2><a href="%s">%s</a></h2><time datetime="%s">%s</time><p>Summary of %s, a short teaser for the post.</p></article>`,
			e[0], e[1], e[2], e[2], e[1])
	}
	b.WriteString("</main></body></html>")
	return b.String()
}

func urlset(base string, entries ...[2]string) string { // path, lastmod
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`)
	for _, e := range entries {
		loc := e[0]
		if strings.HasPrefix(loc, "/") {
			loc = base + loc
		}
		fmt.Fprintf(&b, "<url><loc>%s</loc>", loc)
		if e[1] != "" {
			fmt.Fprintf(&b, "<lastmod>%s</lastmod>", e[1])
		}
		b.WriteString("</url>")
	}
	b.WriteString("</urlset>")
	return b.String()
}

func sitemapIndex(locs ...string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`)
	for _, l := range locs {
		fmt.Fprintf(&b, "<sitemap><loc>%s</loc></sitemap>", l)
	}
	b.WriteString("</sitemapindex>")
	return b.String()
}

func gz(s string) string {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(s))
	zw.Close()
	return buf.String()
}
