package sources

import (
	"net/http"
	"slices"
	"time"

	"github.com/semsearch/semsearch"
)

// The schedule. A healthy source is polled every interval: the user's
// choice, else its learned cadence, else DefaultInterval, within
// [MinInterval, MaxInterval] (MaxUserInterval for a user's choice), and
// never sooner than the server's freshness hints (RSS <ttl>,
// sy:updatePeriod, Cache-Control max-age, Expires) capped to MaxInterval.
//
// A failing source is retried after BackoffBase·2^(n-1) for its n-th
// consecutive error, capped at BackoffMax, and never sooner than the
// server's Retry-After (429, 503), capped at MaxRetryAfter. It is never
// given up: only 410 Gone stops the polling. Every wait is spread by ±Jitter
// so that sources added together drift apart; a Retry-After wait is only
// ever lengthened, never shortened.

// clamp bounds d to [lo, hi].
func clamp(d, lo, hi time.Duration) time.Duration {
	return min(max(d, lo), hi)
}

// jitter scales d by a random factor in [1-Jitter, 1+Jitter).
func (p *Poller) jitter(d time.Duration) time.Duration {
	f := 1 - p.opts.Jitter + 2*p.opts.Jitter*p.opts.Rand()
	return time.Duration(float64(d) * f)
}

// interval is the wait between two polls of a healthy source, before hints
// and jitter.
func (p *Poller) interval(sub semsearch.Subscription) time.Duration {
	switch {
	case sub.Interval > 0:
		return clamp(sub.Interval, p.opts.MinInterval, p.opts.MaxUserInterval)
	case sub.Cadence > 0:
		return clamp(sub.Cadence, p.opts.MinInterval, p.opts.MaxInterval)
	}
	return clamp(p.opts.DefaultInterval, p.opts.MinInterval, p.opts.MaxInterval)
}

// nextHealthy is when to poll a source again after a successful poll at
// now; hint is how long the server or feed says the content stays fresh.
func (p *Poller) nextHealthy(sub semsearch.Subscription, now time.Time, hint time.Duration) time.Time {
	d := max(p.interval(sub), min(hint, max(p.opts.MaxInterval, sub.Interval)))
	return now.Add(p.jitter(d))
}

// backoff is the wait after the n-th consecutive error (n >= 1), before
// jitter: BackoffBase doubled n-1 times, capped at BackoffMax.
func (p *Poller) backoff(n int) time.Duration {
	d := p.opts.BackoffBase
	for i := 1; i < n && d < p.opts.BackoffMax; i++ {
		d *= 2
	}
	return min(d, p.opts.BackoffMax)
}

// nextAfterError is when to retry a source whose n-th consecutive poll
// failed at now, and the Retry-After asked for (0 when none); header is the
// failed response's (nil when none arrived).
func (p *Poller) nextAfterError(n int, now time.Time, header http.Header) (time.Time, time.Duration) {
	d := p.jitter(p.backoff(n))
	ra, ok := retryAfter(header, now)
	if ok {
		ra = min(ra, p.opts.MaxRetryAfter)
		// Honour Retry-After exactly or later: jitter only adds to it.
		d = max(d, ra+time.Duration(float64(ra)*p.opts.Jitter*p.opts.Rand()))
	}
	return now.Add(d), ra
}

// cadence estimates from the posts' publication dates how often the source
// publishes: half the mean gap between its newest posts (up to 10), or half
// the time since the newest when the source has gone quiet for longer than
// that. Zero when fewer than two posts are dated.
func cadence(posts []semsearch.Post, now time.Time) time.Duration {
	var dates []time.Time
	for _, p := range posts {
		if t := p.Published; !t.IsZero() && !t.After(now.Add(24*time.Hour)) {
			dates = append(dates, t)
		}
	}
	if len(dates) < 2 {
		return 0
	}
	slices.SortFunc(dates, func(a, b time.Time) int { return b.Compare(a) })
	dates = slices.CompactFunc(dates, time.Time.Equal)
	if len(dates) < 2 {
		return 0
	}
	n := min(len(dates), 10)
	gap := dates[0].Sub(dates[n-1]) / time.Duration(n-1)
	gap = max(gap, now.Sub(dates[0]))
	return gap / 2
}
