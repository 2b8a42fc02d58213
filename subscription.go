package semsearch

import "time"

// SourceKind is what a subscription polls and how.
type SourceKind string

// Source kinds.
const (
	KindFeed    SourceKind = "feed"    // RSS, RDF, Atom or JSON Feed
	KindPage    SourceKind = "page"    // one article or text page, re-read when it changes
	KindSite    SourceKind = "site"    // a blog's home or listing page, crawled to full articles
	KindSitemap SourceKind = "sitemap" // a sitemap or sitemap index, crawled
	KindFile    SourceKind = "file"    // a local file (feed, Markdown, text, export)
	KindDir     SourceKind = "dir"     // a local directory, re-scanned
)

// Local reports whether the kind names a path on this machine.
func (k SourceKind) Local() bool { return k == KindFile || k == KindDir }

// SourceStatus is the state a subscription is in.
type SourceStatus string

// Source statuses. A source in error keeps being polled, with backoff; only
// a 410 Gone stops it (until it is polled by hand and answers again).
const (
	StatusNew   SourceStatus = "new"   // never polled
	StatusOK    SourceStatus = "ok"    // the last poll succeeded
	StatusError SourceStatus = "error" // the last poll failed; retried later
	StatusGone  SourceStatus = "gone"  // the server said 410 Gone; not polled
)

// Subscription is one subscribed source in the registry with its polling
// state. Times are UTC; a zero time means never.
type Subscription struct {
	ID int64
	// URL is what is fetched: an http(s) URL, which may carry credentials
	// (show it redacted), or an absolute local path for file and dir kinds.
	URL          string
	Kind         SourceKind
	SiteURL      string // the site a feed belongs to, or a crawl's start page
	Title        string
	AllowPrivate bool          // may reach loopback and private addresses
	Interval     time.Duration // chosen by the user; 0 = adapt to the source
	Status       SourceStatus

	// Conditional GET validators of the last full response, and the hash
	// of its body (for servers that send no validators).
	ETag, LastModified, BodyHash string

	Added       time.Time
	LastChecked time.Time
	NextCheck   time.Time // zero for a gone source
	HTTPStatus  int       // of the last response; 0 when none arrived
	Errors      int       // consecutive failed polls
	LastError   string
	// Cadence is the interval learned from how often the source publishes
	// (0 until known).
	Cadence time.Duration

	Posts int // posts this source contributed (read only, counted by the store)
}

// SourcePage is what a source remembers of one page it read (a crawled
// article, a file of a directory), so that a re-poll reads only what is new
// or changed.
type SourcePage struct {
	URL     string    // page URL or file path
	Lastmod string    // sitemap lastmod, or file size and mtime; "" when unknown
	PostIDs []string  // the posts it yielded
	Checked time.Time // when it was last read
	// Validators for a conditional re-read (listing pages, sitemaps).
	ETag, LastModified string
}

// PollReport is the outcome of one poll of one source; its JSON is an entry
// of the `poll --json` and `POST /api/sources/{id}/poll` bodies.
type PollReport struct {
	URL        string `json:"url"`    // shown redacted
	Result     string `json:"result"` // updated, not_modified or error
	HTTPStatus int    `json:"http_status"`
	New        int    `json:"new"`
	Changed    int    `json:"changed"`
	Unchanged  int    `json:"unchanged"`
	Error      string `json:"error,omitempty"`
}

// PollStats counts the poller's work since the process started, for
// /metrics. Maps are keyed by result: Fetches by the HTTP outcome of each
// source's main document ("200", "304", "error"), Polls by poll outcome
// ("updated", "not_modified", "error").
type PollStats struct {
	Fetches     map[string]uint64
	Polls       map[string]uint64
	PollSeconds float64 // total time spent polling
	Due         int     // sources claimed at the scheduler's last pass
	InFlight    int     // polls running now
}
