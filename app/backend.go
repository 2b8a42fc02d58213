package app

import (
	"context"
	"time"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/index"
	"github.com/semsearch/semsearch/index/weaviate"
)

// Backends Config.Backend names.
const (
	BackendEmbedded = "embedded" // SQLite + an in-memory vector index in DataDir (the default)
	BackendWeaviate = "weaviate" // a Weaviate cluster at Weaviate.URL
)

// WeaviateConfig is the cluster backend's configuration.
type WeaviateConfig struct {
	URL         string
	APIKey      string
	Prefix      string        // class prefix (default "Semsearch")
	Timeout     time.Duration // bound on every call, retries included (default 30s)
	Replication int           // 0: 3 when the cluster has ≥ 3 nodes
	Consistency string        // ONE, QUORUM (default) or ALL
	// AllowUnreplicated accepts replication 1 on a multi-node cluster.
	AllowUnreplicated bool
}

// openStore opens the configured backend for model and dims.
func openStore(ctx context.Context, cfg Config, model string, dims int) (Store, error) {
	switch cfg.Backend {
	case "", BackendEmbedded:
		vectors, err := cfg.vectorIndex()
		if err != nil {
			return nil, err
		}
		return index.OpenWith(ctx, cfg.DataDir, model, dims, index.Options{Vectors: vectors, Logger: cfg.Logger})
	case BackendWeaviate:
		w := cfg.Weaviate
		if w.URL == "" {
			return nil, semsearch.Errorf(semsearch.EInvalid, "the weaviate backend needs a URL (--weaviate-url or SEMSEARCH_WEAVIATE_URL)")
		}
		return weaviate.Open(ctx, model, dims, weaviate.Options{
			URL: w.URL, APIKey: w.APIKey, Prefix: w.Prefix, Timeout: w.Timeout, Replication: w.Replication,
			Consistency: w.Consistency, AllowUnreplicated: w.AllowUnreplicated, Logger: cfg.Logger,
		})
	default:
		return nil, semsearch.Errorf(semsearch.EInvalid, "unknown backend %q: want %s or %s", cfg.Backend, BackendEmbedded, BackendWeaviate)
	}
}

// remote reports whether the index lives outside DataDir.
func (c Config) remote() bool { return c.Backend == BackendWeaviate }
