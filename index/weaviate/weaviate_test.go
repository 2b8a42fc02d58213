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
	t.Run("NodeDown", func(t *testing.T) {
		ctx := context.Background()
		victim := 2
		// The store talks to the victim first: its calls must fail over.
		urls := c.Nodes[victim].URL + "," + c.Nodes[0].URL + "," + c.Nodes[1].URL
		s := open(t, urls, "Down", weaviate.Options{Timeout: 60 * time.Second})
		if err := s.PutMany(ctx, []index.Doc{storetest.Doc("a", []string{"alpha"}, []int{0})}); err != nil {
			t.Fatal(err)
		}
		t.Logf("killing %s (raft %s)", c.Nodes[victim].Name, c.RaftRole(victim))
		c.Kill(victim)
		start := time.Now()
		if err := s.PutMany(ctx, []index.Doc{storetest.Doc("b", []string{"beta"}, []int{1})}); err != nil {
			t.Errorf("write with a node down: %v", err)
		}
		t.Logf("first write with %s down took %v", c.Nodes[victim].Name, time.Since(start).Round(time.Millisecond))
		hits, err := s.VectorSearch(ctx, storetest.Unit(1), 5, semsearch.Filter{})
		if err != nil || len(hits) != 2 || hits[0].PostID != "b" {
			t.Errorf("read with a node down: %v %v", hits, err)
		}
		if p, err := s.Post(ctx, "a"); err != nil || p.ID != "a" {
			t.Errorf("Post with a node down: %v", err)
		}
		t.Logf("write + reads with a node down took %v", time.Since(start).Round(time.Millisecond))
		c.Restart(victim)
		if err := s.Verify(ctx); err != nil {
			t.Errorf("Verify after the restart: %v", err)
		}
	})
}
