package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/internal/fakeembed"
	"github.com/semsearch/semsearch/wire"
)

// liveFeed is an RSS feed on loopback whose items the test changes; it
// answers conditional GETs and counts requests by kind.
type liveFeed struct {
	*httptest.Server
	mu          sync.Mutex
	items       []string // titles; the text mentions the title's word
	full, cond  int      // 200 answers, conditional requests
	notModified int
}

func newLiveFeed(t *testing.T, titles ...string) *liveFeed {
	f := &liveFeed{items: titles}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *liveFeed) add(title string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.items = append(f.items, title)
}

func (f *liveFeed) counts() (full, cond, notModified int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.full, f.cond, f.notModified
}

func (f *liveFeed) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>Live</title>`)
	for i, it := range f.items {
		fmt.Fprintf(&b, "<item><guid>%s/p/%d</guid><title>%s</title><link>%s/p/%d</link><pubDate>%s</pubDate><description>All about %s, and nothing else: %s %s.</description></item>",
			f.URL, i, it, f.URL, i, time.Date(2025, 1, 1+i, 0, 0, 0, 0, time.UTC).Format(time.RFC1123Z), it, it, it)
	}
	b.WriteString("</channel></rss>")
	sum := sha256.Sum256([]byte(b.String()))
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	if r.Header.Get("If-None-Match") != "" {
		f.cond++
	}
	w.Header().Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		f.notModified++
		w.WriteHeader(http.StatusNotModified)
		return
	}
	f.full++
	w.Header().Set("Content-Type", "application/rss+xml")
	w.Write([]byte(b.String()))
}

// eventually checks cond every 50ms until it holds or 30s pass: the server
// polls on the wall clock, so the test waits for what it does.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 30s", what)
		}
		<-tick.C
	}
}

// TestSemsearch_Subscriptions runs `serve` on a real port with a fake feed
// host and a fake embedding server: a feed added over the API is polled in
// the background with conditional GETs that embed nothing, a new item
// added to the feed is found by search after the poller picks it up, and
// the CLI's add, sources, poll and remove print the contract's bodies.
func TestSemsearch_Subscriptions(t *testing.T) {
	embed := fakeembed.New()
	defer embed.Close()
	env := hostileEnv(t, embed.URL+"/v1")
	feed := newLiveFeed(t, "Aardvarks", "Badgers", "Capybaras")
	const key = "k3y"
	srv := startServer(t, env, "--api-key", key, "--allow-private", "--poll-min-interval", "1s")
	auth := []string{"Authorization", "Bearer " + key}

	feedURL := strings.Replace(feed.URL, "http://", "http://reader:pa55@", 1) + "/feed.xml?token=t0ps3cret"
	body, _ := json.Marshal(wire.SubscribeRequest{URL: feedURL, Interval: "1s"})
	status, _, data := send(t, "POST", srv.URL+"/api/sources", body)
	if status != http.StatusUnauthorized {
		t.Fatalf("subscribe without the key: %d %s", status, data)
	}
	status, _, data = send(t, "POST", srv.URL+"/api/sources", body, auth...)
	if status != http.StatusCreated {
		t.Fatalf("subscribe: %d %s", status, data)
	}
	var added wire.SubscribeResponse
	json.Unmarshal(data, &added)
	if len(added.Sources) != 1 || added.Ingest.Posts != 3 || added.Sources[0].Kind != "feed" {
		t.Fatalf("subscribe: %s", data)
	}
	if strings.Contains(string(data), "pa55") || strings.Contains(string(data), "t0ps3cret") {
		t.Errorf("secrets in the answer: %s", data)
	}
	id := added.Sources[0].ID
	status, _, _ = send(t, "POST", srv.URL+"/api/sources", body, auth...)
	if status != http.StatusConflict {
		t.Errorf("subscribing twice: %d", status)
	}

	search := func(q string) []semsearch.Result {
		var res wire.SearchResponse
		do(t, "GET", srv.URL+"/api/search?mode=lexical&k=3&q="+url.QueryEscape(q), nil, http.StatusOK, &res)
		return res.Results
	}
	if r := search("capybaras"); len(r) == 0 || r[0].Title != "Capybaras" {
		t.Fatalf("search after subscribing: %v", resultTitles(r))
	}

	// The background poller re-reads the feed conditionally: 304s, no embedding.
	embeds := embed.Requests()
	eventually(t, "two 304 polls", func() bool { _, _, nm := feed.counts(); return nm >= 2 })
	if got := embed.Requests(); got != embeds {
		t.Errorf("304 polls made %d embedding calls", got-embeds)
	}

	// A new item is found once the poller has seen it.
	feed.add("Quokkaphants")
	eventually(t, "the new post searchable", func() bool {
		r := search("quokkaphants")
		return len(r) > 0 && r[0].Title == "Quokkaphants"
	})
	var list wire.SourcesResponse
	do(t, "GET", srv.URL+"/api/sources", nil, http.StatusOK, &list)
	if len(list.Sources) != 1 || list.Sources[0].Posts != 4 || list.Sources[0].Status != "ok" || list.Sources[0].Errors != 0 {
		t.Errorf("sources after the change: %+v", list)
	}
	if strings.Contains(list.Sources[0].URL, "pa55") || strings.Contains(list.Sources[0].URL, "t0ps3cret") {
		t.Errorf("secrets in the list: %s", list.Sources[0].URL)
	}
	var polled wire.PollResponse
	do(t, "POST", fmt.Sprintf("%s/api/sources/%d/poll", srv.URL, id), nil, http.StatusOK, &polled, auth...)
	if len(polled.Sources) != 1 || polled.Sources[0].Result != "not_modified" || polled.Sources[0].HTTPStatus != 304 {
		t.Errorf("poll now: %+v", polled)
	}
	_, _, metrics := send(t, "GET", srv.URL+"/metrics", nil)
	for _, want := range []string{`semsearch_source_fetches_total{result="304"}`, `semsearch_source_polls_total{result="updated"}`, "semsearch_sources_due"} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	srv.stop(t)

	// The registry survives the restart; the CLI shows it and polls it.
	out := cli(t, env, 0, "sources", "--json")
	var cliList map[string][]map[string]any
	json.Unmarshal(out, &cliList)
	if len(cliList["sources"]) != 1 {
		t.Fatalf("sources --json: %s", out)
	}
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range cliList["sources"][0] {
			if !yield(k) {
				return
			}
		}
	})
	if want := []string{"errors", "http_status", "id", "kind", "last_checked", "last_error", "next_check", "posts", "status", "url"}; !slices.Equal(keys, want) {
		t.Errorf("sources --json keys %v, want %v", keys, want)
	}
	out = cli(t, env, 0, "poll", "--all", "--json")
	var cliPoll map[string][]map[string]any
	json.Unmarshal(out, &cliPoll)
	if p := cliPoll["sources"]; len(p) != 1 || p[0]["result"] != "not_modified" || p[0]["http_status"] != float64(304) {
		t.Errorf("poll --all --json: %s", out)
	}
	for _, k := range []string{"url", "result", "http_status", "new", "changed", "unchanged"} {
		if _, ok := cliPoll["sources"][0][k]; !ok {
			t.Errorf("poll --json lacks %q: %s", k, out)
		}
	}

	// add --json prints the ingest body; a directory is a source too.
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "note.md"), []byte("---\ntitle: Wombat burrows\n---\nWombats dig long burrows.\n"), 0o644)
	out = cli(t, env, 0, "add", "--json", dir)
	if got := keysOf(t, out); !slices.Equal(got, []string{"chunks", "posts", "sources", "unchanged"}) {
		t.Errorf("add --json keys %v: %s", got, out)
	}
	cli(t, env, 1, "add", dir) // already subscribed
	cli(t, env, 2, "add", "--interval", "1m", feed.URL+"/other.xml")

	// remove --purge takes the feed's posts, and only them.
	out = cli(t, env, 0, "remove", "--purge", fmt.Sprint(id))
	if !strings.Contains(string(out), "and 4 of its posts") {
		t.Errorf("remove --purge: %s", out)
	}
	var stats semsearch.Stats
	json.Unmarshal(cli(t, env, 0, "stats", "--json"), &stats)
	if stats.Posts != 1 {
		t.Errorf("%d posts after the purge, want the directory's 1", stats.Posts)
	}
	cli(t, env, 1, "remove", fmt.Sprint(id))
}
