package openai

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/semsearch/semsearch/embed"
)

// mapStore is an in-memory embed.CacheStore.
type mapStore struct {
	mu sync.Mutex
	m  map[string][]float32
}

func (s *mapStore) CachedEmbeddings(_ context.Context, model string, hashes []string) (map[string][]float32, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string][]float32{}
	for _, h := range hashes {
		if v, ok := s.m[model+h]; ok {
			out[h] = v
		}
	}
	return out, nil
}

func (s *mapStore) CacheEmbeddings(_ context.Context, model string, vecs map[string][]float32) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for h, v := range vecs {
		s.m[model+h] = v
	}
	return nil
}

func TestClient_BehindCache(t *testing.T) {
	f, srv := newFake(t, nil)
	e := embed.Cached(newClient(t, srv, nil), &mapStore{m: map[string][]float32{}}, nil)
	for run := range 2 {
		vecs, err := e.EmbedPassages(context.Background(), texts(100))
		if err != nil {
			t.Fatal(err)
		}
		checkVectors(t, vecs, 100, 4)
		if n := len(f.requests()); n != 2 {
			t.Fatalf("run %d: %d requests in total, want 2 (100 texts in batches of 64, then none)", run, n)
		}
	}
}

// TestClient_Concurrency checks that batches overlap up to Concurrency and
// never beyond.
func TestClient_Concurrency(t *testing.T) {
	var inflight, peak atomic.Int32
	both := make(chan struct{})
	var once sync.Once
	_, srv := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) bool {
		now := inflight.Add(1)
		defer inflight.Add(-1)
		for p := peak.Load(); now > p && !peak.CompareAndSwap(p, now); p = peak.Load() {
		}
		if now >= 2 {
			once.Do(func() { close(both) })
		}
		select { // hold the first request until a second one arrives
		case <-both:
		case <-time.After(2 * time.Second):
		}
		return false
	})
	c := newClient(t, srv, func(c *Config) { c.BatchSize = 5; c.Concurrency = 2 })
	vecs, err := c.EmbedPassages(context.Background(), texts(40))
	if err != nil {
		t.Fatal(err)
	}
	checkVectors(t, vecs, 40, 4)
	if p := peak.Load(); p != 2 {
		t.Errorf("peak in-flight requests = %d, want 2", p)
	}
}

func TestClient_OneBatchFailsAllFail(t *testing.T) {
	_, srv := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) bool {
		if n == 1 {
			http.Error(w, `{"error":{"message":"bad input"}}`, http.StatusBadRequest)
			return true
		}
		return false
	})
	c := newClient(t, srv, func(c *Config) { c.BatchSize = 10; c.Concurrency = 1 })
	vecs, err := c.EmbedPassages(context.Background(), texts(30))
	if err == nil || vecs != nil {
		t.Fatalf("got %d vectors, %v; want an error and nothing", len(vecs), err)
	}
}
