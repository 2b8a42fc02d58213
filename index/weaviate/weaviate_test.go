package weaviate_test

import (
	"context"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/app"
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
		if e, ok := err.(*semsearch.Error); !ok && !isCode(err, semsearch.EConflict) {
			t.Errorf("another model: %v (%v), want conflict", err, e)
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
	for err != nil {
		if e, ok := err.(*semsearch.Error); ok {
			return e.Code == code
		}
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return false
		}
		err = u.Unwrap()
	}
	return false
}
