// Package sources keeps subscribed sources fresh: a registry of what was
// added (feeds, pages, sites, sitemaps, files and directories), a poller
// that re-reads each on a schedule with conditional GET, learns how often it
// publishes, honours the server's hints (ttl, Cache-Control, Expires,
// Retry-After) and backs off on errors without ever giving a source up, and
// a crawler (package sources/crawl) that turns a blog's home or listing page
// into its full articles.
//
// Only new or changed posts (by content hash) reach the Sink, so an
// unchanged feed costs one request and no embedding. Posts that drop out of
// a feed stay indexed; a file deleted from a subscribed directory takes its
// posts with it.
//
// The poller consumes three narrow interfaces declared here: Registry (the
// durable store, *index.Store), Sink (chunk, embed and store posts,
// *app.App) and Fetcher (the SSRF-guarded HTTP client, *fetch.Client).
// Time comes from an injected Clock, so schedules are tested without sleeps.
package sources

import (
	"context"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/ingest"
	"github.com/semsearch/semsearch/ingest/fetch"
	"github.com/semsearch/semsearch/sources/crawl"
)

// Registry is the durable source registry (*index.Store implements it).
type Registry interface {
	AddSource(ctx context.Context, sub semsearch.Subscription) (semsearch.Subscription, error)
	Sources(ctx context.Context) ([]semsearch.Subscription, error)
	Source(ctx context.Context, id int64) (semsearch.Subscription, error)
	// ClaimDue returns sources due at now and moves their next check to
	// now+lease, so no other poller takes them meanwhile.
	ClaimDue(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]semsearch.Subscription, error)
	NextDue(ctx context.Context) (time.Time, bool, error)
	// SavePoll records a poll's outcome, the posts it yielded and the pages
	// it read, in one transaction.
	SavePoll(ctx context.Context, sub semsearch.Subscription, linked []string, pages []semsearch.SourcePage, dropPages []string) error
	SourcePages(ctx context.Context, id int64) (map[string]semsearch.SourcePage, error)
	RemoveSource(ctx context.Context, id int64, purge bool) (int, error)
	DropPosts(ctx context.Context, id int64, postIDs []string) (int, error)
	PostHashes(ctx context.Context, ids []string) (map[string]string, error)
}

// Sink chunks, embeds and stores posts under a source name, skipping those
// stored with the same content hash (*app.App implements it).
type Sink interface {
	IngestPosts(ctx context.Context, source string, posts []semsearch.Post) (semsearch.SourceReport, error)
}

// Fetcher is the safe HTTP client (*fetch.Client implements it).
type Fetcher interface {
	Fetch(ctx context.Context, req fetch.Request) (*fetch.Response, error)
}

// Loader reads local files and directories (*ingest.Ingester implements it).
type Loader interface {
	Load(ctx context.Context, src string, stdin io.Reader) []ingest.SourceResult
}

// Clock is the time source: wall time in production, a fake in tests.
// Timer returns a channel that fires after d and a function that stops it.
type Clock interface {
	Now() time.Time
	Timer(d time.Duration) (<-chan time.Time, func() bool)
}

// Deps are what a Poller works with.
type Deps struct {
	Registry Registry
	Sink     Sink
	// Fetch is the guarded client; FetchPrivate (which may reach loopback
	// and private addresses, never cloud metadata) serves sources added
	// with AllowPrivate. A nil FetchPrivate refuses those sources.
	Fetch, FetchPrivate Fetcher
	Loader              Loader
}

// Options tune the poller; zero fields take the defaults in DefaultOptions.
type Options struct {
	Workers int // polls running at once
	PerHost int // polls of one host running at once

	MinInterval     time.Duration // shortest interval between two polls of a source
	MaxInterval     time.Duration // longest adaptive interval (hints and cadence are capped to it)
	DefaultInterval time.Duration // when nothing is known of a source's cadence
	MaxUserInterval time.Duration // longest interval a user may choose

	BackoffBase   time.Duration // first retry after an error; doubles per consecutive error
	BackoffMax    time.Duration // longest wait between retries of a failing source
	MaxRetryAfter time.Duration // Retry-After values beyond this are cut to it
	Jitter        float64       // fraction of an interval added or taken at random

	// Lease is how long a claimed source stays off the due list while it
	// is polled; a poller that dies mid-poll leaves it due again after.
	Lease time.Duration
	// Idle bounds how long Run sleeps with nothing due, so it notices
	// sources added by another process.
	Idle time.Duration

	Crawl crawl.Options

	Clock  Clock
	Rand   func() float64 // uniform in [0, 1), for jitter
	Logger *slog.Logger
	// OnResult, when set, is told the result of every poll Run makes.
	OnResult func(Result)
}

// DefaultOptions are the values zero Options fields take.
func DefaultOptions() Options {
	return Options{
		Workers:         4,
		PerHost:         1,
		MinInterval:     15 * time.Minute,
		MaxInterval:     24 * time.Hour,
		DefaultInterval: time.Hour,
		MaxUserInterval: 7 * 24 * time.Hour,
		BackoffBase:     time.Minute,
		BackoffMax:      24 * time.Hour,
		MaxRetryAfter:   7 * 24 * time.Hour,
		Jitter:          0.1,
		Lease:           15 * time.Minute,
		Idle:            time.Minute,
	}
}

func (o Options) withDefaults() Options {
	d := DefaultOptions()
	setDur := func(v *time.Duration, def time.Duration) {
		if *v <= 0 {
			*v = def
		}
	}
	if o.Workers <= 0 {
		o.Workers = d.Workers
	}
	if o.PerHost <= 0 {
		o.PerHost = d.PerHost
	}
	setDur(&o.MinInterval, d.MinInterval)
	setDur(&o.MaxInterval, d.MaxInterval)
	setDur(&o.DefaultInterval, d.DefaultInterval)
	setDur(&o.MaxUserInterval, d.MaxUserInterval)
	setDur(&o.BackoffBase, d.BackoffBase)
	setDur(&o.BackoffMax, d.BackoffMax)
	setDur(&o.MaxRetryAfter, d.MaxRetryAfter)
	setDur(&o.Lease, d.Lease)
	setDur(&o.Idle, d.Idle)
	if o.MaxInterval < o.MinInterval {
		o.MaxInterval = o.MinInterval
	}
	if o.Jitter <= 0 || o.Jitter >= 1 {
		o.Jitter = d.Jitter
	}
	if o.Clock == nil {
		o.Clock = wallClock{}
	}
	if o.Rand == nil {
		o.Rand = rand.Float64
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// wallClock is the real time.
type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now().UTC() }

func (wallClock) Timer(d time.Duration) (<-chan time.Time, func() bool) {
	t := time.NewTimer(d)
	return t.C, t.Stop
}

// Poller polls subscribed sources. It is safe for concurrent use.
type Poller struct {
	deps    Deps
	opts    Options
	log     *slog.Logger
	crawler *crawl.Crawler

	mu       sync.Mutex
	inFlight map[int64]bool
	hosts    map[string]*hostState
	wake     chan struct{}
	stats    pollStats
}

// hostState paces one host: how many polls of it run, and until when it
// asked us (429, 503) to stay away.
type hostState struct {
	running int
	holdTil time.Time
	free    chan struct{} // closed and replaced when a slot frees up
}

// New returns a Poller over deps.
func New(deps Deps, opts Options) *Poller {
	opts = opts.withDefaults()
	return &Poller{
		deps:     deps,
		opts:     opts,
		log:      opts.Logger,
		crawler:  crawl.New(opts.Crawl, opts.Clock, opts.Logger),
		inFlight: map[int64]bool{},
		hosts:    map[string]*hostState{},
		wake:     make(chan struct{}, 1),
	}
}

// fetcher returns the client a source may use, or nil.
func (p *Poller) fetcher(sub semsearch.Subscription) Fetcher {
	if sub.AllowPrivate {
		return p.deps.FetchPrivate
	}
	return p.deps.Fetch
}

// statusOf is the HTTP status an error carries, or 0.
func statusOf(err error) (int, http.Header) {
	if se := statusError(err); se != nil {
		return se.Code, se.Header
	}
	return 0, nil
}
