package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/answer"
	"github.com/semsearch/semsearch/chunk"
	"github.com/semsearch/semsearch/embed/local"
	"github.com/semsearch/semsearch/embed/openai"
	"github.com/semsearch/semsearch/embed/weights"
	"github.com/semsearch/semsearch/index"
	"github.com/semsearch/semsearch/ingest"
	"github.com/semsearch/semsearch/phrase"
	"github.com/semsearch/semsearch/querylog"
	"github.com/semsearch/semsearch/search"
	"github.com/semsearch/semsearch/sources"
)

// DefaultModel is the embedded local model used when no embedding server
// is configured: the one whose weights a package registry carries (see README).
const DefaultModel = weights.DefaultModel

// Config is everything Open needs; cmd/semsearch fills it from flags and
// SEMSEARCH_* environment variables.
type Config struct {
	DataDir   string // index directory; created when missing
	ModelsDir string // where `make model` puts local weights
	Model     string // local model name (default DefaultModel)
	Threads   int    // local inference goroutines; 0 = GOMAXPROCS

	// An OpenAI-compatible embedding server replaces the local model when
	// EmbedURL is set.
	EmbedURL     string
	EmbedModel   string
	EmbedKey     string
	EmbedDims    int
	EmbedTimeout time.Duration

	// Backend chooses where the index lives: BackendEmbedded ("" too) or
	// BackendWeaviate (then Weaviate configures it and DataDir is unused).
	Backend  string
	Weaviate WeaviateConfig

	// VectorIndex chooses the in-memory vector index: VectorFast (the
	// default; int8 scan with exact re-scoring) or VectorExact (chromem-go,
	// an exact scan: the reference, 20-70x slower from 10k chunks up). The
	// embedded backend only.
	VectorIndex string

	Chunk  chunk.Options
	Ingest ingest.Options
	// Sources tunes the poller of subscribed sources; Poll makes Run poll
	// them in the background (serve).
	Sources sources.Options
	Poll    bool
	Search  search.Options // zero fields take search.DefaultOptions()
	Answer  answer.Options // zero fields take answer.DefaultOptions()
	// Chat, when its BaseURL is set, phrases each answer from its quoted
	// sentences with an OpenAI-compatible chat model (off by default).
	Chat phrase.Config
	// QueryLog turns on the local log of the questions asked (Ask), in
	// DataDir, bounded by QueryLogRetention; `serve --query-log` sets it.
	QueryLog          bool
	QueryLogRetention querylog.Retention
	Logger            *slog.Logger
}

// The values of Config.VectorIndex.
const (
	VectorFast  = "fast"
	VectorExact = "exact"
)

// vectorIndex maps Config.VectorIndex to the index constructor.
func (c Config) vectorIndex() (index.NewVectorIndex, error) {
	switch c.VectorIndex {
	case "", VectorFast:
		return index.NewFastIndex, nil
	case VectorExact:
		return index.NewChromemIndex, nil
	}
	return nil, semsearch.Errorf(semsearch.EInvalid, "vector index %q: want %s or %s", c.VectorIndex, VectorFast, VectorExact)
}

func (c Config) withDefaults() Config {
	if c.DataDir == "" {
		c.DataDir = "data"
	}
	if c.ModelsDir == "" {
		c.ModelsDir = "models"
	}
	if c.Model == "" {
		c.Model = DefaultModel
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return c
}

// tokenBudget is what a local model tells the chunker: its exact token
// counter and the longest input it embeds as trained.
type tokenBudget struct {
	count func(string) int
	max   int
}

// openEmbedder returns the configured provider and, for the local model, its
// token budget (so chunks fit what the model embeds).
func openEmbedder(ctx context.Context, cfg Config) (semsearch.Embedder, *tokenBudget, error) {
	if cfg.EmbedURL != "" {
		if cfg.EmbedModel == "" {
			return nil, nil, semsearch.Errorf(semsearch.EInvalid, "an embedding server URL needs a model name (--embed-model or SEMSEARCH_EMBED_MODEL)")
		}
		c, err := openai.New(ctx, openai.Config{
			BaseURL: cfg.EmbedURL,
			APIKey:  cfg.EmbedKey,
			Model:   cfg.EmbedModel,
			Dims:    cfg.EmbedDims,
			Timeout: cfg.EmbedTimeout,
			Logger:  cfg.Logger,
		})
		if err != nil {
			return nil, nil, fmt.Errorf("embedding server %s: %w", cfg.EmbedURL, err)
		}
		return c, nil, nil
	}
	m, err := local.Open(cfg.ModelsDir, cfg.Model, local.Options{Threads: cfg.Threads})
	if err != nil {
		return nil, nil, err
	}
	return m, &tokenBudget{count: m.CountTokens, max: m.MaxTokens()}, nil
}

func closeEmbedder(e semsearch.Embedder) error {
	if c, ok := e.(io.Closer); ok {
		return c.Close()
	}
	return nil
}
