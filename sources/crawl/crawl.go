// Package crawl turns a blog's home or listing page, or its sitemap, into
// full articles: it honours robots.txt (Disallow, Crawl-delay, Sitemap) for
// our user agent, reads sitemaps and sitemap indexes (gzip too) and the
// entry links of listing pages (following rel=next a few pages), fetches
// each article and extracts its text with ingest's article extraction, and
// fills in what an article page lacks from its listing entry (title, date,
// summary, tags).
//
// A crawl stays on the start page's site, is bounded (articles fetched per
// crawl, pages remembered per site, sitemaps and their entries, listing
// pages, bytes, wall time by the injected clock) and paced (at least
// Options.Delay, or the site's Crawl-delay, between two requests), and goes
// through the caller's fetcher, whose SSRF guard checks every hop and
// redirect. A re-crawl fetches only pages that are new or whose sitemap
// lastmod changed, and re-reads listings and sitemaps conditionally.
package crawl

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/ingest"
	"github.com/semsearch/semsearch/ingest/fetch"
)

// Fetcher is the safe HTTP client (*fetch.Client implements it).
type Fetcher interface {
	Fetch(ctx context.Context, req fetch.Request) (*fetch.Response, error)
}

// Clock is the time source; Timer returns a channel firing after d and a
// function that stops it.
type Clock interface {
	Now() time.Time
	Timer(d time.Duration) (<-chan time.Time, func() bool)
}

// Options bound a crawl; zero fields take DefaultOptions' values.
type Options struct {
	MaxFetches      int           // article pages fetched per crawl
	MaxPages        int           // pages remembered per site (new ones beyond are not fetched)
	MaxSitemaps     int           // sitemap documents read per crawl (index children included)
	MaxSitemapURLs  int           // sitemap entries read per crawl
	MaxListingPages int           // listing pages read per crawl (rel=next)
	MaxSitemapBytes int64         // uncompressed size of one sitemap
	Delay           time.Duration // least time between two requests to the site
	MaxDelay        time.Duration // a longer Crawl-delay is cut to this
	MaxDuration     time.Duration // a crawl stops starting requests after this
	RobotsTTL       time.Duration // how long a robots.txt is cached
	UserAgent       string        // product token robots.txt groups are matched against
}

// DefaultOptions are the bounds zero Options fields take.
func DefaultOptions() Options {
	return Options{
		MaxFetches:      100,
		MaxPages:        5000,
		MaxSitemaps:     10,
		MaxSitemapURLs:  50_000,
		MaxListingPages: 3,
		MaxSitemapBytes: 50 << 20,
		Delay:           time.Second,
		MaxDelay:        30 * time.Second,
		MaxDuration:     10 * time.Minute,
		RobotsTTL:       24 * time.Hour,
		UserAgent:       "semsearch",
	}
}

func (o Options) withDefaults() Options {
	d := DefaultOptions()
	if o.MaxFetches <= 0 {
		o.MaxFetches = d.MaxFetches
	}
	if o.MaxPages <= 0 {
		o.MaxPages = d.MaxPages
	}
	if o.MaxSitemaps <= 0 {
		o.MaxSitemaps = d.MaxSitemaps
	}
	if o.MaxSitemapURLs <= 0 {
		o.MaxSitemapURLs = d.MaxSitemapURLs
	}
	if o.MaxListingPages <= 0 {
		o.MaxListingPages = d.MaxListingPages
	}
	if o.MaxSitemapBytes <= 0 {
		o.MaxSitemapBytes = d.MaxSitemapBytes
	}
	if o.Delay <= 0 {
		o.Delay = d.Delay
	}
	if o.MaxDelay <= 0 {
		o.MaxDelay = d.MaxDelay
	}
	if o.MaxDuration <= 0 {
		o.MaxDuration = d.MaxDuration
	}
	if o.RobotsTTL <= 0 {
		o.RobotsTTL = d.RobotsTTL
	}
	if o.UserAgent == "" {
		o.UserAgent = d.UserAgent
	}
	return o
}

// Crawler crawls sites. It caches robots.txt per site; it is safe for
// concurrent use.
type Crawler struct {
	opts  Options
	clock Clock
	log   *slog.Logger

	mu          sync.Mutex
	robotsCache map[string]*robotsRules
}

// New returns a Crawler; a nil log discards.
func New(opts Options, clock Clock, log *slog.Logger) *Crawler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Crawler{opts: opts.withDefaults(), clock: clock, log: log, robotsCache: map[string]*robotsRules{}}
}

// Options returns the crawler's bounds, defaults filled in.
func (c *Crawler) Options() Options { return c.opts }

// Request is one crawl.
type Request struct {
	Start   string // the home or listing page, or the sitemap when Sitemap
	Sitemap bool
	Fetcher Fetcher
	// Known is what earlier crawls of this source read, by URL: pages whose
	// lastmod is unchanged are not fetched again, listings and sitemaps are
	// re-read conditionally.
	Known map[string]semsearch.SourcePage
	// Prefetched is the start document when the caller already has it.
	Prefetched *fetch.Response
}

// Result is what a crawl found.
type Result struct {
	// Posts are the articles read (full text, filled in from their listing
	// entry), and listing entries without a link or whose article could not
	// be fetched (their summary, until the article can be read).
	Posts []semsearch.Post
	// Pages are the pages read this time, to remember (Request.Known).
	Pages       []semsearch.SourcePage
	Title       string // the site's name, when a page said it
	StartStatus int    // HTTP status of the start document (200, or 304)
	Requests    int    // HTTP requests made, robots.txt included
	Fetched     int    // article pages fetched
	Disallowed  int    // URLs robots.txt kept us from
	// Truncated reports that a bound cut the crawl short: the rest is read
	// by the next crawls.
	Truncated bool
	// Throttled is the header of a 429 or 503 answer that stopped the crawl
	// midway (its Retry-After says when to come back); nil otherwise.
	Throttled  map[string][]string
	PageErrors []error // pages that failed; the crawl went on without them
}

// candidate is an article URL to read, with what its listing entry or
// sitemap said of it.
type candidate struct {
	url     string
	lastmod string
	entry   *semsearch.Post // listing entry; nil from a sitemap
}

// crawlRun is the state of one crawl.
type crawlRun struct {
	c        *Crawler
	req      Request
	start    *url.URL
	pace     *pacer
	deadline time.Time
	robots   *robotsRules
	res      Result
	source   semsearch.Source
	seen     map[string]bool // normalised URLs queued or read

	sitemapsRead, sitemapURLs int
	// validated are the indexes in res.Pages of listings and sitemaps whose
	// validators were kept: dropped if the crawl ends truncated, so that
	// what the bounds left out is seen again next time.
	validated []int
}

// Crawl runs one crawl. It fails only when the start document cannot be
// read (fetch error, robots.txt unavailable or disallowing it, or no
// sitemap where one was promised); page errors are in Result.PageErrors.
func (c *Crawler) Crawl(ctx context.Context, req Request) (Result, error) {
	start, err := url.Parse(req.Start)
	if err != nil || (start.Scheme != "http" && start.Scheme != "https") || start.Host == "" {
		return Result{}, fmt.Errorf("crawl %s: not an http(s) URL", req.Start)
	}
	if req.Known == nil {
		req.Known = map[string]semsearch.SourcePage{}
	}
	r := &crawlRun{
		c: c, req: req, start: start,
		pace:     &pacer{clock: c.clock, delay: c.opts.Delay},
		deadline: c.clock.Now().Add(c.opts.MaxDuration),
		seen:     map[string]bool{},
		source:   semsearch.Source{URL: semsearch.RedactURL(req.Start)}, // no credentials in what is shown
	}
	if req.Prefetched != nil {
		r.pace.last = c.clock.Now() // that request counts for pacing
	}
	r.robots, err = c.robots(ctx, req.Fetcher, start, r.pace)
	if err != nil {
		return r.res, err
	}
	r.res.Requests = r.pace.requests
	r.pace.delay = min(max(c.opts.Delay, r.robots.crawlDelay()), c.opts.MaxDelay)
	if !r.robots.allowed(start) {
		return r.res, fmt.Errorf("robots.txt disallows %s for %s", start.Redacted(), c.opts.UserAgent)
	}

	var listed []candidate
	if req.Sitemap {
		urls, ok, err := r.readSitemap(ctx, req.Start, req.Prefetched, 0)
		if err != nil {
			return r.res, err
		}
		if !ok {
			r.res.StartStatus = 304
		}
		listed = urls
	} else {
		entries, err := r.readListings(ctx)
		if err != nil {
			return r.res, err
		}
		listed = entries
		listed = append(listed, r.siteSitemaps(ctx)...)
	}
	r.fetchArticles(ctx, r.pick(listed))
	if r.res.Truncated {
		for _, i := range r.validated {
			r.res.Pages[i].ETag, r.res.Pages[i].LastModified = "", ""
		}
	}
	r.res.Requests = r.pace.requests
	r.res.Title = r.source.Title
	return r.res, nil
}

// fetchPage fetches u paced, within the deadline, conditionally when known.
func (r *crawlRun) fetchPage(ctx context.Context, u string, conditional bool) (*fetch.Response, error) {
	if !r.c.clock.Now().Before(r.deadline) {
		r.res.Truncated = true
		return nil, errDeadline
	}
	if err := r.pace.wait(ctx); err != nil {
		return nil, err
	}
	req := fetch.Request{URL: u}
	if k, ok := r.req.Known[u]; ok && conditional {
		req.ETag, req.LastModified = k.ETag, k.LastModified
	}
	resp, err := r.req.Fetcher.Fetch(ctx, req)
	if err != nil {
		return nil, err
	}
	if !sameSite(resp.URL, r.start) {
		return nil, fmt.Errorf("%s redirected off the site to %s", u, redacted(resp.URL))
	}
	return resp, nil
}

var (
	errDeadline   = errors.New("crawl time budget used up")
	errNotArticle = errors.New("a listing, not an article")
)

func redacted(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Redacted()
	}
	return raw
}

// readListings reads the start page and the listing pages after it
// (rel=next) while they bring entries not seen before. Entries with a link
// on the site become candidates; entries without one are posts as they
// are. A start page that is an article is itself the post.
func (r *crawlRun) readListings(ctx context.Context) ([]candidate, error) {
	var out []candidate
	page := normalize(r.req.Start, nil)
	for i := 0; i < r.c.opts.MaxListingPages && page != ""; i++ {
		var resp *fetch.Response
		var err error
		if i == 0 && r.req.Prefetched != nil {
			resp = r.req.Prefetched
		} else {
			if !r.robots.allowed(mustParse(page)) {
				r.res.Disallowed++
				break
			}
			resp, err = r.fetchPage(ctx, page, true)
		}
		if err != nil {
			if i == 0 {
				return nil, err
			}
			r.res.PageErrors = append(r.res.PageErrors, fmt.Errorf("listing page %s: %w", redacted(page), err))
			break
		}
		if i == 0 {
			r.res.StartStatus = resp.Status
		}
		r.seen[page] = true
		if resp.NotModified() {
			break // nothing new listed; older pages neither
		}
		base := mustParse(resp.URL)
		posts, _, perr := ingest.ParseSource(resp.Body, resp.URL)
		rec := semsearch.SourcePage{URL: page, ETag: resp.ETag, LastModified: resp.LastModified, Checked: r.c.clock.Now()}
		fresh := 0
		if perr == nil && len(posts) == 1 && i == 0 && !isListing(posts) {
			// The start page is an article: it is the post.
			r.res.Posts = append(r.res.Posts, posts[0])
			rec.PostIDs = []string{posts[0].ID}
			r.res.Pages = append(r.res.Pages, rec)
			if r.source.Title == "" {
				r.source.Title = posts[0].Source.Title
			}
			r.validated = append(r.validated, len(r.res.Pages)-1)
			return out, nil
		}
		for _, p := range posts {
			if r.source.Title == "" {
				r.source.Title = p.Source.Title
			}
			link := normalize(p.URL, base)
			if link == "" || !sameSite(link, r.start) || link == page {
				p.Source = r.source
				r.res.Posts = append(r.res.Posts, p) // a summary is all there is
				rec.PostIDs = append(rec.PostIDs, p.ID)
				continue
			}
			if _, known := r.req.Known[link]; !known && !r.seen[link] {
				fresh++
			}
			entry := p
			out = append(out, candidate{url: link, entry: &entry})
		}
		r.validated = append(r.validated, len(r.res.Pages))
		r.res.Pages = append(r.res.Pages, rec)
		if fresh == 0 {
			break // a page of known entries: the older pages are known too
		}
		page = nextPage(resp.Body, base)
		if page != "" && (!sameSite(page, r.start) || r.seen[page]) {
			page = ""
		}
	}
	return out, nil
}

// isListing reports whether posts came from a listing (several entries)
// rather than one article.
func isListing(posts []semsearch.Post) bool { return len(posts) > 1 }

func mustParse(raw string) *url.URL {
	u, err := url.Parse(raw)
	if err != nil {
		return &url.URL{}
	}
	return u
}

// siteSitemaps reads the sitemaps robots.txt names on this site, else
// /sitemap.xml, and returns their entries under the start page's directory.
// A site without a sitemap is no error.
func (r *crawlRun) siteSitemaps(ctx context.Context) []candidate {
	var locs []string
	for _, s := range r.robots.sitemaps {
		if u := normalize(s, r.start); u != "" && sameSite(u, r.start) {
			locs = append(locs, u)
		}
	}
	explicit := len(locs) > 0
	if !explicit {
		locs = []string{normalize("/sitemap.xml", r.start)}
	}
	prefix := scopePrefix(r.start)
	var out []candidate
	for _, loc := range locs {
		urls, _, err := r.readSitemap(ctx, loc, nil, 0)
		var se *fetch.StatusError
		switch {
		case err == nil:
		case !explicit && errors.As(err, &se) && se.Code == 404:
			continue
		default:
			r.res.PageErrors = append(r.res.PageErrors, fmt.Errorf("sitemap %s: %w", redacted(loc), err))
			continue
		}
		for _, c := range urls {
			if u := mustParse(c.url); len(u.EscapedPath()) >= len(prefix) && u.EscapedPath()[:len(prefix)] == prefix {
				out = append(out, c)
			}
		}
	}
	return out
}

// readSitemap reads the sitemap at loc (conditionally when known), and the
// sitemaps of an index, within the bounds. ok is false when loc answered
// 304 (nothing changed). Entries are on the site; others are dropped.
func (r *crawlRun) readSitemap(ctx context.Context, loc string, pre *fetch.Response, depth int) ([]candidate, bool, error) {
	if r.sitemapsRead >= r.c.opts.MaxSitemaps {
		r.res.Truncated = true
		return nil, true, nil
	}
	r.sitemapsRead++
	resp := pre
	if resp == nil {
		if !r.robots.allowed(mustParse(loc)) {
			r.res.Disallowed++
			return nil, true, nil
		}
		var err error
		if resp, err = r.fetchPage(ctx, loc, true); err != nil {
			return nil, false, err
		}
	}
	if depth == 0 && loc == r.req.Start {
		r.res.StartStatus = resp.Status
	}
	if resp.NotModified() {
		return nil, false, nil
	}
	left := r.c.opts.MaxSitemapURLs - r.sitemapURLs
	sm, truncated, err := ParseSitemap(resp.Body, max(left, 1), r.c.opts.MaxSitemapBytes)
	if err != nil {
		return nil, false, err
	}
	r.res.Truncated = r.res.Truncated || truncated
	rec := semsearch.SourcePage{URL: loc, Checked: r.c.clock.Now()}
	var out []candidate
	for _, e := range sm.URLs {
		r.sitemapURLs++
		if u := normalize(e.Loc, nil); u != "" && sameSite(u, r.start) {
			out = append(out, candidate{url: u, lastmod: e.Lastmod})
		}
	}
	for _, e := range sm.Sitemaps {
		if depth >= 1 {
			break // an index naming indexes: one level is enough
		}
		u := normalize(e.Loc, nil)
		if u == "" || !sameSite(u, r.start) || r.seen[u] {
			continue
		}
		r.seen[u] = true
		if k, ok := r.req.Known[u]; ok && e.Lastmod != "" && k.Lastmod == e.Lastmod {
			continue // this child sitemap has not changed
		}
		child, _, err := r.readSitemap(ctx, u, nil, depth+1)
		if err != nil {
			r.res.PageErrors = append(r.res.PageErrors, fmt.Errorf("sitemap %s: %w", redacted(u), err))
			continue
		}
		out = append(out, child...)
		r.res.Pages = append(r.res.Pages, semsearch.SourcePage{URL: u, Lastmod: e.Lastmod, Checked: r.c.clock.Now()})
	}
	// An index is read in full each time (it is small, and its children,
	// read conditionally, are where the changes are); a sitemap's validators
	// are kept unless the bounds cut it short.
	if len(sm.Sitemaps) == 0 && !truncated {
		rec.ETag, rec.LastModified = resp.ETag, resp.LastModified
		r.validated = append(r.validated, len(r.res.Pages))
	}
	r.res.Pages = append(r.res.Pages, rec)
	return out, true, nil
}

// pick chooses the candidates to fetch: on the site, allowed by
// robots.txt, not an index page (from sitemaps), new or with a changed
// lastmod, deduplicated; listing entries first in page order, then sitemap
// entries newest first; at most MaxFetches, and no more new pages than
// MaxPages leaves room for.
func (r *crawlRun) pick(cands []candidate) []candidate {
	byURL := map[string]int{}
	var list []candidate
	for _, c := range cands {
		if i, ok := byURL[c.url]; ok {
			// Listed and in the sitemap: keep the entry and the lastmod.
			if list[i].entry == nil {
				list[i].entry = c.entry
			}
			if list[i].lastmod == "" {
				list[i].lastmod = c.lastmod
			}
			continue
		}
		byURL[c.url] = len(list)
		list = append(list, c)
	}
	slices.SortStableFunc(list, func(a, b candidate) int {
		if (a.entry == nil) != (b.entry == nil) {
			if a.entry != nil {
				return -1
			}
			return 1
		}
		if a.entry != nil {
			return 0
		}
		return cmp.Compare(b.lastmod, a.lastmod) // RFC 3339 dates sort as text
	})
	known := len(r.req.Known)
	var out []candidate
	for _, c := range list {
		u := mustParse(c.url)
		switch {
		case r.seen[c.url]:
			continue
		case !r.robots.allowed(u):
			r.res.Disallowed++
			continue
		case c.entry == nil && notArticle.MatchString(u.EscapedPath()):
			continue
		}
		if k, ok := r.req.Known[c.url]; ok && (c.lastmod == "" || c.lastmod == k.Lastmod) {
			continue // read before and not changed since
		} else if !ok && known >= r.c.opts.MaxPages {
			r.res.Truncated = true
			continue
		} else if !ok {
			known++
		}
		if len(out) >= r.c.opts.MaxFetches {
			r.res.Truncated = true
			break
		}
		r.seen[c.url] = true
		out = append(out, c)
	}
	return out
}

// fetchArticles reads each candidate's page and extracts its article. A
// page that fails falls back to its listing entry's summary and is tried
// again next crawl; a 429 or 503 stops the crawl.
func (r *crawlRun) fetchArticles(ctx context.Context, cands []candidate) {
	ids := map[string]bool{}
	for _, c := range cands {
		if ctx.Err() != nil {
			return
		}
		resp, err := r.fetchPage(ctx, c.url, false)
		if errors.Is(err, errDeadline) {
			return
		}
		if err == nil {
			r.res.Fetched++
		}
		var se *fetch.StatusError
		if errors.As(err, &se) && (se.Code == 429 || se.Code == 503) {
			r.res.Throttled = se.Header
			r.res.PageErrors = append(r.res.PageErrors, fmt.Errorf("%s: %w", redacted(c.url), err))
			r.res.Truncated = true
			return
		}
		var post semsearch.Post
		if err == nil {
			var posts []semsearch.Post
			posts, _, err = ingest.ParseSource(resp.Body, resp.URL)
			switch {
			case err == nil && len(posts) == 1:
				post = merge(posts[0], c.entry)
			case err == nil:
				err = errNotArticle
			}
		}
		rec := semsearch.SourcePage{URL: c.url, Lastmod: c.lastmod, Checked: r.c.clock.Now()}
		if err != nil {
			if errors.Is(err, ingest.ErrNoContent) || errors.Is(err, errNotArticle) {
				r.res.Pages = append(r.res.Pages, rec) // not an article: do not ask again until it changes
			} else {
				r.res.PageErrors = append(r.res.PageErrors, fmt.Errorf("%s: %w", redacted(c.url), err))
			}
			if c.entry == nil {
				continue
			}
			post = *c.entry // its summary, until the page can be read
		}
		post.Source = r.source
		if ids[post.ID] {
			continue // two URLs, one canonical article
		}
		ids[post.ID] = true
		r.res.Posts = append(r.res.Posts, post)
		if err == nil {
			rec.PostIDs = []string{post.ID}
			r.res.Pages = append(r.res.Pages, rec)
		}
	}
}

// merge fills in what an article page lacks from its listing entry.
func merge(article semsearch.Post, entry *semsearch.Post) semsearch.Post {
	if entry == nil {
		return article
	}
	if (article.Title == "" || article.TitleDerived) && entry.Title != "" && !entry.TitleDerived {
		article.Title, article.TitleDerived = entry.Title, false
	}
	if article.Published.IsZero() {
		article.Published = entry.Published
	}
	if article.Summary == "" {
		article.Summary = entry.Summary
	}
	if len(article.Tags) == 0 {
		article.Tags = entry.Tags
	}
	if len(article.Authors) == 0 {
		article.Authors = entry.Authors
	}
	if article.ReadingTime == "" {
		article.ReadingTime = entry.ReadingTime
	}
	article.ContentHash = semsearch.ContentHash(article.Title, article.Text)
	return article
}

// pacer keeps at least delay between two requests, by the clock.
type pacer struct {
	clock    Clock
	delay    time.Duration
	last     time.Time
	requests int
}

func (p *pacer) wait(ctx context.Context) error {
	if !p.last.IsZero() {
		if d := p.delay - p.clock.Now().Sub(p.last); d > 0 {
			ch, stop := p.clock.Timer(d)
			select {
			case <-ch:
			case <-ctx.Done():
				stop()
				return ctx.Err()
			}
		}
	}
	p.last = p.clock.Now()
	p.requests++
	return nil
}
