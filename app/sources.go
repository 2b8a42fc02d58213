package app

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/ingest"
	"github.com/semsearch/semsearch/ingest/fetch"
	"github.com/semsearch/semsearch/sources"
)

// Subscriptions: the App drives a sources.Poller over its store's source
// registry, with itself as the sink (IngestPosts), so a poll chunks and
// embeds only new or changed posts, under the same per-post locks as any
// ingest.

// sourcesConfig is what the subscription methods need of Config.
type sourcesConfig struct {
	poll         bool // Run polls in the background
	allowPrivate bool // the server-wide --allow-private, for sources added over HTTP
}

func (a *App) openSources(cfg Config) {
	a.polling = sourcesConfig{poll: cfg.Poll, allowPrivate: cfg.Ingest.AllowPrivate}
	reg, ok := a.store.(sources.Registry)
	if !ok {
		return
	}
	fo := fetch.Options{
		Timeout: cfg.Ingest.Timeout, MaxBodyBytes: cfg.Ingest.MaxBodyBytes,
		MaxRedirects: cfg.Ingest.MaxRedirects, UserAgent: cfg.Ingest.UserAgent,
		AllowPrivate: cfg.Ingest.AllowPrivate,
	}
	guarded := fetch.New(fo)
	fo.AllowPrivate = true // still never the cloud metadata endpoints
	private := fetch.New(fo)
	// Local sources are added only from the command line (the API takes
	// URLs only), so the poller may read them even in a server whose
	// ingester refuses paths.
	local := cfg.Ingest
	local.RemoteOnly, local.FollowFeeds = false, false
	opts := cfg.Sources
	if opts.Logger == nil {
		opts.Logger = cfg.Logger
	}
	a.poller = sources.New(sources.Deps{
		Registry: reg, Sink: a, Fetch: guarded, FetchPrivate: private, Loader: ingest.New(local),
	}, opts)
}

var errNoRegistry = semsearch.Errorf(semsearch.EUnavailable, "this index backend keeps no source registry: subscriptions are not available")

// Subscribe subscribes to each source (a feed, page, site or sitemap URL,
// an OPML list, a file or a directory) and polls it at once; see
// sources.Poller.Add. One result per subscription made or tried.
func (a *App) Subscribe(ctx context.Context, srcs []string, opts sources.AddOptions) ([]sources.Result, error) {
	if a.poller == nil {
		return nil, errNoRegistry
	}
	var out []sources.Result
	for _, src := range srcs {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		out = append(out, a.poller.Add(ctx, src, opts)...)
	}
	return out, nil
}

// SubscribeURL subscribes to a URL named by an API caller: http(s) only,
// private addresses only when the server allows them. It returns the
// subscriptions made and the first poll's report (URLs shown as API readers
// see them). When nothing could be subscribed the error says why: invalid,
// conflict (already subscribed) or upstream (the source could not be read).
func (a *App) SubscribeURL(ctx context.Context, url string, interval time.Duration, crawl bool) ([]semsearch.Subscription, semsearch.IngestReport, error) {
	if err := semsearch.CheckRemoteSource(url); err != nil {
		return nil, semsearch.IngestReport{}, err
	}
	res, err := a.Subscribe(ctx, []string{url}, sources.AddOptions{
		Interval: interval, Crawl: crawl, AllowPrivate: a.polling.allowPrivate, RemoteOnly: true,
	})
	if err != nil {
		return nil, semsearch.IngestReport{}, err
	}
	rep := sources.Report(res, semsearch.PublicSourceName)
	var subs []semsearch.Subscription
	for _, r := range res {
		if r.Source.ID != 0 {
			subs = append(subs, r.Source)
		}
	}
	if len(subs) == 0 && len(res) > 0 {
		first := res[0].Err
		var se *semsearch.Error
		if errors.As(first, &se) {
			return nil, rep, first
		}
		return nil, rep, semsearch.Errorf(semsearch.EUpstream, "the source could not be subscribed: %s", rep.Sources[0].Error)
	}
	return subs, rep, nil
}

// Sources lists the subscriptions.
func (a *App) Sources(ctx context.Context) ([]semsearch.Subscription, error) {
	if a.poller == nil {
		return nil, errNoRegistry
	}
	return a.poller.Sources(ctx)
}

// FindSource resolves a source named on the command line: its ID, or its
// URL or path (as given, or as shown redacted).
func (a *App) FindSource(ctx context.Context, ref string) (semsearch.Subscription, error) {
	subs, err := a.Sources(ctx)
	if err != nil {
		return semsearch.Subscription{}, err
	}
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		for _, s := range subs {
			if s.ID == id {
				return s, nil
			}
		}
	}
	for _, s := range subs {
		if s.URL == ref || semsearch.RedactURL(s.URL) == ref {
			return s, nil
		}
	}
	return semsearch.Subscription{}, semsearch.Errorf(semsearch.ENotFound, "no subscribed source %q (see `semsearch sources`)", ref)
}

// RemoveSource unsubscribes source id; with purge it also deletes, from
// every index, the posts no other source contributed, and returns how many.
func (a *App) RemoveSource(ctx context.Context, id int64, purge bool) (int, error) {
	if a.poller == nil {
		return 0, errNoRegistry
	}
	return a.poller.Remove(ctx, id, purge)
}

// PollSource polls one source now, whatever its schedule; the report shows
// it as API readers see it.
func (a *App) PollSource(ctx context.Context, id int64) (semsearch.PollReport, error) {
	if a.poller == nil {
		return semsearch.PollReport{}, errNoRegistry
	}
	res, err := a.poller.PollNow(ctx, id)
	if err != nil {
		return semsearch.PollReport{}, err
	}
	return res.Report(semsearch.PublicSourceName), nil
}

// PollSources polls the due sources once (all: every source, still
// conditionally), as `semsearch poll` does.
func (a *App) PollSources(ctx context.Context, all bool) ([]sources.Result, error) {
	if a.poller == nil {
		return nil, errNoRegistry
	}
	return a.poller.PollDue(ctx, all)
}

// PollStats counts the poller's work since Open, for /metrics.
func (a *App) PollStats() semsearch.PollStats {
	if a.poller == nil {
		return semsearch.PollStats{}
	}
	return a.poller.Stats()
}
