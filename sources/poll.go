package sources

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/ingest"
	"github.com/semsearch/semsearch/ingest/fetch"
	"github.com/semsearch/semsearch/sources/crawl"
)

// pollOut is what reading a source gave. It is applied to the subscription
// only once the whole poll has succeeded, so a failed poll keeps the old
// validators and the next one reads the source in full again.
type pollOut struct {
	status        int
	notModified   bool // nothing was parsed: 304, or the same body as last time
	moved         string
	etag, lastMod string
	bodyHash      string
	hint          time.Duration // freshness the server or feed asks for
	cadence       time.Duration // learned publishing cadence; 0 keeps the old one
	title         string
	posts         []semsearch.Post
	pages         []semsearch.SourcePage
	dropPages     []string
	dropPosts     []string // posts whose file is gone (local sources)
	partial       string   // page errors of a crawl or a scan, kept as last_error
	requests      int
	throttled     http.Header // a crawl stopped by 429/503 midway
	soon          bool        // more to read: poll again after MinInterval
}

// pollSource polls one claimed source and records the outcome. pre is the
// source's document when Add already fetched it.
func (p *Poller) pollSource(ctx context.Context, sub semsearch.Subscription, pre *fetch.Response) Result {
	start := time.Now()
	res := p.poll(ctx, sub, pre)
	if !errors.Is(res.Err, errAbandoned) {
		p.stats.record(res, time.Since(start))
	}
	return res
}

// poll is pollSource without the counting.
func (p *Poller) poll(ctx context.Context, sub semsearch.Subscription, pre *fetch.Response) Result {
	now := p.opts.Clock.Now()
	var out pollOut
	var err error
	switch sub.Kind {
	case semsearch.KindFeed, semsearch.KindPage:
		out, err = p.pollDocument(ctx, sub, pre, now)
	case semsearch.KindSite, semsearch.KindSitemap:
		out, err = p.pollCrawl(ctx, sub, pre)
	case semsearch.KindFile:
		out, err = p.pollFile(ctx, sub, now)
	case semsearch.KindDir:
		out, err = p.pollDir(ctx, sub, now)
	default:
		err = fmt.Errorf("unknown source kind %q", sub.Kind)
	}
	if ctx.Err() != nil {
		return p.abandon(sub, now, ctx.Err())
	}
	if err != nil {
		return p.recordError(ctx, sub, err, now, out)
	}

	res := Result{HTTPStatus: out.status, Requests: out.requests}
	pending, err := p.classify(ctx, out.posts, &res)
	if err != nil {
		return p.recordError(ctx, sub, err, now, out)
	}
	if len(pending) > 0 {
		rep, err := p.deps.Sink.IngestPosts(ctx, semsearch.RedactURL(sub.URL), pending)
		if ctx.Err() != nil {
			return p.abandon(sub, now, ctx.Err())
		}
		if err != nil {
			return p.recordError(ctx, sub, fmt.Errorf("store posts: %w", err), now, out)
		}
		res.Chunks = rep.Chunks
	}
	dropped := 0
	if len(out.dropPosts) > 0 {
		// Before SavePoll forgets the files: a crash in between drops them
		// again next time, which is harmless.
		if dropped, err = p.deps.Registry.DropPosts(ctx, sub.ID, out.dropPosts); err != nil {
			return p.recordError(ctx, sub, fmt.Errorf("remove posts of deleted files: %w", err), now, out)
		}
	}

	sub.LastChecked, sub.HTTPStatus = now, out.status
	sub.Status, sub.Errors, sub.LastError = semsearch.StatusOK, 0, out.partial
	if !out.notModified && !sub.Kind.Local() {
		sub.ETag, sub.LastModified, sub.BodyHash = out.etag, out.lastMod, out.bodyHash
	} else if out.etag != "" || out.lastMod != "" {
		// A 304 may carry fresher validators.
		sub.ETag, sub.LastModified = firstNonEmpty(out.etag, sub.ETag), firstNonEmpty(out.lastMod, sub.LastModified)
	}
	if out.cadence > 0 {
		sub.Cadence = clamp(out.cadence, p.opts.MinInterval, p.opts.MaxInterval)
	}
	if sub.Title == "" {
		sub.Title = out.title
	}
	sub.NextCheck = p.nextHealthy(sub, now, out.hint)
	if out.soon {
		sub.NextCheck = now.Add(p.jitter(p.opts.MinInterval))
	}
	if out.throttled != nil {
		next, _ := p.nextAfterError(1, now, out.throttled)
		sub.NextCheck = laterOf(sub.NextCheck, next)
		p.holdHost(hostOf(sub.URL), next)
	}
	oldURL := sub.URL
	if out.moved != "" && out.moved != sub.URL {
		sub.URL = out.moved
	}
	err = p.deps.Registry.SavePoll(ctx, sub, postIDs(out.posts), out.pages, out.dropPages)
	if semsearch.ErrorCode(err) == semsearch.EConflict && sub.URL != oldURL {
		p.log.Warn("source moved onto another subscribed source; keeping its old URL", "source", semsearch.RedactURL(oldURL), "to", semsearch.RedactURL(sub.URL))
		sub.URL = oldURL
		err = p.deps.Registry.SavePoll(ctx, sub, postIDs(out.posts), out.pages, out.dropPages)
	}
	if err != nil {
		if ctx.Err() != nil {
			return p.abandon(sub, now, ctx.Err())
		}
		res.Source, res.Outcome, res.Err = sub, Failed, err
		p.log.Error("saving poll failed", "source", semsearch.RedactURL(sub.URL), "error", err)
		return res
	}
	if sub.URL != oldURL {
		p.log.Info("source moved permanently", "from", semsearch.RedactURL(oldURL), "to", semsearch.RedactURL(sub.URL))
	}
	res.Source = sub
	res.Source.Posts += res.New // what the store now counts, near enough for display
	res.Outcome = NotModified
	if res.New+res.Changed+dropped > 0 {
		res.Outcome = Updated
	}
	p.log.Debug("polled", "source", semsearch.RedactURL(sub.URL), "result", res.Outcome, "http_status", res.HTTPStatus,
		"new", res.New, "changed", res.Changed, "unchanged", res.Unchanged, "next_check", sub.NextCheck)
	return res
}

// classify counts posts as new, changed or unchanged against the store and
// returns the new and changed ones. A post listed twice counts once, with
// its last copy.
func (p *Poller) classify(ctx context.Context, posts []semsearch.Post, res *Result) ([]semsearch.Post, error) {
	if len(posts) == 0 {
		return nil, nil
	}
	last := map[string]int{}
	for i, post := range posts {
		last[post.ID] = i
	}
	ids := make([]string, 0, len(last))
	for id := range last {
		ids = append(ids, id)
	}
	hashes, err := p.deps.Registry.PostHashes(ctx, ids)
	if err != nil {
		return nil, err
	}
	var pending []semsearch.Post
	for i, post := range posts {
		if last[post.ID] != i {
			continue
		}
		if post.ContentHash == "" {
			post.ContentHash = semsearch.ContentHash(post.Title, post.Text)
		}
		h, ok := hashes[post.ID]
		switch {
		case !ok:
			res.New++
		case h != post.ContentHash:
			res.Changed++
		default:
			res.Unchanged++
			continue
		}
		pending = append(pending, post)
	}
	return pending, nil
}

func postIDs(posts []semsearch.Post) []string {
	ids := make([]string, 0, len(posts))
	for _, p := range posts {
		ids = append(ids, p.ID)
	}
	return ids
}

// recordError records a failed poll: a 410 marks the source gone; anything
// else counts an error and schedules the retry with backoff (and the
// server's Retry-After). The source's validators and posts stay as they
// were.
func (p *Poller) recordError(ctx context.Context, sub semsearch.Subscription, err error, now time.Time, out pollOut) Result {
	code, header := statusOf(err)
	if code == 0 {
		code = out.status // a response arrived but could not be used
	}
	msg := scrub(err.Error(), sub.URL)
	sub.LastChecked, sub.HTTPStatus = now, code
	if code == http.StatusGone {
		sub.Status, sub.NextCheck, sub.Errors = semsearch.StatusGone, time.Time{}, 0
		sub.LastError = msg + ": the source is gone and no longer polled (poll it by hand to try again)"
	} else {
		sub.Status = semsearch.StatusError
		sub.Errors++
		next, ra := p.nextAfterError(sub.Errors, now, header)
		sub.NextCheck = next
		if code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable {
			p.holdHost(hostOf(sub.URL), next)
		}
		if ra > 0 {
			msg += fmt.Sprintf(" (retry after %s)", ra.Round(time.Second))
		}
		sub.LastError = msg
	}
	if serr := p.deps.Registry.SavePoll(ctx, sub, nil, nil, nil); serr != nil {
		p.log.Error("saving failed poll", "source", semsearch.RedactURL(sub.URL), "error", serr)
	}
	p.log.Warn("source failed", "source", semsearch.RedactURL(sub.URL), "http_status", code, "errors", sub.Errors,
		"next_check", sub.NextCheck, "error", msg)
	return Result{Source: sub, Outcome: Failed, HTTPStatus: code, Requests: out.requests, Err: err}
}

// abandon gives a poll up on shutdown: nothing of it is recorded but that
// the source is due again, so a restart polls it first.
func (p *Poller) abandon(sub semsearch.Subscription, now time.Time, cause error) Result {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if cur, err := p.deps.Registry.Source(ctx, sub.ID); err == nil {
		cur.NextCheck = now
		if err := p.deps.Registry.SavePoll(ctx, cur, nil, nil, nil); err != nil {
			p.log.Warn("releasing abandoned poll", "source", semsearch.RedactURL(sub.URL), "error", err)
		}
	}
	return Result{Source: sub, Outcome: Failed, Err: fmt.Errorf("%w: %w", errAbandoned, cause)}
}

// errAbandoned marks a poll given up on shutdown.
var errAbandoned = errors.New("poll abandoned")

// pollDocument polls a feed or a page: one conditional GET; a 304 or a
// body identical to the last costs no parsing and no embedding.
func (p *Poller) pollDocument(ctx context.Context, sub semsearch.Subscription, pre *fetch.Response, now time.Time) (pollOut, error) {
	var out pollOut
	resp := pre
	if resp == nil {
		f := p.fetcher(sub)
		if f == nil {
			return out, errors.New("this source may reach private addresses, which this poller does not allow")
		}
		var err error
		out.requests++
		resp, err = f.Fetch(ctx, fetch.Request{URL: sub.URL, ETag: sub.ETag, LastModified: sub.LastModified})
		if err != nil {
			return out, err
		}
	}
	out.status, out.moved = resp.Status, resp.Moved
	out.etag, out.lastMod = resp.ETag, resp.LastModified
	out.hint = freshFor(resp.Header, now)
	if resp.NotModified() {
		out.notModified = true
		return out, nil
	}
	if err := checkContentType(resp.ContentType, resp.Body); err != nil {
		return out, err
	}
	sum := sha256.Sum256(resp.Body)
	out.bodyHash = hex.EncodeToString(sum[:])
	if out.bodyHash == sub.BodyHash && sub.Status == semsearch.StatusOK {
		out.notModified = true
		out.etag, out.lastMod = firstNonEmpty(out.etag, sub.ETag), firstNonEmpty(out.lastMod, sub.LastModified)
		return out, nil
	}
	// Parsed against the redacted URL: the posts' source and any ID scoped
	// by it must not carry the feed's credentials into the public API.
	posts, _, err := ingest.ParseSource(resp.Body, semsearch.RedactURL(resp.URL))
	if err != nil {
		return out, err
	}
	out.hint = max(out.hint, feedTTL(resp.Body))
	out.cadence = cadence(posts, now)
	out.posts = posts
	if len(posts) > 0 {
		out.title = posts[0].Source.Title
	}
	return out, nil
}

// pollCrawl polls a site or a sitemap with the crawler.
func (p *Poller) pollCrawl(ctx context.Context, sub semsearch.Subscription, pre *fetch.Response) (pollOut, error) {
	var out pollOut
	f := p.fetcher(sub)
	if f == nil {
		return out, errors.New("this source may reach private addresses, which this poller does not allow")
	}
	known, err := p.deps.Registry.SourcePages(ctx, sub.ID)
	if err != nil {
		return out, err
	}
	cr, err := p.crawler.Crawl(ctx, crawl.Request{
		Start: sub.URL, Sitemap: sub.Kind == semsearch.KindSitemap,
		Fetcher: f, Known: known, Prefetched: pre,
	})
	out.requests = cr.Requests
	if err != nil {
		return out, err
	}
	out.status, out.posts, out.pages, out.title = cr.StartStatus, cr.Posts, cr.Pages, cr.Title
	out.notModified = len(cr.Posts) == 0
	out.cadence = cadence(cr.Posts, p.opts.Clock.Now())
	if out.cadence == 0 {
		out.cadence = sub.Cadence
	}
	out.throttled = cr.Throttled
	if n := len(cr.PageErrors); n > 0 {
		out.partial = fmt.Sprintf("%d pages failed (they are retried next poll); first: %v", n, cr.PageErrors[0])
	}
	out.soon = cr.Truncated // bounded: the rest of the site follows soon
	return out, nil
}

// checkContentType refuses responses that cannot be a feed or a page:
// images, audio, video, fonts, archives, PDFs, and binary data sent as
// application/octet-stream.
func checkContentType(ct string, body []byte) error {
	if ct == "" {
		return nil
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return nil // unparsable: let the content decide
	}
	major, _, _ := strings.Cut(mt, "/")
	switch {
	case major == "image" || major == "audio" || major == "video" || major == "font",
		mt == "application/pdf", mt == "application/zip", mt == "application/gzip", mt == "application/x-gzip":
		return fmt.Errorf("content type %s is not a feed or a page", mt)
	case mt == "application/octet-stream":
		if sniff := http.DetectContentType(body); !strings.HasPrefix(sniff, "text/") && !strings.Contains(sniff, "xml") && !strings.Contains(sniff, "json") {
			return fmt.Errorf("content type %s (%s by its content) is not a feed or a page", mt, sniff)
		}
	}
	return nil
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return ""
	}
	return strings.ToLower(u.Hostname())
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func laterOf(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
