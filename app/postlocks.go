package app

import (
	"context"
	"slices"
	"sync"
)

// postLocks serialises writers per post: two ingests (an API call and a
// background poll) touching different posts run side by side, while two
// touching the same post take turns, so one post is never embedded twice
// at once and the re-check of its content hash under the lock is final.
type postLocks struct {
	mu   sync.Mutex
	held map[string]chan struct{} // closed when the holder unlocks
}

func newPostLocks() *postLocks { return &postLocks{held: map[string]chan struct{}{}} }

// lock takes every one of ids at once (all or none, so two callers with
// overlapping sets cannot deadlock), waiting while any is held, or gives
// up when ctx ends.
func (l *postLocks) lock(ctx context.Context, ids []string) (unlock func(), err error) {
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	for {
		l.mu.Lock()
		var busy chan struct{}
		for _, id := range ids {
			if ch, ok := l.held[id]; ok {
				busy = ch
				break
			}
		}
		if busy == nil {
			done := make(chan struct{})
			for _, id := range ids {
				l.held[id] = done
			}
			l.mu.Unlock()
			return func() {
				l.mu.Lock()
				for _, id := range ids {
					delete(l.held, id)
				}
				l.mu.Unlock()
				close(done)
			}, nil
		}
		l.mu.Unlock()
		select {
		case <-busy:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}
