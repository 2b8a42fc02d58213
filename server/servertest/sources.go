package servertest

import (
	"context"
	"time"

	"github.com/semsearch/semsearch"
)

// The subscription routes: Subs is the registry; SubscribeURL appends a
// source (or calls SubscribeFunc), RemoveSource drops one, PollSource
// reports it not modified.

func (f *Service) Sources(ctx context.Context) ([]semsearch.Subscription, error) {
	f.record(Call{Method: "Sources"})
	if f.Err != nil {
		return nil, f.Err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]semsearch.Subscription(nil), f.Subs...), nil
}

func (f *Service) SubscribeURL(ctx context.Context, url string, interval time.Duration, crawl bool) ([]semsearch.Subscription, semsearch.IngestReport, error) {
	f.record(Call{Method: "SubscribeURL", Sources: []string{url}})
	if f.SubscribeFunc != nil {
		return f.SubscribeFunc(ctx, url, interval, crawl)
	}
	if f.Err != nil {
		return nil, semsearch.IngestReport{}, f.Err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, s := range f.Subs {
		if s.URL == url {
			return nil, semsearch.IngestReport{}, semsearch.Errorf(semsearch.EConflict, "source %s is already subscribed", url)
		}
	}
	now := time.Now().UTC()
	sub := semsearch.Subscription{ID: int64(len(f.Subs) + 1), URL: url, Kind: semsearch.KindFeed, Interval: interval,
		Status: semsearch.StatusOK, Added: now, LastChecked: now, NextCheck: now.Add(time.Hour), HTTPStatus: 200, Posts: 2}
	f.Subs = append(f.Subs, sub)
	rep := semsearch.IngestReport{Sources: []semsearch.SourceReport{{Source: semsearch.PublicSourceName(url), Posts: 2, Chunks: 6}}, Posts: 2, Chunks: 6}
	return []semsearch.Subscription{sub}, rep, nil
}

func (f *Service) RemoveSource(ctx context.Context, id int64, purge bool) (int, error) {
	f.record(Call{Method: "RemoveSource", Source: id, Purge: purge})
	if f.Err != nil {
		return 0, f.Err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, s := range f.Subs {
		if s.ID == id {
			f.Subs = append(f.Subs[:i], f.Subs[i+1:]...)
			if purge {
				return s.Posts, nil
			}
			return 0, nil
		}
	}
	return 0, semsearch.Errorf(semsearch.ENotFound, "source %d not found", id)
}

func (f *Service) PollSource(ctx context.Context, id int64) (semsearch.PollReport, error) {
	f.record(Call{Method: "PollSource", Source: id})
	if f.Err != nil {
		return semsearch.PollReport{}, f.Err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, s := range f.Subs {
		if s.ID == id {
			return semsearch.PollReport{URL: semsearch.PublicSourceName(s.URL), Result: "not_modified", HTTPStatus: 304, Unchanged: s.Posts}, nil
		}
	}
	return semsearch.PollReport{}, semsearch.Errorf(semsearch.ENotFound, "source %d not found", id)
}
