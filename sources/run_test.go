package sources

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/ingest/fetch"
)

// Run sleeps until the earliest next check, by the injected clock, polls
// what is due when the clock gets there, and sleeps again.
func TestPoller_RunFollowsTheSchedule(t *testing.T) {
	results := make(chan Result, 10)
	h := newHarness(t, func(o *Options, _ *fetch.Options) {
		o.Idle = 48 * time.Hour
		o.OnResult = func(r Result) { results <- r }
	})
	a := newFeedHost(t, items3()...)
	b := newFeedHost(t, items3()...)
	ra := h.add(a.feedURL(), AddOptions{Interval: time.Hour})
	rb := h.add(b.feedURL(), AddOptions{Interval: 90 * time.Minute})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- h.p.Run(ctx) }()

	waitTimer := func(at time.Time) {
		h.clock.WaitFor(func(p []time.Time) bool { return len(p) == 1 && p[0].Equal(at) })
	}
	waitTimer(t0.Add(time.Hour)) // a is due first
	h.clock.Set(t0.Add(time.Hour))
	if r := <-results; r.Source.ID != ra.Source.ID || r.Outcome != NotModified {
		t.Errorf("first wake polled %+v", r)
	}
	waitTimer(t0.Add(90 * time.Minute)) // then b
	h.clock.Set(t0.Add(90 * time.Minute))
	if r := <-results; r.Source.ID != rb.Source.ID {
		t.Errorf("second wake polled %+v", r)
	}
	waitTimer(t0.Add(2 * time.Hour)) // a again
	if n, _ := a.counts(); n != 2 {
		t.Errorf("a asked %d times", n)
	}
	// A source added meanwhile wakes the loop.
	c := newFeedHost(t, items3()...)
	rc := h.add(c.feedURL(), AddOptions{Interval: 20 * time.Minute})
	waitTimer(rc.Source.NextCheck)
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
}

// Shutdown during a poll abandons it without half-written state: no error
// is counted, the validators stay, and the source is due again at once.
func TestPoller_ShutdownAbandonsInFlightPolls(t *testing.T) {
	h := newHarness(t, func(o *Options, _ *fetch.Options) { o.Idle = 48 * time.Hour })
	feed := newFeedHost(t, items3()...)
	first := h.add(feed.feedURL(), AddOptions{})
	before := h.source(first.Source.ID)
	for len(feed.started) > 0 {
		<-feed.started
	}
	feed.setFail(&failure{hang: true})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- h.p.Run(ctx) }()
	h.clock.WaitFor(func(p []time.Time) bool { return len(p) == 1 })
	h.clock.Set(before.NextCheck)
	<-feed.started // the poll is in flight
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	after := h.source(first.Source.ID)
	if after.Errors != 0 || after.Status != semsearch.StatusOK || after.ETag != before.ETag || after.LastChecked != before.LastChecked {
		t.Errorf("abandoned poll left state: %+v", after)
	}
	if !after.NextCheck.Equal(before.NextCheck) {
		t.Errorf("next check %v, want due at once (%v)", after.NextCheck, before.NextCheck)
	}
	if err := h.store.Verify(context.Background()); err != nil {
		t.Error(err)
	}
}

// A subscribed directory is re-scanned: a changed file is re-indexed, a
// new one added, a deleted one's post removed from every index.
func TestPoller_Directory(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t)
	dir := t.TempDir()
	write := func(name, text string, mtime time.Time) {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	write("a.md", "---\ntitle: A\n---\nAbout apples and their orchards.\n", t0)
	write("b.md", "---\ntitle: B\n---\nAbout bananas and their plantations.\n", t0)
	write(".hidden.md", "---\ntitle: H\n---\nNever read.\n", t0)
	first := h.add(dir, AddOptions{})
	if first.Source.Kind != semsearch.KindDir || first.New != 2 {
		t.Fatalf("add dir: %+v", first)
	}
	inputs := h.embed.Inputs()
	h.clock.Set(first.Source.NextCheck)
	if res := h.pollDue(1)[0]; res.Outcome != NotModified || h.embed.Inputs() != inputs {
		t.Errorf("unchanged dir: %+v", res)
	}
	write("a.md", "---\ntitle: A\n---\nAbout apples, pears and quinces.\n", t0.Add(time.Hour))
	write("c.md", "---\ntitle: C\n---\nAbout cherries.\n", t0.Add(time.Hour))
	if err := os.Remove(filepath.Join(dir, "b.md")); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(h.source(first.Source.ID).NextCheck)
	res := h.pollDue(1)[0]
	if res.Outcome != Updated || res.New != 1 || res.Changed != 1 || h.embed.Inputs()-inputs != 2 {
		t.Errorf("changed dir: %+v, %d chunks embedded", res, h.embed.Inputs()-inputs)
	}
	var titles []string
	for _, id := range h.postIDs() {
		p, _ := h.store.Post(ctx, id)
		titles = append(titles, p.Title)
	}
	slices.Sort(titles)
	if strings.Join(titles, ",") != "A,C" {
		t.Errorf("posts %v, want A and C", titles)
	}
	if got := h.source(first.Source.ID); got.Posts != 2 {
		t.Errorf("source counts %d posts", got.Posts)
	}
	if err := h.store.Verify(ctx); err != nil {
		t.Error(err)
	}
}

// Add decides what a source is from its content.
func TestPoller_AddKinds(t *testing.T) {
	s := newFeedHost(t, items3()...)
	h := newHarness(t, autoClock)
	pages := map[string]string{
		"/page-with-feed": `<html><head><title>Blog</title><link rel="alternate" type="application/rss+xml" href="/feed2.xml"></head><body><p>hi</p></body></html>`,
		"/listing":        listingHTML(s.URL),
		"/article":        articleHTML("An article", "marker"),
		"/list.opml":      `<?xml version="1.0"?><opml version="2.0"><body><outline text="one" xmlUrl="` + s.URL + `/f1.xml"/><outline text="two" xmlUrl="` + s.URL + `/f2.xml"/></body></opml>`,
		"/sitemap.xml":    `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>` + s.URL + `/article</loc></url></urlset>`,
		"/listing.txt":    "Post one\n2025-01-02\nThe first post's summary, long enough.\n\nPost two\n2025-01-01\nThe second post's summary.\n",
	}
	for path, body := range pages {
		s.static(path, body)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "p.md"), []byte("---\ntitle: P\n---\nText.\n"), 0o644)
	tests := []struct {
		src   string
		opts  AddOptions
		kinds []semsearch.SourceKind
		urls  []string
	}{
		{s.feedURL(), AddOptions{}, []semsearch.SourceKind{semsearch.KindFeed}, []string{s.feedURL()}},
		{s.URL + "/page-with-feed", AddOptions{Interval: time.Hour}, []semsearch.SourceKind{semsearch.KindFeed}, []string{s.URL + "/feed2.xml"}},
		{s.URL + "/listing", AddOptions{}, []semsearch.SourceKind{semsearch.KindSite}, []string{s.URL + "/listing"}},
		{s.URL + "/article", AddOptions{}, []semsearch.SourceKind{semsearch.KindPage}, []string{s.URL + "/article"}},
		{s.URL + "/list.opml", AddOptions{}, []semsearch.SourceKind{semsearch.KindFeed, semsearch.KindFeed}, []string{s.URL + "/f1.xml", s.URL + "/f2.xml"}},
		{s.URL + "/sitemap.xml", AddOptions{}, []semsearch.SourceKind{semsearch.KindSitemap}, []string{s.URL + "/sitemap.xml"}},
		{s.URL + "/listing.txt", AddOptions{}, []semsearch.SourceKind{semsearch.KindPage}, []string{s.URL + "/listing.txt"}},
		{dir, AddOptions{}, []semsearch.SourceKind{semsearch.KindDir}, []string{dir}},
		{filepath.Join(dir, "p.md"), AddOptions{}, []semsearch.SourceKind{semsearch.KindFile}, []string{filepath.Join(dir, "p.md")}},
	}
	for _, tt := range tests {
		res := h.p.Add(context.Background(), tt.src, tt.opts)
		var kinds []semsearch.SourceKind
		var urls []string
		for _, r := range res {
			if r.Err != nil {
				t.Errorf("Add(%s): %v", tt.src, r.Err)
			}
			kinds, urls = append(kinds, r.Source.Kind), append(urls, r.Source.URL)
		}
		if !slices.Equal(kinds, tt.kinds) || !slices.Equal(urls, tt.urls) {
			t.Errorf("Add(%s) = %v %v, want %v %v", tt.src, kinds, urls, tt.kinds, tt.urls)
		}
	}
	// The page advertising a feed is the feed's site; the chosen interval sticks.
	subs, _ := h.p.Sources(context.Background())
	if subs[1].SiteURL != s.URL+"/page-with-feed" || subs[1].Interval != time.Hour {
		t.Errorf("feed found on a page: %+v", subs[1])
	}
	// Refusals subscribe nothing.
	refused := []struct {
		src  string
		opts AddOptions
		want string
	}{
		{s.feedURL(), AddOptions{}, "already subscribed"},
		{s.URL + "/missing", AddOptions{}, "404"},
		{dir, AddOptions{RemoteOnly: true}, "only http(s)"},
		{s.URL + "/x", AddOptions{Interval: time.Minute}, "shorter than"},
		{filepath.Join(dir, "nope"), AddOptions{}, "no such file"},
	}
	for _, r := range refused {
		res := h.p.Add(context.Background(), r.src, r.opts)
		if len(res) != 1 || res[0].Err == nil || !strings.Contains(res[0].Err.Error(), r.want) || res[0].Source.ID != 0 {
			t.Errorf("Add(%s, %+v) = %+v, want an error saying %q", r.src, r.opts, res, r.want)
		}
	}
	after, _ := h.p.Sources(context.Background())
	if len(after) != len(subs) {
		t.Errorf("refused adds subscribed %d sources", len(after)-len(subs))
	}
}
