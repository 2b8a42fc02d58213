package sources

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/ingest/fetch"
)

// The second poll of an unchanged feed sends its validators, gets a 304,
// parses nothing and embeds nothing: one request.
func TestPoller_UnchangedFeedCostsOneRequest(t *testing.T) {
	h := newHarness(t)
	feed := newFeedHost(t, items3()...)
	first := h.add(feed.feedURL(), AddOptions{})
	if first.Outcome != Updated || first.New != 3 || first.HTTPStatus != 200 || first.Source.Kind != semsearch.KindFeed {
		t.Fatalf("add: %+v", first)
	}
	if n, _ := feed.counts(); n != 1 {
		t.Errorf("add made %d requests, want 1", n)
	}
	embeds := h.embed.Requests()
	if embeds == 0 {
		t.Fatal("nothing embedded on add")
	}
	for i := 0; i < 3; i++ {
		h.clock.Set(h.source(first.Source.ID).NextCheck)
		res := h.pollDue(1)[0]
		if res.Outcome != NotModified || res.HTTPStatus != 304 || res.Requests != 1 {
			t.Fatalf("poll %d: %+v", i, res)
		}
	}
	n, cond := feed.counts()
	if n != 4 || cond != 3 {
		t.Errorf("%d requests (%d conditional), want 4 (3)", n, cond)
	}
	hdr := feed.lastHeader()
	if hdr.Get("If-None-Match") == "" || hdr.Get("If-Modified-Since") == "" {
		t.Errorf("conditional headers not sent: %v", hdr)
	}
	if got := h.embed.Requests(); got != embeds {
		t.Errorf("304 polls made %d embedding calls", got-embeds)
	}
	st := h.p.Stats()
	if st.Fetches["200"] != 1 || st.Fetches["304"] != 3 || st.Polls["updated"] != 1 || st.Polls["not_modified"] != 3 || st.InFlight != 0 {
		t.Errorf("stats %+v", st)
	}
}

// A server without validators answers 200 with the same body: the body
// hash spares the parse and the embedding.
func TestPoller_SameBodyWithoutValidators(t *testing.T) {
	h := newHarness(t)
	feed := newFeedHost(t, items3()...)
	feed.validators = false
	first := h.add(feed.feedURL(), AddOptions{})
	embeds := h.embed.Requests()
	h.clock.Set(first.Source.NextCheck)
	res := h.pollDue(1)[0]
	if res.Outcome != NotModified || res.HTTPStatus != 200 || res.Unchanged != 0 || h.embed.Requests() != embeds {
		t.Errorf("same body: %+v, %d embedding calls", res, h.embed.Requests()-embeds)
	}
}

// A new item is stored and found, an edited one re-embedded once, a removed
// one stays; nothing else is embedded again.
func TestPoller_ChangedFeedUpdatesOnlyChangedPosts(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t)
	feed := newFeedHost(t, items3()...)
	first := h.add(feed.feedURL(), AddOptions{})
	inputs := h.embed.Inputs()
	its := items3()
	its[1].text = "Bravo now explains LSM trees and compaction instead."
	feed.set(its[1], its[2], item{"d", "Delta", "Delta introduces zanzibarite, a word no other post has.", t0.Add(time.Hour)})
	h.clock.Set(first.Source.NextCheck)
	res := h.pollDue(1)[0]
	if res.Outcome != Updated || res.New != 1 || res.Changed != 1 || res.Unchanged != 1 || res.HTTPStatus != 200 {
		t.Fatalf("poll: %+v", res)
	}
	if got := h.embed.Inputs() - inputs; got != 2 {
		t.Errorf("%d chunks embedded, want 2 (the new and the edited post)", got)
	}
	ids := h.postIDs()
	if len(ids) != 4 {
		t.Errorf("posts %v: the removed item must stay", ids)
	}
	var found bool
	for _, id := range ids {
		p, err := h.store.Post(ctx, id)
		found = found || (err == nil && strings.Contains(p.Text, "zanzibarite"))
	}
	if !found {
		t.Error("the new post is not stored")
	}
	if got := h.source(first.Source.ID); got.Posts != 4 || got.Errors != 0 || got.Status != semsearch.StatusOK {
		t.Errorf("source after poll: %+v", got)
	}
	// The edit went in once: the next poll is a 304 again.
	h.clock.Set(h.source(first.Source.ID).NextCheck)
	if res := h.pollDue(1)[0]; res.Outcome != NotModified || h.embed.Inputs()-inputs != 2 {
		t.Errorf("after the change: %+v", res)
	}
}

// 500s back off exponentially (1m, 2m, 4m, ... capped at 24h), asserted on
// the injected clock; the source is never given up and recovers.
func TestPoller_BackoffOn500(t *testing.T) {
	h := newHarness(t)
	feed := newFeedHost(t, items3()...)
	first := h.add(feed.feedURL(), AddOptions{})
	etag := h.source(first.Source.ID).ETag
	feed.setFail(&failure{status: 500})
	want := []time.Duration{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 1440, 1440, 1440}
	h.clock.Set(first.Source.NextCheck)
	before, _ := feed.counts()
	for i, w := range want {
		// Not due a second early.
		if i > 0 {
			h.clock.Set(h.source(first.Source.ID).NextCheck.Add(-time.Second))
			h.pollDue(0)
			h.clock.Advance(time.Second)
		}
		now := h.clock.Now()
		res := h.pollDue(1)[0]
		sub := h.source(first.Source.ID)
		if res.Outcome != Failed || res.HTTPStatus != 500 || sub.Errors != i+1 || sub.Status != semsearch.StatusError {
			t.Fatalf("poll %d: %+v / %+v", i, res, sub)
		}
		if got := sub.NextCheck.Sub(now); got != w*time.Minute {
			t.Errorf("after error %d: next check in %v, want %v", i+1, got, w*time.Minute)
		}
		if !strings.Contains(sub.LastError, "500") || sub.ETag != etag {
			t.Errorf("after error %d: last error %q, etag %q", i+1, sub.LastError, sub.ETag)
		}
	}
	if n, _ := feed.counts(); n-before != len(want) {
		t.Errorf("%d requests for %d polls", n-before, len(want))
	}
	if st := h.p.Stats(); st.Fetches["error"] != uint64(len(want)) || st.Polls["error"] != uint64(len(want)) {
		t.Errorf("stats %+v", st)
	}
	if len(h.postIDs()) != 3 {
		t.Error("posts lost while the feed failed")
	}
	feed.setFail(nil)
	h.clock.Set(h.source(first.Source.ID).NextCheck)
	res := h.pollDue(1)[0]
	sub := h.source(first.Source.ID)
	if res.Outcome != NotModified || sub.Errors != 0 || sub.Status != semsearch.StatusOK || sub.LastError != "" {
		t.Errorf("recovery: %+v / %+v", res, sub)
	}
}

// Jitter spreads every wait by ±10%.
func TestPoller_Jitter(t *testing.T) {
	h := newHarness(t, func(o *Options, _ *fetch.Options) { o.Rand = nil })
	for i := 0; i < 200; i++ {
		d := h.p.jitter(time.Hour)
		if d < 54*time.Minute || d >= 66*time.Minute {
			t.Fatalf("jitter(1h) = %v", d)
		}
	}
	next, ra := h.p.nextAfterError(1, t0, http.Header{"Retry-After": {"120"}})
	if ra != 120*time.Second || next.Before(t0.Add(120*time.Second)) || !next.Before(t0.Add(133*time.Second)) {
		t.Errorf("Retry-After 120: next %v, ra %v", next.Sub(t0), ra)
	}
}

// A 429 with Retry-After: 120 is honoured; a storm of them makes the
// backoff grow past it; the other sources of that host wait too, unasked.
func TestPoller_RetryAfter429(t *testing.T) {
	h := newHarness(t)
	feed := newFeedHost(t, items3()...)
	first := h.add(feed.feedURL(), AddOptions{})
	second := h.add(feed.URL+"/other.xml", AddOptions{Interval: 30 * time.Minute})
	feed.setFail(&failure{status: 429, header: map[string]string{"Retry-After": "120"}})
	h.clock.Set(first.Source.NextCheck)
	// The first answers 429 and holds the host; the second, due, waits
	// without a request.
	var delays []time.Duration
	for i := 0; i < 5; i++ {
		now := h.clock.Now()
		before, _ := feed.counts()
		res, err := h.p.PollNow(context.Background(), first.Source.ID)
		if err != nil || res.HTTPStatus != 429 {
			t.Fatalf("poll %d: %+v, %v", i, res, err)
		}
		if n, _ := feed.counts(); n != before+1 {
			t.Fatalf("poll %d made %d requests", i, n-before)
		}
		sub := h.source(first.Source.ID)
		d := sub.NextCheck.Sub(now)
		if d < 120*time.Second {
			t.Errorf("429 %d: next check in %v, before Retry-After", i+1, d)
		}
		if !strings.Contains(sub.LastError, "retry after 2m0s") {
			t.Errorf("last error %q", sub.LastError)
		}
		delays = append(delays, d)
		// The other source of the host is held until then, with no request.
		before, _ = feed.counts()
		h.clock.Set(laterOf(h.clock.Now(), second.Source.NextCheck))
		if got, _ := h.p.PollDue(context.Background(), false); len(got) == 1 && got[0].Err == nil {
			t.Errorf("held host polled: %+v", got[0])
		}
		if n, _ := feed.counts(); n != before {
			t.Errorf("held host got %d requests", n-before)
		}
		h.clock.Set(sub.NextCheck)
	}
	want := []time.Duration{126, 126, 240, 480, 960}
	for i, w := range want {
		if delays[i] != w*time.Second {
			t.Errorf("delays %v, want %v seconds", delays, want)
			break
		}
	}
	if got := h.source(second.Source.ID); got.Errors != 0 {
		t.Errorf("held source counted %d errors", got.Errors)
	}
}

// A timeout is an error like any other: recorded, backed off.
func TestPoller_Timeout(t *testing.T) {
	h := newHarness(t, func(_ *Options, fo *fetch.Options) { fo.Timeout = 300 * time.Millisecond })
	feed := newFeedHost(t, items3()...)
	first := h.add(feed.feedURL(), AddOptions{})
	feed.setFail(&failure{hang: true})
	h.clock.Set(first.Source.NextCheck)
	res := h.pollDue(1)[0]
	sub := h.source(first.Source.ID)
	if res.Outcome != Failed || sub.Errors != 1 || !strings.Contains(strings.ToLower(sub.LastError), "timeout") {
		t.Errorf("timeout: %+v / last error %q", res, sub.LastError)
	}
	if sub.NextCheck.Sub(h.clock.Now()) != time.Minute {
		t.Errorf("next check in %v", sub.NextCheck.Sub(h.clock.Now()))
	}
}

// Each kind of failure leaves a clear error in the source row and loses
// nothing: the posts stay, the validators stay.
func TestPoller_FailuresAreRecorded(t *testing.T) {
	png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 64)...)
	tests := []struct {
		name    string
		fail    *failure
		status  int
		wantErr string
		is      error
	}{
		{"malformed feed", &failure{status: 200, contentType: "application/rss+xml", body: []byte(`<?xml version="1.0"?><rss><channel><item><title>cut`)}, 200, "feed", nil},
		{"huge body", &failure{status: 200, contentType: "application/rss+xml", body: []byte("<rss>" + strings.Repeat("x", 200<<10) + "</rss>")}, 0, "limit of 65536 bytes", fetch.ErrTooLarge},
		{"wrong content type", &failure{status: 200, contentType: "image/png", body: png}, 200, "content type image/png", nil},
		{"binary octet stream", &failure{status: 200, contentType: "application/octet-stream", body: png}, 200, "is not a feed", nil},
		{"redirect to metadata", &failure{status: 302, location: "http://169.254.169.254/latest/meta-data/"}, 0, "address not allowed", fetch.ErrBlockedAddress},
		{"not found", &failure{status: 404}, 404, "404", nil},
		{"server error", &failure{status: 503}, 503, "503", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, func(_ *Options, fo *fetch.Options) { fo.MaxBodyBytes = 64 << 10 })
			feed := newFeedHost(t, items3()...)
			first := h.add(feed.feedURL(), AddOptions{})
			before := h.source(first.Source.ID)
			feed.setFail(tt.fail)
			h.clock.Set(before.NextCheck)
			res := h.pollDue(1)[0]
			sub := h.source(first.Source.ID)
			if res.Outcome != Failed || sub.Status != semsearch.StatusError || sub.Errors != 1 || sub.HTTPStatus != tt.status {
				t.Errorf("%+v / %+v", res, sub)
			}
			if !strings.Contains(sub.LastError, tt.wantErr) {
				t.Errorf("last error %q, want it to say %q", sub.LastError, tt.wantErr)
			}
			if tt.is != nil && !errors.Is(res.Err, tt.is) {
				t.Errorf("err %v, want %v", res.Err, tt.is)
			}
			if sub.ETag != before.ETag || sub.BodyHash != before.BodyHash || len(h.postIDs()) != 3 || sub.Posts != 3 {
				t.Errorf("state lost: %+v, posts %v", sub, h.postIDs())
			}
		})
	}
}

// An embedding failure fails the poll without taking the validators, so
// the next poll reads the feed in full and stores what was missed.
func TestPoller_SinkFailureKeepsValidators(t *testing.T) {
	h := newHarness(t)
	feed := newFeedHost(t, items3()...)
	first := h.add(feed.feedURL(), AddOptions{})
	before := h.source(first.Source.ID)
	feed.set(append(items3(), item{"d", "Delta", "Delta is new.", t0.Add(time.Hour)})...)
	h.sink.fail = errors.New("embedding server down")
	h.clock.Set(before.NextCheck)
	if res := h.pollDue(1)[0]; res.Outcome != Failed || !strings.Contains(h.source(first.Source.ID).LastError, "embedding server down") {
		t.Fatalf("%+v", res)
	}
	if got := h.source(first.Source.ID); got.ETag != before.ETag {
		t.Error("validators taken from a poll that failed")
	}
	h.sink.fail = nil
	h.clock.Set(h.source(first.Source.ID).NextCheck)
	if res := h.pollDue(1)[0]; res.Outcome != Updated || res.New != 1 || res.HTTPStatus != 200 {
		t.Errorf("retry: %+v", res)
	}
}

// 301 moves the source; 410 marks it gone and stops the polling until it
// is polled by hand and answers again.
func TestPoller_MovedAndGone(t *testing.T) {
	h := newHarness(t)
	feed := newFeedHost(t, items3()...)
	first := h.add(feed.feedURL(), AddOptions{})
	feed.move("/feed.xml", "/moved.xml")
	h.clock.Set(first.Source.NextCheck)
	res := h.pollDue(1)[0]
	sub := h.source(first.Source.ID)
	if res.Err != nil || sub.URL != feed.URL+"/moved.xml" {
		t.Fatalf("301: %+v, url %s", res, sub.URL)
	}
	if n := feed.paths["/feed.xml"]; n != 2 {
		t.Errorf("old URL asked %d times", n)
	}
	feed.setFail(&failure{status: 410})
	h.clock.Set(sub.NextCheck)
	res = h.pollDue(1)[0]
	sub = h.source(first.Source.ID)
	if sub.Status != semsearch.StatusGone || !sub.NextCheck.IsZero() || !strings.Contains(sub.LastError, "gone") {
		t.Fatalf("410: %+v", sub)
	}
	h.clock.Advance(60 * 24 * time.Hour)
	h.pollDue(0) // never due again
	if len(h.postIDs()) != 3 {
		t.Error("a gone source's posts must stay")
	}
	feed.setFail(nil)
	res, err := h.p.PollNow(context.Background(), first.Source.ID)
	if err != nil || res.Err != nil || h.source(first.Source.ID).Status != semsearch.StatusOK {
		t.Errorf("poll by hand of a source that came back: %+v, %v", res, err)
	}
}

// The RSS <ttl> and Cache-Control max-age push the next check out.
func TestPoller_FreshnessHints(t *testing.T) {
	h := newHarness(t)
	feed := newFeedHost(t, items3()...)
	feed.ttl = 20 * 60 // 20 hours, beyond the 12 h cadence of items3
	first := h.add(feed.feedURL(), AddOptions{})
	if d := first.Source.NextCheck.Sub(t0); d != 20*time.Hour {
		t.Errorf("ttl: next check in %v, want 20h", d)
	}
	if first.Source.Cadence != 12*time.Hour {
		t.Errorf("cadence %v, want 12h (half the daily gap)", first.Source.Cadence)
	}
}

// The registry survives a restart: a new poller on the reopened store knows
// the source, its schedule and its validators.
func TestPoller_RestartResumes(t *testing.T) {
	h := newHarness(t)
	feed := newFeedHost(t, items3()...)
	first := h.add(feed.feedURL(), AddOptions{Interval: 45 * time.Minute})
	before := h.source(first.Source.ID)
	h.store.Close()
	h.open(fetch.Options{AllowPrivate: true, Timeout: 5 * time.Second})
	subs, err := h.p.Sources(context.Background())
	if err != nil || len(subs) != 1 || subs[0] != before {
		t.Fatalf("after restart: %+v, %v\nwant %+v", subs, err, before)
	}
	h.clock.Set(before.NextCheck.Add(-time.Second))
	h.pollDue(0)
	h.clock.Set(before.NextCheck)
	if res := h.pollDue(1)[0]; res.HTTPStatus != 304 {
		t.Errorf("first poll after restart: %+v", res)
	}
	if d := h.source(first.Source.ID).NextCheck.Sub(before.NextCheck); d != 45*time.Minute {
		t.Errorf("user interval: next in %v", d)
	}
}

// Remove unsubscribes; --purge deletes the posts only that source brought.
func TestPoller_RemovePurge(t *testing.T) {
	h := newHarness(t)
	a := newFeedHost(t, items3()...)
	b := newFeedHost(t, items3()[2:]...) // shares nothing: other host, other IDs
	ra := h.add(a.feedURL(), AddOptions{})
	h.add(b.feedURL(), AddOptions{})
	n, err := h.p.Remove(context.Background(), ra.Source.ID, true)
	if err != nil || n != 3 || len(h.postIDs()) != 1 {
		t.Errorf("purge: %d, %v, left %v", n, err, h.postIDs())
	}
	if err := h.store.Verify(context.Background()); err != nil {
		t.Error(err)
	}
}

func TestScrub(t *testing.T) {
	msg := scrub(`fetch https://user:xxxxx@blog.example/feed?token=abc: boom`, "https://user:tok3n@blog.example/feed?token=abc")
	if strings.Contains(msg, "tok3n") || strings.Contains(msg, "abc") {
		t.Errorf("scrub left a secret: %q", msg)
	}
}

func TestCadence(t *testing.T) {
	day := 24 * time.Hour
	posts := func(ages ...time.Duration) []semsearch.Post {
		var out []semsearch.Post
		for _, a := range ages {
			out = append(out, semsearch.Post{Published: t0.Add(-a)})
		}
		return out
	}
	tests := []struct {
		name  string
		posts []semsearch.Post
		want  time.Duration
	}{
		{"undated", []semsearch.Post{{}, {}}, 0},
		{"one", posts(0), 0},
		{"daily", posts(0, day, 2*day), 12 * time.Hour},
		{"hourly", posts(0, time.Hour, 2*time.Hour, 3*time.Hour), 30 * time.Minute},
		{"gone quiet", posts(30*day, 31*day), 15 * day},
		{"future dates ignored", posts(-10*day, 0, day), 12 * time.Hour},
	}
	for _, tt := range tests {
		if got := cadence(tt.posts, t0); got != tt.want {
			t.Errorf("%s: cadence %v, want %v", tt.name, got, tt.want)
		}
	}
}

// A feed URL's credentials are used to fetch but end up nowhere a reader
// sees: not in the posts' source, not in their IDs.
func TestPoller_CredentialsStayOutOfPosts(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t)
	feed := newFeedHost(t, items3()...)
	u := strings.Replace(feed.feedURL(), "http://", "http://me:s3cret@", 1) + "?token=t0k3n"
	res := h.add(u, AddOptions{})
	if res.Source.URL != u {
		t.Errorf("the subscription keeps its URL to fetch: %s", res.Source.URL)
	}
	for _, id := range h.postIDs() {
		p, err := h.store.Post(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range []string{p.ID, p.Source.URL, p.URL} {
			if strings.Contains(v, "s3cret") || strings.Contains(v, "t0k3n") {
				t.Errorf("post %s shows a secret: %q", id, v)
			}
		}
	}
	if hdr := feed.lastHeader(); hdr.Get("Authorization") == "" {
		t.Error("the credentials were not sent")
	}
}
