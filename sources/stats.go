package sources

import (
	"strconv"
	"sync"
	"time"

	"github.com/semsearch/semsearch"
)

// pollStats is what Stats reports, guarded by its own lock.
type pollStats struct {
	mu      sync.Mutex
	fetches map[string]uint64
	polls   map[string]uint64
	seconds float64
	due     int
}

func (s *pollStats) record(res Result, took time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fetches == nil {
		s.fetches, s.polls = map[string]uint64{}, map[string]uint64{}
	}
	s.polls[string(res.Outcome)]++
	s.seconds += took.Seconds()
	switch {
	case res.Source.Kind.Local():
	case res.HTTPStatus == 0 || res.HTTPStatus >= 400 || (res.Outcome == Failed && res.HTTPStatus != 200):
		s.fetches["error"]++
	default:
		s.fetches[strconv.Itoa(res.HTTPStatus)]++
	}
}

func (s *pollStats) setDue(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.due = n
}

// Stats counts the polls made since the Poller was created.
func (p *Poller) Stats() semsearch.PollStats {
	p.stats.mu.Lock()
	out := semsearch.PollStats{Fetches: map[string]uint64{}, Polls: map[string]uint64{}, PollSeconds: p.stats.seconds, Due: p.stats.due}
	for k, v := range p.stats.fetches {
		out.Fetches[k] = v
	}
	for k, v := range p.stats.polls {
		out.Polls[k] = v
	}
	p.stats.mu.Unlock()
	p.mu.Lock()
	out.InFlight = len(p.inFlight)
	p.mu.Unlock()
	return out
}
