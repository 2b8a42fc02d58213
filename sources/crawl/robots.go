package crawl

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/temoto/robotstxt"

	"github.com/semsearch/semsearch/ingest/fetch"
)

// robotsRules is a site's robots.txt as it applies to our user agent.
type robotsRules struct {
	group    *robotstxt.Group // nil: everything allowed
	sitemaps []string
	fetched  time.Time
}

// allowed reports whether robots.txt lets us fetch u.
func (r *robotsRules) allowed(u *url.URL) bool {
	if r.group == nil {
		return true
	}
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	if u.RawQuery != "" {
		p += "?" + u.RawQuery
	}
	return r.group.Test(p)
}

// crawlDelay is the Crawl-delay robots.txt asks of us (0 when none).
func (r *robotsRules) crawlDelay() time.Duration {
	if r.group == nil {
		return 0
	}
	return r.group.CrawlDelay
}

func robotsURL(start *url.URL) string {
	return (&url.URL{Scheme: start.Scheme, Host: start.Host, Path: "/robots.txt"}).String()
}

// robots returns the robots.txt rules of start's site, from the cache when
// fetched less than RobotsTTL ago. Following RFC 9309: a 4xx (but 429)
// means no rules, a 5xx or an unreachable server means stay away (an
// error), and a 429 is returned as the *fetch.StatusError it is.
func (c *Crawler) robots(ctx context.Context, f Fetcher, start *url.URL, pace *pacer) (*robotsRules, error) {
	key := start.Scheme + "://" + start.Host
	now := c.clock.Now()
	c.mu.Lock()
	cached := c.robotsCache[key]
	c.mu.Unlock()
	if cached != nil && now.Sub(cached.fetched) < c.opts.RobotsTTL {
		return cached, nil
	}
	if err := pace.wait(ctx); err != nil {
		return nil, err
	}
	rules := &robotsRules{fetched: now}
	resp, err := f.Fetch(ctx, fetch.Request{URL: robotsURL(start), Accept: "text/plain, */*;q=0.5"})
	var se *fetch.StatusError
	switch {
	case errors.As(err, &se) && se.Code == 429:
		return nil, fmt.Errorf("robots.txt: %w", err)
	case errors.As(err, &se) && se.Code >= 400 && se.Code < 500:
		// No robots.txt: no rules.
	case errors.As(err, &se):
		return nil, fmt.Errorf("robots.txt answered %s: crawl postponed until it answers: %w", se.Status, err)
	case err != nil:
		return nil, fmt.Errorf("robots.txt unreachable, crawl postponed: %w", err)
	default:
		data, perr := robotstxt.FromBytes(resp.Body)
		if perr != nil {
			c.log.Warn("robots.txt unparsable: no rules applied", "url", robotsURL(start), "error", perr)
			break
		}
		rules.group = data.FindGroup(c.opts.UserAgent)
		rules.sitemaps = data.Sitemaps
	}
	c.mu.Lock()
	c.robotsCache[key] = rules
	c.mu.Unlock()
	return rules, nil
}
