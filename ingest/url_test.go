package ingest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/semsearch/semsearch/ingest/fetch"
)

// blogServer serves testdata files: /article (an HTML page advertising
// /feed.xml), /feed.xml, /opml (relative feed URLs), /listing.
func blogServer(t *testing.T) *httptest.Server {
	t.Helper()
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(testdataDir(t), name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	article := strings.ReplaceAll(string(read("pages/article.html")), `<link rel="canonical" href="https://fieldnotes.example.com/posts/lsm-write-amplification/">`, "")
	article = strings.ReplaceAll(article, `<meta property="og:url" content="https://fieldnotes.example.com/posts/lsm-write-amplification/">`, "")
	mux := http.NewServeMux()
	serve := func(path, ctype string, body []byte) {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", ctype)
			w.Write(body)
		})
	}
	serve("/posts/lsm/", "text/html; charset=utf-8", []byte(article))
	serve("/feed.xml", "application/rss+xml", read("feeds/rss2.xml"))
	serve("/atom.xml", "application/atom+xml", read("feeds/atom10.xml"))
	serve("/listing/", "text/html", read("pages/listing.html"))
	serve("/subs.opml", "text/x-opml", []byte(`<opml version="2.0"><body>
		<outline text="a" xmlUrl="/feed.xml"/><outline text="b" xmlUrl="atom.xml"/><outline text="gone" xmlUrl="/missing.xml"/>
	</body></opml>`))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestLoad_URLArticleDiscoversFeeds(t *testing.T) {
	srv := blogServer(t)
	res := New(Options{AllowPrivate: true}).Load(t.Context(), srv.URL+"/posts/lsm/", nil)
	if len(res) != 1 || res[0].Err != nil || len(res[0].Posts) != 1 {
		t.Fatalf("got %+v", res)
	}
	r := res[0]
	want := []string{srv.URL + "/feed.xml", "https://fieldnotes.example.com/atom.xml"}
	if strings.Join(r.Feeds, " ") != strings.Join(want, " ") {
		t.Errorf("feeds = %q, want %q", r.Feeds, want)
	}
	if p := r.Posts[0]; p.URL != srv.URL+"/posts/lsm/" || p.ID != p.URL || p.Title != "Write amplification in LSM trees" {
		t.Errorf("post url %q id %q title %q", p.URL, p.ID, p.Title)
	}
}

func TestLoad_URLFollowFeeds(t *testing.T) {
	srv := blogServer(t)
	res := New(Options{AllowPrivate: true, FollowFeeds: true}).Load(t.Context(), srv.URL+"/posts/lsm/", nil)
	if len(res) != 1 || res[0].Err != nil {
		t.Fatalf("got %+v", res)
	}
	if res[0].Source != srv.URL+"/feed.xml" || len(res[0].Posts) != 2 || len(res[0].Feeds) != 2 {
		t.Errorf("source %q posts %d feeds %q", res[0].Source, len(res[0].Posts), res[0].Feeds)
	}
	// Relative item links resolve against the channel link.
	if p := findTitle(res[0].Posts, "What fsync"); p == nil || p.URL != "https://durable.example.com/posts/fsync-promises/" {
		t.Errorf("post = %+v", p)
	}
}

func TestLoad_URLListing(t *testing.T) {
	srv := blogServer(t)
	res := New(Options{AllowPrivate: true}).Load(t.Context(), srv.URL+"/listing/", nil)
	if len(res) != 1 || res[0].Err != nil || len(res[0].Posts) != 3 {
		t.Fatalf("got %+v", res)
	}
	// Relative links resolve against the fetched URL, as a browser does.
	if len(res[0].Feeds) != 1 || res[0].Feeds[0] != srv.URL+"/feed.json" {
		t.Errorf("feeds = %q", res[0].Feeds)
	}
	// Entry links resolve against the canonical URL of the listing.
	if p := findTitle(res[0].Posts, "Retry budgets"); p == nil || p.URL != "https://opsjournal.example.com/posts/retry-budgets/" {
		t.Errorf("post = %+v", p)
	}
}

func TestLoad_URLOPML(t *testing.T) {
	srv := blogServer(t)
	res := New(Options{AllowPrivate: true}).Load(t.Context(), srv.URL+"/subs.opml", nil)
	if len(res) != 3 {
		t.Fatalf("got %d results, want 3", len(res))
	}
	if res[0].Err != nil || len(res[0].Posts) != 2 || res[0].Source != srv.URL+"/feed.xml" {
		t.Errorf("first feed: %+v", res[0])
	}
	if res[1].Err != nil || res[1].Source != srv.URL+"/atom.xml" {
		t.Errorf("second feed: %+v", res[1])
	}
	if res[2].Err == nil || !strings.Contains(res[2].Err.Error(), "404") || !strings.Contains(res[2].Err.Error(), "/missing.xml") {
		t.Errorf("missing feed: err = %v", res[2].Err)
	}
}

// Without AllowPrivate the SSRF guard refuses the loopback test server.
func TestLoad_URLGuard(t *testing.T) {
	srv := blogServer(t)
	res := New(Options{}).Load(t.Context(), srv.URL+"/feed.xml", nil)
	if len(res) != 1 || !errors.Is(res[0].Err, fetch.ErrBlockedAddress) || len(res[0].Posts) != 0 {
		t.Fatalf("got %+v", res)
	}
	if !strings.Contains(res[0].Err.Error(), srv.URL) {
		t.Errorf("error does not name the source: %v", res[0].Err)
	}
}

// A remote document can never make the Ingester read local files: not
// through OPML entries, not through advertised feeds.
func TestLoad_RemoteCannotNameLocalFiles(t *testing.T) {
	local := filepath.Join(testdataDir(t), "feeds", "rss2.xml")
	mux := http.NewServeMux()
	mux.HandleFunc("/subs.opml", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`<opml version="2.0"><body><outline xmlUrl="file://` + local + `"/><outline xmlUrl="` + local + `"/></body></opml>`))
	})
	mux.HandleFunc("/page", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`<html><head><link rel="alternate" type="application/rss+xml" href="file://` + local + `"></head><body><p>tiny</p></body></html>`))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	in := New(Options{AllowPrivate: true, FollowFeeds: true})

	res := in.Load(t.Context(), srv.URL+"/subs.opml", nil)
	if len(res) != 2 {
		t.Fatalf("got %d results", len(res))
	}
	for _, r := range res {
		if r.Err == nil || len(r.Posts) != 0 {
			t.Errorf("%s: loaded a local file from a remote list (%d posts, err %v)", r.Source, len(r.Posts), r.Err)
		}
	}
	res = in.Load(t.Context(), srv.URL+"/page", nil)
	if len(res) != 1 || len(res[0].Posts) != 0 || len(res[0].Feeds) != 0 || res[0].Source != srv.URL+"/page" {
		t.Errorf("followed a local feed from a remote page: %+v", res)
	}
}

func TestLoad_RemoteOnly(t *testing.T) {
	in := New(Options{RemoteOnly: true})
	for _, src := range []string{filepath.Join(testdataDir(t), "feeds", "rss2.xml"), "-", "/etc/passwd"} {
		res := in.Load(t.Context(), src, strings.NewReader("text"))
		if len(res) != 1 || res[0].Err == nil || len(res[0].Posts) != 0 {
			t.Errorf("RemoteOnly loaded %s: %+v", src, res)
		}
	}
}

// An OPML list's feeds load at most opmlConcurrency at a time, results in
// document order; once ctx ends, the feeds not yet started fail at once.
// (A pool that is too wide is caught when its extra request reaches the
// server before the test lets one go: likely, not certain.)
func TestLoad_OPMLBoundedAndCancelled(t *testing.T) {
	const feeds = 10
	var inflight, over atomic.Int32
	arrived := make(chan struct{})
	release := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("/subs.opml", func(w http.ResponseWriter, r *http.Request) {
		var b strings.Builder
		b.WriteString(`<opml version="2.0"><body>`)
		for i := range feeds {
			fmt.Fprintf(&b, `<outline xmlUrl="/f/%d.json"/>`, i)
		}
		b.WriteString(`</body></opml>`)
		w.Write([]byte(b.String()))
	})
	mux.HandleFunc("/f/", func(w http.ResponseWriter, r *http.Request) {
		if inflight.Add(1) > opmlConcurrency {
			over.Add(1)
		}
		arrived <- struct{}{}
		<-release
		inflight.Add(-1)
		fmt.Fprintf(w, `{"version":"https://jsonfeed.org/version/1.1","items":[{"id":"1","title":"%s"}]}`, r.URL.Path)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	in := New(Options{AllowPrivate: true})

	done := make(chan []SourceResult)
	go func() { done <- in.Load(t.Context(), srv.URL+"/subs.opml", nil) }()
	held := 0
	for range feeds {
		<-arrived
		if held++; held == opmlConcurrency { // the pool is full: let one finish
			release <- struct{}{}
			held--
		}
	}
	close(release)
	res := <-done
	if over.Load() > 0 {
		t.Errorf("more than %d feeds in flight at once", opmlConcurrency)
	}
	if len(res) != feeds {
		t.Fatalf("%d results, want %d", len(res), feeds)
	}
	for i, r := range res {
		if r.Err != nil || len(r.Posts) != 1 || r.Posts[0].Title != fmt.Sprintf("/f/%d.json", i) {
			t.Errorf("result %d out of order or failed: %+v", i, r)
		}
	}

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	opml := []byte(`<opml version="2.0"><body><outline xmlUrl="` + srv.URL + `/f/a.json"/><outline xmlUrl="` + srv.URL + `/f/b.json"/></body></opml>`)
	res = in.loadData(ctx, "subs.opml", opml, "", "", 0)
	if len(res) != 2 {
		t.Fatalf("cancelled: %d results, want 2", len(res))
	}
	for _, r := range res {
		if !errors.Is(r.Err, context.Canceled) {
			t.Errorf("cancelled: %s err %v, want context.Canceled", r.Source, r.Err)
		}
	}
}
