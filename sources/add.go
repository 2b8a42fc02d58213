package sources

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/ingest"
	"github.com/semsearch/semsearch/ingest/fetch"
	"github.com/semsearch/semsearch/sources/crawl"
)

// AddOptions tune Add.
type AddOptions struct {
	Interval     time.Duration // 0 adapts to the source
	Crawl        bool          // crawl an HTML page's site even when it advertises a feed
	AllowPrivate bool          // the source may live on loopback or a private network
	RemoteOnly   bool          // refuse local paths (sources named over the HTTP API)
}

// maxAddDepth bounds how far Add follows OPML lists and advertised feeds.
const maxAddDepth = 2

// Add subscribes to src and polls it at once. src is a feed, page, site or
// sitemap URL, an OPML list (each of its feeds is subscribed), or a local
// file or directory. What it is is decided from its content:
//
//   - a feed is a feed;
//   - an HTML page that advertises a feed subscribes to that feed (with
//     Crawl, to the site instead);
//   - an HTML listing or home page, or any page with Crawl, is a site to
//     crawl; a sitemap is crawled from it;
//   - any other page (an article, a text listing) is a page, re-read when
//     it changes.
//
// The document fetched to decide is the first poll's, so subscribing to a
// feed costs one request. There is one Result per subscription made or
// tried; a source that cannot be fetched is not subscribed (its Result has
// Err and Source.ID 0), and one already subscribed is a conflict error.
func (p *Poller) Add(ctx context.Context, src string, opts AddOptions) []Result {
	if opts.Interval < 0 {
		return []Result{failedAdd(src, semsearch.Errorf(semsearch.EInvalid, "interval %s is negative", opts.Interval))}
	}
	if opts.Interval > 0 && opts.Interval < p.opts.MinInterval {
		return []Result{failedAdd(src, semsearch.Errorf(semsearch.EInvalid, "interval %s is shorter than the least allowed, %s", opts.Interval, p.opts.MinInterval))}
	}
	if opts.Interval > p.opts.MaxUserInterval {
		return []Result{failedAdd(src, semsearch.Errorf(semsearch.EInvalid, "interval %s is longer than the most allowed, %s", opts.Interval, p.opts.MaxUserInterval))}
	}
	src = strings.TrimSpace(src)
	if isURL(src) {
		return p.addRemote(ctx, src, "", opts, 0)
	}
	if opts.RemoteOnly {
		return []Result{failedAdd(src, semsearch.Errorf(semsearch.EInvalid, "only http(s) URLs can be subscribed here"))}
	}
	return p.addLocal(ctx, src, opts, 0)
}

func isURL(s string) bool {
	ls := strings.ToLower(s)
	return strings.HasPrefix(ls, "http://") || strings.HasPrefix(ls, "https://")
}

func failedAdd(src string, err error) Result {
	return Result{Source: semsearch.Subscription{URL: src}, Outcome: Failed, Err: err}
}

func (p *Poller) addRemote(ctx context.Context, src, site string, opts AddOptions, depth int) []Result {
	f := p.deps.Fetch
	if opts.AllowPrivate {
		f = p.deps.FetchPrivate
	}
	if f == nil {
		return []Result{failedAdd(src, errors.New("private addresses are not allowed here"))}
	}
	resp, err := f.Fetch(ctx, fetch.Request{URL: src})
	if err != nil {
		return []Result{failedAdd(src, err)}
	}
	target := src
	if resp.Moved != "" {
		target = resp.Moved
	}
	kind := semsearch.KindPage
	switch format := ingest.Detect(resp.Body); {
	case crawl.IsSitemap(resp.Body):
		kind = semsearch.KindSitemap
	case format == ingest.FormatOPML:
		return p.addOPML(ctx, src, resp, opts, depth)
	case format == ingest.FormatFeed:
		kind = semsearch.KindFeed
	case format == ingest.FormatHTML:
		posts, feeds, perr := ingest.ParseSource(resp.Body, resp.URL)
		switch {
		case opts.Crawl:
			kind = semsearch.KindSite
		case len(feeds) > 0 && depth < maxAddDepth:
			res := p.addRemote(ctx, feeds[0], target, opts, depth+1)
			if len(res) != 1 || res[0].Err == nil || semsearch.ErrorCode(res[0].Err) == semsearch.EConflict {
				return res
			}
			// The advertised feed is broken: take the page itself.
			p.log.Warn("advertised feed failed; subscribing to the page", "page", semsearch.RedactURL(target), "feed", semsearch.RedactURL(feeds[0]), "error", scrub(res[0].Err.Error(), feeds[0]))
			kind = semsearch.KindSite
			if perr == nil && linkedEntries(posts) < 2 {
				kind = semsearch.KindPage
			}
		case perr != nil || linkedEntries(posts) >= 2:
			kind = semsearch.KindSite
		}
	}
	if site == "" && kind != semsearch.KindFeed {
		site = target
	}
	sub := semsearch.Subscription{URL: target, Kind: kind, SiteURL: site, AllowPrivate: opts.AllowPrivate, Interval: opts.Interval}
	return []Result{p.subscribe(ctx, sub, resp)}
}

// linkedEntries counts the posts of a listing that link to a page of their own.
func linkedEntries(posts []semsearch.Post) int {
	n := 0
	for _, p := range posts {
		if p.URL != "" && p.URL != p.Source.URL {
			n++
		}
	}
	return n
}

// addOPML subscribes to every feed of an OPML list.
func (p *Poller) addOPML(ctx context.Context, src string, resp *fetch.Response, opts AddOptions, depth int) []Result {
	if depth >= maxAddDepth {
		return []Result{failedAdd(src, errors.New("opml nested too deeply"))}
	}
	base := resp.URL
	if !isURL(src) {
		abs, _ := filepath.Abs(src)
		base = "file://" + filepath.ToSlash(abs)
	}
	feeds, ferr := ingest.OPMLFeeds(resp.Body, base)
	if len(feeds) == 0 {
		if ferr == nil {
			ferr = errors.New("opml lists no feeds")
		}
		return []Result{failedAdd(src, ferr)}
	}
	var out []Result
	for _, feed := range feeds {
		if isURL(feed) {
			out = append(out, p.addRemote(ctx, feed, "", opts, depth+1)...)
		} else {
			out = append(out, p.addLocal(ctx, feed, opts, depth+1)...)
		}
	}
	if ferr != nil {
		out = append(out, failedAdd(src, ferr))
	}
	return out
}

func (p *Poller) addLocal(ctx context.Context, src string, opts AddOptions, depth int) []Result {
	abs, err := filepath.Abs(src)
	if err != nil {
		return []Result{failedAdd(src, err)}
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return []Result{failedAdd(src, err)}
	}
	kind := semsearch.KindFile
	if fi.IsDir() {
		kind = semsearch.KindDir
	} else if data, err := readHead(abs, 64<<10); err == nil && ingest.Detect(data) == ingest.FormatOPML {
		full, err := os.ReadFile(abs)
		if err != nil {
			return []Result{failedAdd(src, err)}
		}
		return p.addOPML(ctx, abs, &fetch.Response{URL: abs, Body: full}, opts, depth)
	}
	sub := semsearch.Subscription{URL: abs, Kind: kind, Interval: opts.Interval}
	return []Result{p.subscribe(ctx, sub, nil)}
}

func readHead(path string, n int) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	buf := make([]byte, n)
	m, err := f.Read(buf)
	if m > 0 {
		err = nil
	}
	return buf[:m], err
}

// subscribe registers sub and runs its first poll, with pre as its
// document when already fetched.
func (p *Poller) subscribe(ctx context.Context, sub semsearch.Subscription, pre *fetch.Response) Result {
	now := p.opts.Clock.Now()
	sub.Added, sub.NextCheck, sub.Status = now, now.Add(p.opts.Lease), semsearch.StatusNew
	sub, err := p.deps.Registry.AddSource(ctx, sub)
	if err != nil {
		return failedAdd(sub.URL, err)
	}
	p.log.Info("source added", "source", semsearch.RedactURL(sub.URL), "kind", sub.Kind, "id", sub.ID)
	if !p.begin(sub.ID) {
		return Result{Source: sub, Outcome: Failed, Err: fmt.Errorf("source %d is being polled", sub.ID)}
	}
	defer p.end(sub.ID)
	res := p.pollSource(ctx, sub, pre)
	p.Wake()
	return res
}
