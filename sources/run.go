package sources

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/semsearch/semsearch"
)

// maxClaim bounds the sources one PollDue takes at once.
const maxClaim = 100_000

// Run polls sources as they fall due until ctx ends: at most Workers at a
// time and PerHost per host, a host that answered 429 or 503 left alone
// until its Retry-After. It sleeps until the earliest next check (at most
// Idle, to notice sources another process added), or until Wake. On
// shutdown, polls in flight are abandoned without half-written state (each
// write is one transaction) and their sources are due again at once, so a
// restart resumes the schedule from the store.
func (p *Poller) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	workers := make(chan struct{}, p.opts.Workers)
	for {
		if ctx.Err() != nil {
			return nil
		}
		now := p.opts.Clock.Now()
		failing := false
		if free := p.opts.Workers - len(workers); free > 0 {
			subs, err := p.deps.Registry.ClaimDue(ctx, now, p.opts.Lease, free)
			if err != nil && ctx.Err() == nil {
				p.log.Error("claiming due sources", "error", err)
				failing = true
			}
			p.stats.setDue(len(subs))
			for _, sub := range subs {
				if !p.begin(sub.ID) {
					continue // still polled since before its lease ran out
				}
				workers <- struct{}{}
				wg.Add(1)
				go func() {
					defer wg.Done()
					defer func() { <-workers; p.Wake() }()
					defer p.end(sub.ID)
					res, ok := p.pollHosted(ctx, sub, true)
					if ok && p.opts.OnResult != nil {
						p.opts.OnResult(res)
					}
				}()
			}
		}
		wait := p.opts.Idle
		if len(workers) < p.opts.Workers && !failing {
			if next, ok, err := p.deps.Registry.NextDue(ctx); err == nil && ok {
				wait = min(wait, max(next.Sub(now), 0))
			}
		}
		ch, stop := p.opts.Clock.Timer(wait)
		select {
		case <-ctx.Done():
			stop()
			return nil
		case <-ch:
		case <-p.wake:
			stop()
		}
	}
}

// Wake makes Run look for due sources now.
func (p *Poller) Wake() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// PollDue polls every source due now (all: every source, gone ones too,
// still conditionally) once, as `semsearch poll` does from cron, and
// returns the results in source order.
func (p *Poller) PollDue(ctx context.Context, all bool) ([]Result, error) {
	var subs []semsearch.Subscription
	var err error
	if all {
		subs, err = p.deps.Registry.Sources(ctx)
	} else {
		subs, err = p.deps.Registry.ClaimDue(ctx, p.opts.Clock.Now(), p.opts.Lease, maxClaim)
	}
	if err != nil {
		return nil, err
	}
	results := make([]Result, len(subs))
	workers := make(chan struct{}, p.opts.Workers)
	var wg sync.WaitGroup
	for i, sub := range subs {
		if !p.begin(sub.ID) {
			results[i] = Result{Source: sub, Outcome: Failed, Err: fmt.Errorf("source %d is being polled", sub.ID)}
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer p.end(sub.ID)
			select {
			case workers <- struct{}{}:
				defer func() { <-workers }()
				results[i], _ = p.pollHosted(ctx, sub, false)
			case <-ctx.Done():
				results[i] = p.abandon(sub, p.opts.Clock.Now(), ctx.Err())
			}
		}()
	}
	wg.Wait()
	return results, ctx.Err()
}

// PollNow polls one source at once, whatever its schedule or status (a
// gone source that answers again is back).
func (p *Poller) PollNow(ctx context.Context, id int64) (Result, error) {
	sub, err := p.deps.Registry.Source(ctx, id)
	if err != nil {
		return Result{}, err
	}
	if !p.begin(id) {
		return Result{}, semsearch.Errorf(semsearch.EConflict, "source %d is being polled right now", id)
	}
	defer p.end(id)
	res, _ := p.pollHosted(ctx, sub, false)
	p.Wake()
	return res, nil
}

// pollHosted polls sub once it has a slot on its host. A host that asked
// us to stay away defers the poll: Run quietly reschedules it (ok is
// false); a poll by hand reports it as an error without counting one.
func (p *Poller) pollHosted(ctx context.Context, sub semsearch.Subscription, quiet bool) (Result, bool) {
	host := hostOf(sub.URL)
	release, holdTil, err := p.acquireHost(ctx, host)
	if err != nil {
		return p.abandon(sub, p.opts.Clock.Now(), err), false
	}
	if !holdTil.IsZero() {
		sub.NextCheck = holdTil
		if err := p.deps.Registry.SavePoll(ctx, sub, nil, nil, nil); err != nil {
			p.log.Error("deferring source of a throttled host", "source", semsearch.RedactURL(sub.URL), "error", err)
		}
		if quiet {
			return Result{}, false
		}
		return Result{Source: sub, Outcome: Failed, Err: fmt.Errorf("host %s asked to wait until %s", host, holdTil.Format(time.RFC3339))}, true
	}
	defer release()
	return p.pollSource(ctx, sub, nil), true
}

// acquireHost takes a poll slot on host, waiting while PerHost polls of it
// run. When the host is held (it answered 429 or 503), it returns no slot
// and the time the hold ends.
func (p *Poller) acquireHost(ctx context.Context, host string) (func(), time.Time, error) {
	if host == "" {
		return func() {}, time.Time{}, nil
	}
	for {
		p.mu.Lock()
		h := p.hosts[host]
		if h == nil {
			h = &hostState{free: make(chan struct{})}
			p.hosts[host] = h
		}
		if now := p.opts.Clock.Now(); h.holdTil.After(now) {
			p.mu.Unlock()
			return nil, h.holdTil, nil
		}
		if h.running < p.opts.PerHost {
			h.running++
			p.mu.Unlock()
			return func() {
				p.mu.Lock()
				h.running--
				close(h.free)
				h.free = make(chan struct{})
				p.mu.Unlock()
			}, time.Time{}, nil
		}
		free := h.free
		p.mu.Unlock()
		select {
		case <-free:
		case <-ctx.Done():
			return nil, time.Time{}, ctx.Err()
		}
	}
}

// holdHost keeps every source of host unpolled until til.
func (p *Poller) holdHost(host string, til time.Time) {
	if host == "" {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	h := p.hosts[host]
	if h == nil {
		h = &hostState{free: make(chan struct{})}
		p.hosts[host] = h
	}
	if til.After(h.holdTil) {
		h.holdTil = til
	}
}

// begin marks a source in flight; false when it already is.
func (p *Poller) begin(id int64) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.inFlight[id] {
		return false
	}
	p.inFlight[id] = true
	return true
}

func (p *Poller) end(id int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.inFlight, id)
}

// Sources lists the subscriptions.
func (p *Poller) Sources(ctx context.Context) ([]semsearch.Subscription, error) {
	return p.deps.Registry.Sources(ctx)
}

// Remove unsubscribes a source; with purge it also deletes the posts only
// it contributed, and returns how many.
func (p *Poller) Remove(ctx context.Context, id int64, purge bool) (int, error) {
	return p.deps.Registry.RemoveSource(ctx, id, purge)
}
