package crawl

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/ingest/fetch"
	"github.com/semsearch/semsearch/internal/fakeclock"
)

var t0 = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

func client() *fetch.Client {
	return fetch.New(fetch.Options{AllowPrivate: true, Timeout: 10 * time.Second})
}

func titles(posts []semsearch.Post) []string {
	var out []string
	for _, p := range posts {
		out = append(out, p.Title)
	}
	sort.Strings(out)
	return out
}

// known turns a result's pages into the Known map of the next crawl.
func known(prev map[string]semsearch.SourcePage, res Result) map[string]semsearch.SourcePage {
	out := map[string]semsearch.SourcePage{}
	for k, v := range prev {
		out[k] = v
	}
	for _, p := range res.Pages {
		out[p.URL] = p
	}
	return out
}

// A whole blog: robots.txt disallowing one path and naming a sitemap index,
// whose children are a plain and a gzip sitemap, and a listing page. The
// crawl reads exactly the allowed articles, with full text, fills in the
// listing's date where the article has none, and paces its requests.
func TestCrawl_Site(t *testing.T) {
	s := newSite(t)
	s.set("/robots.txt", page{body: "User-agent: *\nDisallow: /private/\nCrawl-delay: 2\n\nSitemap: " + s.URL + "/sitemap_index.xml\n", contentType: "text/plain"})
	s.set("/sitemap_index.xml", page{body: sitemapIndex(s.URL+"/sitemap-posts.xml", s.URL+"/sitemap-more.xml.gz"), contentType: "application/xml"})
	s.set("/sitemap-posts.xml", page{body: urlset(s.URL, [2]string{"/posts/a", "2025-05-01"}, [2]string{"/private/secret", "2025-05-02"}, [2]string{"/tags/go", ""}), contentType: "application/xml"})
	s.set("/sitemap-more.xml.gz", page{body: gz(urlset(s.URL, [2]string{"/posts/c", "2025-05-03"}, [2]string{"http://169.254.169.254/latest/meta-data/", ""})), contentType: "application/gzip"})
	s.html("/", listing(
		[3]string{"/posts/a", "Post A", "2025-04-01"},
		[3]string{"/posts/b", "Post B", "2025-04-02"},
		[3]string{"/private/hidden", "Hidden", "2025-04-03"},
	))
	s.html("/posts/a", article("Post A", "2025-04-01T00:00:00Z", "marker-a"))
	s.html("/posts/b", article("Post B", "", "marker-b")) // no date: the listing's
	s.html("/posts/c", article("Post C", "2025-05-03T00:00:00Z", "marker-c"))
	s.html("/private/hidden", article("Hidden", "", "marker-hidden"))
	s.html("/private/secret", article("Secret", "", "marker-secret"))

	clock := fakeclock.NewAuto(t0)
	c := New(Options{}, clock, nil)
	res, err := c.Crawl(context.Background(), Request{Start: s.URL + "/", Fetcher: client()})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := titles(res.Posts), []string{"Post A", "Post B", "Post C"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("posts %v, want %v (errors %v)", got, want, res.PageErrors)
	}
	for _, p := range res.Posts {
		marker := "marker-" + strings.ToLower(strings.TrimPrefix(p.Title, "Post "))
		if !strings.Contains(p.Text, marker) || !strings.Contains(p.Text, "paragraph 3") {
			t.Errorf("%s: not the full article: %q", p.Title, p.Text)
		}
		if p.Source.URL != s.URL+"/" || p.Source.Title != "The Blog" {
			t.Errorf("%s: source %+v", p.Title, p.Source)
		}
		if p.ContentHash != semsearch.ContentHash(p.Title, p.Text) {
			t.Errorf("%s: stale content hash", p.Title)
		}
		if p.Title == "Post B" && !p.Published.Equal(time.Date(2025, 4, 2, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("Post B published %v, want the listing's date", p.Published)
		}
	}
	for _, path := range []string{"/private/hidden", "/private/secret", "/tags/go"} {
		if n := s.count(path); n != 0 {
			t.Errorf("%s requested %d times", path, n)
		}
	}
	if res.Disallowed != 2 {
		t.Errorf("disallowed %d, want 2", res.Disallowed)
	}
	if res.Requests != s.totalRequests() {
		t.Errorf("Requests = %d, server saw %d", res.Requests, s.totalRequests())
	}
	// robots, listing, index, 2 sitemaps, 3 articles; 2 s apart (Crawl-delay).
	if res.Requests != 8 || clock.Slept() < 7*2*time.Second {
		t.Errorf("%d requests in %v of fake time, want 8 at least 2s apart", res.Requests, clock.Slept())
	}

	// A re-crawl: the listing and sitemaps answer 304, nothing is fetched.
	before := s.totalRequests()
	res2, err := c.Crawl(context.Background(), Request{Start: s.URL + "/", Fetcher: client(), Known: known(nil, res)})
	if err != nil {
		t.Fatal(err)
	}
	if len(res2.Posts) != 0 || res2.Fetched != 0 || res2.StartStatus != 304 {
		t.Errorf("re-crawl: %d posts, %d fetched, start %d", len(res2.Posts), res2.Fetched, res2.StartStatus)
	}
	// robots.txt is cached: the listing and both sitemaps (conditional, 304)
	// and the index (read in full).
	if n := s.totalRequests() - before; n != 4 {
		t.Errorf("re-crawl made %d requests", n)
	}

	// A changed lastmod brings that article, and only it, again.
	s.set("/sitemap-posts.xml", page{body: urlset(s.URL, [2]string{"/posts/a", "2025-06-01"}, [2]string{"/private/secret", "2025-05-02"}), contentType: "application/xml"})
	s.html("/posts/a", article("Post A", "2025-04-01T00:00:00Z", "marker-a-v2"))
	k := known(known(nil, res), res2)
	res3, err := c.Crawl(context.Background(), Request{Start: s.URL + "/", Fetcher: client(), Known: k})
	if err != nil {
		t.Fatal(err)
	}
	if len(res3.Posts) != 1 || !strings.Contains(res3.Posts[0].Text, "marker-a-v2") || s.count("/posts/a") != 2 || s.count("/posts/b") != 1 {
		t.Errorf("lastmod change: posts %v, /posts/a fetched %d times, /posts/b %d", titles(res3.Posts), s.count("/posts/a"), s.count("/posts/b"))
	}
}

// Limits hold on a 10,000-URL sitemap: exactly MaxFetches articles per
// crawl, newest first, and the rest on later crawls up to MaxPages.
func TestCrawl_BoundsOnHugeSitemap(t *testing.T) {
	s := newSite(t)
	var entries [][2]string
	for i := 0; i < 10_000; i++ {
		entries = append(entries, [2]string{fmt.Sprintf("/p/%05d", i), fmt.Sprintf("2024-01-01T00:00:%02d.%04dZ", i/1000, i%1000)})
	}
	s.set("/sitemap.xml", page{body: urlset(s.URL, entries...), contentType: "application/xml"})
	for i := 0; i < 10_000; i += 1 {
		// Only the pages the bounds allow will be asked for; give them all.
		s.html(fmt.Sprintf("/p/%05d", i), article(fmt.Sprintf("Page %05d", i), "", "m"))
	}
	clock := fakeclock.NewAuto(t0)
	c := New(Options{MaxFetches: 25, MaxPages: 40}, clock, nil)
	res, err := c.Crawl(context.Background(), Request{Start: s.URL + "/sitemap.xml", Sitemap: true, Fetcher: client()})
	if err != nil {
		t.Fatal(err)
	}
	if res.Fetched != 25 || len(res.Posts) != 25 || !res.Truncated {
		t.Fatalf("fetched %d, posts %d, truncated %v; want 25, 25, true (%v)", res.Fetched, len(res.Posts), res.Truncated, res.PageErrors)
	}
	if s.count("/p/09999") != 1 || s.count("/p/00000") != 0 {
		t.Error("not newest first")
	}
	if res.Requests != 2+25 { // robots.txt (404), the sitemap, the articles
		t.Errorf("%d requests", res.Requests)
	}
	res2, err := c.Crawl(context.Background(), Request{Start: s.URL + "/sitemap.xml", Sitemap: true, Fetcher: client(), Known: known(nil, res)})
	if err != nil {
		t.Fatal(err)
	}
	// MaxPages 40 counts the sitemap and the 25 articles: 14 more, then
	// the site is full.
	if res2.Fetched != 14 || !res2.Truncated {
		t.Errorf("second crawl fetched %d, truncated %v; want 14, true", res2.Fetched, res2.Truncated)
	}
	if got := s.totalRequests(); got != 2+25+1+14 {
		t.Errorf("%d requests in all", got)
	}
}

// Nothing private is reached: an off-site sitemap entry is dropped unasked,
// a redirect to the cloud metadata address is refused at dial time, and a
// redirect to another site is not taken in.
func TestCrawl_RefusesPrivateAndOffSite(t *testing.T) {
	s := newSite(t)
	other := newSite(t)
	other.html("/elsewhere", article("Elsewhere", "", "marker-elsewhere"))
	s.set("/sitemap.xml", page{body: urlset(s.URL,
		[2]string{"http://169.254.169.254/latest/meta-data/", ""},
		[2]string{"http://10.0.0.1/admin", ""},
		[2]string{"/posts/meta", "2025-01-03"},
		[2]string{"/posts/away", "2025-01-02"},
		[2]string{"/posts/ok", "2025-01-01"},
	), contentType: "application/xml"})
	s.set("/posts/meta", page{status: 302, location: "http://169.254.169.254/latest/meta-data/"})
	s.set("/posts/away", page{status: 302, location: other.URL + "/elsewhere"})
	s.html("/posts/ok", article("Fine", "", "marker-ok"))
	c := New(Options{}, fakeclock.NewAuto(t0), nil)
	res, err := c.Crawl(context.Background(), Request{Start: s.URL + "/sitemap.xml", Sitemap: true, Fetcher: client()})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(titles(res.Posts)) != "[Fine]" {
		t.Errorf("posts %v", titles(res.Posts))
	}
	var blocked, offsite bool
	for _, e := range res.PageErrors {
		blocked = blocked || errors.Is(e, fetch.ErrBlockedAddress)
		offsite = offsite || strings.Contains(e.Error(), "off the site")
	}
	if !blocked || !offsite {
		t.Errorf("page errors %v: want a blocked address and an off-site redirect", res.PageErrors)
	}
}

func TestCrawl_Robots(t *testing.T) {
	tests := []struct {
		name    string
		robots  page
		wantErr string
		posts   int
	}{
		{"absent", page{status: 404}, "", 2},
		{"forbidden means no rules", page{status: 403}, "", 2},
		{"server error postpones", page{status: 503}, "postponed", 0},
		{"disallow all for us", page{body: "User-agent: semsearch\nDisallow: /\n\nUser-agent: *\nAllow: /\n"}, "disallows", 0},
		{"disallow others only", page{body: "User-agent: otherbot\nDisallow: /\n"}, "", 2},
		{"garbage", page{body: "\x00\x01 not robots at all {{{"}, "", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSite(t)
			s.set("/robots.txt", tt.robots)
			s.html("/", listing([3]string{"/a", "A", "2025-01-01"}, [3]string{"/b", "B", "2025-01-02"}))
			s.html("/a", article("A", "", "x"))
			s.html("/b", article("B", "", "y"))
			c := New(Options{}, fakeclock.NewAuto(t0), nil)
			res, err := c.Crawl(context.Background(), Request{Start: s.URL + "/", Fetcher: client()})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if s.count("/a")+s.count("/b") != 0 {
					t.Error("articles fetched despite robots.txt")
				}
				return
			}
			if err != nil || len(res.Posts) != tt.posts {
				t.Fatalf("posts %d, err %v; want %d", len(res.Posts), err, tt.posts)
			}
		})
	}
}

// A listing's rel=next pages are followed while they list new entries,
// within MaxListingPages; an article that cannot be read falls back to its
// listing summary and is not remembered, so the next crawl tries it again.
func TestCrawl_PaginationAndFallback(t *testing.T) {
	s := newSite(t)
	p1 := strings.Replace(listing([3]string{"/a", "A", "2025-01-03"}, [3]string{"/b", "B", "2025-01-02"}), "</head>", `<link rel="next" href="/page/2"></head>`, 1)
	p2 := strings.Replace(listing([3]string{"/c", "C", "2025-01-01"}, [3]string{"/d", "D", "2024-12-01"}), "</head>", `<link rel="next" href="/page/3"></head>`, 1)
	s.html("/", p1)
	s.html("/page/2", p2)
	s.html("/page/3", listing([3]string{"/e", "E", "2024-11-01"}, [3]string{"/f", "F", "2024-10-01"}))
	for _, n := range []string{"a", "b", "c", "d", "e", "f"} {
		s.html("/"+n, article(strings.ToUpper(n), "", "full-"+n))
	}
	s.set("/b", page{status: 500})
	c := New(Options{MaxListingPages: 2}, fakeclock.NewAuto(t0), nil)
	res, err := c.Crawl(context.Background(), Request{Start: s.URL + "/", Fetcher: client()})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(titles(res.Posts)) != "[A B C D]" || s.count("/page/3") != 0 {
		t.Fatalf("posts %v, page 3 read %d times", titles(res.Posts), s.count("/page/3"))
	}
	for _, p := range res.Posts {
		if p.Title == "B" && (strings.Contains(p.Text, "full-b") || !strings.Contains(p.Text, "Summary of B")) {
			t.Errorf("B should fall back to its summary: %q", p.Text)
		}
	}
	if len(res.PageErrors) != 1 {
		t.Errorf("page errors %v", res.PageErrors)
	}
	s.html("/b", article("B", "", "full-b"))
	s.html("/", strings.Replace(p1, "Summary of A", "Summary of A, edited", 1)) // the listing changes
	res2, err := c.Crawl(context.Background(), Request{Start: s.URL + "/", Fetcher: client(), Known: known(nil, res)})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(titles(res2.Posts)) != "[B]" || !strings.Contains(res2.Posts[0].Text, "full-b") {
		t.Errorf("second crawl posts %v", titles(res2.Posts))
	}
	// B was new on page 1, so page 2 is looked at again, conditionally.
	if s.count("/a") != 1 || s.count("/page/2") != 2 || s.cond["/page/2"] != 1 {
		t.Errorf("known pages fetched again: /a %d, /page/2 %d (%d conditional)", s.count("/a"), s.count("/page/2"), s.cond["/page/2"])
	}
}

// The time budget stops a slow crawl, by the injected clock.
func TestCrawl_MaxDuration(t *testing.T) {
	s := newSite(t)
	var entries [][2]string
	for i := 0; i < 50; i++ {
		p := fmt.Sprintf("/p/%02d", i)
		entries = append(entries, [2]string{p, ""})
		s.html(p, article(fmt.Sprintf("P%02d", i), "", "m"))
	}
	s.set("/robots.txt", page{body: "User-agent: *\nCrawl-delay: 10\n"})
	s.set("/sitemap.xml", page{body: urlset(s.URL, entries...)})
	c := New(Options{MaxDuration: time.Minute}, fakeclock.NewAuto(t0), nil)
	res, err := c.Crawl(context.Background(), Request{Start: s.URL + "/sitemap.xml", Sitemap: true, Fetcher: client()})
	if err != nil {
		t.Fatal(err)
	}
	// 10 s apart within one minute: robots, sitemap, then a handful of pages.
	if res.Fetched < 3 || res.Fetched > 6 || !res.Truncated {
		t.Errorf("fetched %d, truncated %v", res.Fetched, res.Truncated)
	}
}

func TestNormalize(t *testing.T) {
	tests := map[string]string{
		"HTTP://Blog.Example:80/a#frag":         "http://blog.example/a",
		"https://blog.example:443":              "https://blog.example/",
		"https://blog.example/a?utm_source=x&q": "https://blog.example/a?q=",
		"mailto:a@b":                            "",
		"/rel":                                  "https://base.example/rel",
	}
	base := mustParse("https://base.example/dir/")
	for in, want := range tests {
		if got := normalize(in, base); got != want {
			t.Errorf("normalize(%q) = %q, want %q", in, got, want)
		}
	}
	for start, want := range map[string]string{"https://x/": "/", "https://x/blog/": "/blog/", "https://x/blog/index.html": "/blog/", "https://x": "/"} {
		if got := scopePrefix(mustParse(start)); got != want {
			t.Errorf("scopePrefix(%s) = %q, want %q", start, got, want)
		}
	}
	for p, skip := range map[string]bool{"/tags/go": true, "/tag/go/": true, "/category/x": true, "/page/2": true, "/feed.xml": true, "/posts/tagging": false, "/2024/01/pages": false} {
		if notArticle.MatchString(p) != skip {
			t.Errorf("notArticle(%s) = %v", p, !skip)
		}
	}
}
