package sources

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/chunk"
	"github.com/semsearch/semsearch/embed/openai"
	"github.com/semsearch/semsearch/index"
	"github.com/semsearch/semsearch/ingest"
	"github.com/semsearch/semsearch/ingest/fetch"
	"github.com/semsearch/semsearch/internal/fakeclock"
	"github.com/semsearch/semsearch/internal/fakeembed"
)

var t0 = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// autoClock makes a harness's clock run by itself through waits: for
// crawls, which pace their requests (and not for tests of Run).
func autoClock(o *Options, _ *fetch.Options) { o.Clock = fakeclock.NewAuto(t0) }

// storeSink is a real Sink over a real store: it chunks each post, embeds
// the chunks on the fake embedding server (which counts the calls) and
// stores them, as app.IngestPosts does.
type storeSink struct {
	store *index.Store
	emb   semsearch.Embedder
	mu    sync.Mutex
	fail  error // when set, IngestPosts fails with it
}

func (s *storeSink) IngestPosts(ctx context.Context, source string, posts []semsearch.Post) (semsearch.SourceReport, error) {
	s.mu.Lock()
	fail := s.fail
	s.mu.Unlock()
	rep := semsearch.SourceReport{Source: source}
	if fail != nil {
		return rep, fail
	}
	// One embedding call for the whole batch, as app.IngestPosts makes.
	var docs []index.Doc
	var texts []string
	for _, p := range posts {
		chunks := chunk.Split(p, chunk.Options{})
		for _, c := range chunks {
			texts = append(texts, c.Context)
		}
		docs = append(docs, index.Doc{Post: p, Chunks: chunks})
		rep.Posts++
		rep.Chunks += len(chunks)
	}
	vecs, err := s.emb.EmbedPassages(ctx, texts)
	if err != nil {
		return rep, err
	}
	for i := range docs {
		docs[i].Vecs, vecs = vecs[:len(docs[i].Chunks)], vecs[len(docs[i].Chunks):]
	}
	return rep, s.store.PutMany(ctx, docs)
}

// harness is a poller over a real store in a temp dir, a fake embedding
// server, real HTTP clients and a fake clock.
type harness struct {
	t     testing.TB
	dir   string
	store *index.Store
	sink  *storeSink
	embed *fakeembed.Server
	clock *fakeclock.Clock
	p     *Poller
	opts  Options
}

func newHarness(t testing.TB, tweak ...func(*Options, *fetch.Options)) *harness {
	t.Helper()
	h := &harness{t: t, dir: t.TempDir(), embed: fakeembed.New(), clock: fakeclock.New(t0)}
	t.Cleanup(h.embed.Close)
	emb, err := openai.New(context.Background(), openai.Config{BaseURL: h.embed.URL + "/v1", Model: "fake", Dims: fakeembed.Dims})
	if err != nil {
		t.Fatal(err)
	}
	h.opts = Options{Clock: h.clock, Rand: func() float64 { return 0.5 }} // jitter factor exactly 1
	fo := fetch.Options{AllowPrivate: true, Timeout: 5 * time.Second}
	for _, f := range tweak {
		f(&h.opts, &fo)
	}
	if c, ok := h.opts.Clock.(*fakeclock.Clock); ok {
		h.clock = c
	}
	h.sink = &storeSink{emb: emb}
	h.open(fo)
	return h
}

// open (re)opens the store and builds a poller over it.
func (h *harness) open(fo fetch.Options) {
	store, err := index.Open(context.Background(), filepath.Join(h.dir, "data"), "fake", fakeembed.Dims)
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { store.Close() })
	h.store = store
	h.sink.store = store
	client := fetch.New(fo)
	h.p = New(Deps{Registry: store, Sink: h.sink, Fetch: client, FetchPrivate: client, Loader: ingest.New(ingest.Options{})}, h.opts)
}

func (h *harness) add(src string, opts AddOptions) Result {
	h.t.Helper()
	res := h.p.Add(context.Background(), src, opts)
	if len(res) != 1 {
		h.t.Fatalf("Add(%s) gave %d results", src, len(res))
	}
	if res[0].Err != nil {
		h.t.Fatalf("Add(%s): %v", src, res[0].Err)
	}
	return res[0]
}

// pollDue polls what is due and expects exactly n results.
func (h *harness) pollDue(n int) []Result {
	h.t.Helper()
	res, err := h.p.PollDue(context.Background(), false)
	if err != nil {
		h.t.Fatal(err)
	}
	if len(res) != n {
		h.t.Fatalf("PollDue: %d results, want %d: %+v", len(res), n, res)
	}
	return res
}

func (h *harness) source(id int64) semsearch.Subscription {
	h.t.Helper()
	sub, err := h.store.Source(context.Background(), id)
	if err != nil {
		h.t.Fatal(err)
	}
	return sub
}

func (h *harness) postIDs() []string {
	h.t.Helper()
	ids, err := h.store.PostIDs(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	return ids
}

// item is one entry of a served feed.
type item struct {
	guid, title, text string
	date              time.Time
}

// failure is how a feed host misbehaves.
type failure struct {
	status      int
	header      map[string]string
	body        []byte
	contentType string
	location    string
	hang        bool // wait until the client gives up
}

// feedHost serves an RSS feed whose items the test edits. It answers
// conditional requests (ETag and Last-Modified change with the content),
// counts requests and keeps the last request's headers.
type feedHost struct {
	*httptest.Server
	mu          sync.Mutex
	items       []item
	version     int
	validators  bool
	ttl         int // <ttl> minutes, 0 = none
	fail        *failure
	paths       map[string]int
	requests    int
	conditional int
	last        http.Header
	started     chan struct{} // a request arrived (buffered)
	movedFrom   string        // answers 301 to movedTo
	movedTo     string
	pages       map[string]string // static pages by path; other .xml paths serve the feed
}

// static serves body at path (content type sniffed from it).
func (f *feedHost) static(path, body string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.pages == nil {
		f.pages = map[string]string{}
	}
	f.pages[path] = body
}

// move makes from answer a permanent redirect to to.
func (f *feedHost) move(from, to string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.movedFrom, f.movedTo = from, to
}

func newFeedHost(t *testing.T, items ...item) *feedHost {
	t.Helper()
	f := &feedHost{items: items, validators: true, paths: map[string]int{}, started: make(chan struct{}, 100)}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *feedHost) feedURL() string { return f.URL + "/feed.xml" }

func (f *feedHost) set(items ...item) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.items = items
	f.version++
}

func (f *feedHost) setFail(fl *failure) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail = fl
}

func (f *feedHost) counts() (requests, conditional int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests, f.conditional
}

func (f *feedHost) lastHeader() http.Header {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.last
}

func (f *feedHost) body() []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Test Feed</title><link>` + f.URL + `/</link>`)
	if f.ttl > 0 {
		fmt.Fprintf(&b, "<ttl>%d</ttl>", f.ttl)
	}
	for _, it := range f.items {
		fmt.Fprintf(&b, "<item><guid>%s</guid><title>%s</title><link>%s/posts/%s</link><pubDate>%s</pubDate><description>%s</description></item>",
			html.EscapeString(it.guid), html.EscapeString(it.title), f.URL, it.guid, it.date.Format(time.RFC1123Z), html.EscapeString(it.text))
	}
	b.WriteString("</channel></rss>")
	return []byte(b.String())
}

func (f *feedHost) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests++
	f.paths[r.URL.Path]++
	f.last = r.Header.Clone()
	if r.Header.Get("If-None-Match") != "" || r.Header.Get("If-Modified-Since") != "" {
		f.conditional++
	}
	fl := f.fail
	if r.URL.Path == f.movedFrom {
		to := f.movedTo
		f.mu.Unlock()
		http.Redirect(w, r, to, http.StatusMovedPermanently)
		return
	}
	static, isStatic := f.pages[r.URL.Path]
	body := f.body()
	validators := f.validators
	lastMod := t0.Add(time.Duration(f.version) * time.Hour).Format(http.TimeFormat)
	f.mu.Unlock()
	select {
	case f.started <- struct{}{}:
	default:
	}
	if isStatic {
		ct := "text/html; charset=utf-8"
		switch {
		case strings.HasSuffix(r.URL.Path, ".txt"):
			ct = "text/plain; charset=utf-8"
		case strings.HasPrefix(static, "<?xml"):
			ct = "application/xml"
		}
		w.Header().Set("Content-Type", ct)
		w.Write([]byte(static))
		return
	}
	if !strings.HasSuffix(r.URL.Path, ".xml") {
		http.NotFound(w, r)
		return
	}
	if fl != nil {
		for k, v := range fl.header {
			w.Header().Set(k, v)
		}
		switch {
		case fl.hang:
			<-r.Context().Done()
			return
		case fl.location != "":
			http.Redirect(w, r, fl.location, fl.status)
			return
		case fl.body != nil:
			if fl.contentType != "" {
				w.Header().Set("Content-Type", fl.contentType)
			}
			if fl.status != 0 {
				w.WriteHeader(fl.status)
			}
			w.Write(fl.body)
			return
		case fl.status != 0:
			w.WriteHeader(fl.status)
			return
		}
	}
	if validators {
		sum := sha256.Sum256(body)
		etag := `"` + hex.EncodeToString(sum[:8]) + `"`
		w.Header().Set("ETag", etag)
		w.Header().Set("Last-Modified", lastMod)
		if r.Header.Get("If-None-Match") == etag || (r.Header.Get("If-None-Match") == "" && r.Header.Get("If-Modified-Since") == lastMod) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	w.Header().Set("Content-Type", "application/rss+xml")
	w.Write(body)
}

// items3 is a small feed, one post a day up to t0.
func items3() []item {
	return []item{
		{"a", "Alpha", "Alpha talks about write-ahead logs and fsync.", t0.Add(-48 * time.Hour)},
		{"b", "Bravo", "Bravo explains B-trees and page splits.", t0.Add(-24 * time.Hour)},
		{"c", "Charlie", "Charlie measures cache misses in hot loops.", t0},
	}
}

// articleHTML is an article page with enough text for extraction.
func articleHTML(title, marker string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<!doctype html><html><head><title>%s</title></head><body><article><h1>%s</h1>", title, title)
	for i := 0; i < 4; i++ {
		fmt.Fprintf(&b, "<p>Paragraph %d of %s goes on at length about the subject, so that the extractor keeps it as the main content. %s</p>", i, title, marker)
	}
	b.WriteString("</article></body></html>")
	return b.String()
}

// listingHTML is a blog index whose three entries link to pages of base.
func listingHTML(base string) string {
	var b strings.Builder
	b.WriteString("<!doctype html><html><head><title>Index</title></head><body><main>")
	for i, title := range []string{"First", "Second", "Third"} {
		fmt.Fprintf(&b, `<article><h2><a href="%s/posts/%d">%s</a></h2><time datetime="2025-01-0%d">Jan %d</time><p>Teaser of %s.</p></article>`, base, i, title, i+1, i+1, title)
	}
	b.WriteString("</main></body></html>")
	return b.String()
}
