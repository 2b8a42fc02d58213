package app

import (
	"context"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/embed"
	"github.com/semsearch/semsearch/index"
	"github.com/semsearch/semsearch/search"
)

// Store is the index backend an App drives: the reads search needs, the
// embedding cache, and the catalog writes of ingest and delete.
// *index.Store (SQLite + an in-memory vector index) is the embedded
// default; a cluster backend implements the same contract: PutMany replaces
// each post with its chunks atomically, Delete removes a post from every
// index, and nothing acknowledged is lost.
type Store interface {
	search.Index
	embed.CacheStore
	PutMany(ctx context.Context, docs []index.Doc) error
	Delete(ctx context.Context, id string) error
	Post(ctx context.Context, id string) (semsearch.Post, error)
	PostHash(ctx context.Context, id string) (hash string, ok bool, err error)
	PostIDs(ctx context.Context) ([]string, error)
	Stats(ctx context.Context) (semsearch.Stats, error)
	// Ready is a cheap check, fit for every readiness probe.
	Ready(ctx context.Context) error
	Verify(ctx context.Context) error
	Close() error
}

var _ Store = (*index.Store)(nil)
