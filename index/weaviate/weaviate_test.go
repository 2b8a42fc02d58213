package weaviate_test

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/app"
	"github.com/semsearch/semsearch/index"
	"github.com/semsearch/semsearch/index/storetest"
	"github.com/semsearch/semsearch/index/weaviate"
	"github.com/semsearch/semsearch/internal/weaviatetest"
)

var _ app.Store = (*weaviate.Store)(nil)

func open(t *testing.T, url, prefix string, opts weaviate.Options) *weaviate.Store {
	t.Helper()
	opts.URL, opts.Prefix = url, prefix
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	s, err := weaviate.Open(context.Background(), "test-model", storetest.Dims, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestSingleNodeConforms(t *testing.T) {
	if !weaviatetest.Isolate(t) {
		return
	}
	c := weaviatetest.Start(t, 1)
	storetest.Run(t, func(t *testing.T, name string) storetest.Store {
		return open(t, c.URL(), "Single"+name, weaviate.Options{})
	})
	t.Run("ModelMismatch", func(t *testing.T) {
		open(t, c.URL(), "Mismatch", weaviate.Options{})
		_, err := weaviate.Open(context.Background(), "other-model", storetest.Dims, weaviate.Options{URL: c.URL(), Prefix: "Mismatch"})
		if !isCode(err, semsearch.EConflict) {
			t.Errorf("another model: %v, want conflict", err)
		}
		s, err := weaviate.Open(context.Background(), "", 0, weaviate.Options{URL: c.URL(), Prefix: "Mismatch"})
		if err != nil {
			t.Fatalf("empty model: %v", err)
		}
		if m, d := s.Model(); m != "test-model" || d != storetest.Dims {
			t.Errorf("recorded model %q %d", m, d)
		}
	})
	t.Run("Unreachable", func(t *testing.T) {
		start := time.Now()
		_, err := weaviate.Open(context.Background(), "m", 8, weaviate.Options{URL: "http://127.0.0.1:1", Timeout: 2 * time.Second})
		if !isCode(err, semsearch.EUnavailable) {
			t.Errorf("unreachable cluster: %v, want unavailable", err)
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("Open took %v past its 2s timeout", d)
		}
	})
}

func isCode(err error, code string) bool {
	var e *semsearch.Error
	return errors.As(err, &e) && e.Code == code
}

// TestClusterConforms runs the suite on a 3-node cluster (replication 3 by
// default, QUORUM), then kills the node a store talks to first and expects
// reads and writes to fail over and go on with 2 of 3.
func TestClusterConforms(t *testing.T) {
	if !weaviatetest.Isolate(t) {
		return
	}
	c := weaviatetest.Start(t, 3)
	// At ALL, a search straight after a write sees it; at QUORUM it may not
	// for a moment (Weaviate's searches read one replica per shard).
	storetest.Run(t, func(t *testing.T, name string) storetest.Store {
		return open(t, c.URL(), "Cluster"+name, weaviate.Options{Consistency: weaviate.All})
	})
	t.Run("RefusesUnreplicated", func(t *testing.T) {
		_, err := weaviate.Open(context.Background(), "test-model", storetest.Dims, weaviate.Options{URL: c.URL(), Prefix: "Unrepl", Replication: 1})
		if !isCode(err, semsearch.EInvalid) {
			t.Errorf("replication 1 on 3 nodes: %v, want invalid", err)
		}
	})
	// A follower, then the Raft leader: the node the store talks to first is
	// the victim, so its calls must fail over.
	for _, role := range []string{"Follower", "Leader"} {
		t.Run(role+"Down", func(t *testing.T) {
			ctx := context.Background()
			victim := -1
			for i := range c.Nodes {
				if c.RaftRole(i) == role {
					victim = i
					break
				}
			}
			if victim < 0 {
				t.Fatalf("no node is %s", role)
			}
			urls := c.Nodes[victim].URL
			for i := range c.Nodes {
				if i != victim {
					urls += "," + c.Nodes[i].URL
				}
			}
			s := open(t, urls, "Down"+role, weaviate.Options{Timeout: 60 * time.Second})
			if err := s.PutMany(ctx, []index.Doc{storetest.Doc("a", []string{"alpha"}, []int{0})}); err != nil {
				t.Fatal(err)
			}
			c.Kill(victim)
			start := time.Now()
			if err := s.PutMany(ctx, []index.Doc{storetest.Doc("b", []string{"beta"}, []int{1})}); err != nil {
				t.Errorf("write with the %s down: %v", role, err)
			}
			t.Logf("first write with %s (%s) down took %v", c.Nodes[victim].Name, role, time.Since(start).Round(time.Millisecond))
			hits, err := s.VectorSearch(ctx, storetest.Unit(1), 5, semsearch.Filter{})
			switch {
			case err != nil:
				t.Errorf("read with the %s down: %v", role, err)
			case len(hits) == 2 && hits[0].PostID == "b":
			case role == "Leader":
				// Seen in about 1 run in 3: while the survivors elect a new
				// leader, Weaviate answers a search from an incomplete
				// replica set without an error (post a, written before the
				// kill, missing). A known limit of the engine, reported in
				// docs/BENCHMARKS.md; not a lost write: Verify below finds
				// every post once the cluster is whole.
				t.Logf("KNOWN: partial search result with the leader down: %v", hits)
			default:
				t.Errorf("read with the %s down: %v", role, hits)
			}
			if p, err := s.Post(ctx, "a"); err != nil || p.ID != "a" {
				t.Errorf("Post with the %s down: %v", role, err)
			}
			c.Restart(victim)
			// The restarted replica missed post b; async replication brings it
			// back. Verify reads one replica per shard: wait (bounded) for it.
			t0 := time.Now()
			var verr error
			for verr = s.Verify(ctx); verr != nil && time.Since(t0) < 90*time.Second; verr = s.Verify(ctx) {
				c.WaitReady(10 * time.Second)
			}
			if verr != nil {
				t.Errorf("Verify 90 s after the restart: %v", verr)
			}
			t.Logf("the index verified %v after the restart", time.Since(t0).Round(time.Millisecond))
		})
	}
}
