// Package embed holds what every embedding provider shares: the cache
// wrapper that makes re-embedding unchanged text free (Cached), and the
// checks every provider's output must pass before it reaches the index
// (Check, Normalize). Providers live in subpackages (embed/openai,
// embed/local).
package embed

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"

	"github.com/semsearch/semsearch"
)

// CacheStore keeps vectors by (model, text hash). *index.Store implements it.
type CacheStore interface {
	// CachedEmbeddings returns the vectors cached for the given hashes;
	// hashes without a vector are absent from the map.
	CachedEmbeddings(ctx context.Context, model string, hashes []string) (map[string][]float32, error)
	// CacheEmbeddings stores vectors by hash, replacing existing entries.
	CacheEmbeddings(ctx context.Context, model string, vecs map[string][]float32) error
}

// TextHash is the cache key of a text: its hex SHA-256.
func TextHash(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:])
}

// Cached wraps e so that EmbedPassages embeds only texts whose vectors are
// not yet in store under e.Model(). Queries pass through uncached: they are
// one short text each and rarely repeat across restarts.
//
// The cache is an optimisation, never a source of failure: a store that
// cannot be read or written is logged and bypassed, and a cached vector that
// fails Check (wrong length after a model change, corrupted) is re-embedded.
// Those warnings go to log; nil discards them.
func Cached(e semsearch.Embedder, store CacheStore, log *slog.Logger) semsearch.Embedder {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &cached{Embedder: e, store: store, log: log}
}

type cached struct {
	semsearch.Embedder // Model, Dims, EmbedQuery pass through
	store              CacheStore
	log                *slog.Logger
}

// EmbedPassages returns one vector per text, in order, each a fresh slice.
// Texts missing from the cache are deduplicated and embedded in one call to
// the wrapped embedder, then stored.
func (c *cached) EmbedPassages(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	if len(texts) == 0 {
		return out, nil
	}
	model, dims := c.Model(), c.Dims()
	hashes := make([]string, len(texts))
	var unique []string
	seen := make(map[string]bool, len(texts))
	for i, t := range texts {
		h := TextHash(t)
		hashes[i] = h
		if !seen[h] {
			seen[h] = true
			unique = append(unique, h)
		}
	}
	hits, err := c.store.CachedEmbeddings(ctx, model, unique)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("read embedding cache: %w", ctx.Err())
		}
		c.log.WarnContext(ctx, "embedding cache unreadable, embedding everything", "model", model, "error", err)
		hits = nil
	}
	found := make(map[string][]float32, len(unique))
	for h, v := range hits {
		if seen[h] && Check([][]float32{v}, 1, dims) == nil {
			found[h] = v
		}
	}

	var missTexts, missHashes []string
	for i, h := range hashes {
		if _, ok := found[h]; !ok {
			found[h] = nil // placeholder: embed each missing text once
			missTexts = append(missTexts, texts[i])
			missHashes = append(missHashes, h)
		}
	}
	if len(missTexts) > 0 {
		vecs, err := c.Embedder.EmbedPassages(ctx, missTexts)
		if err != nil {
			return nil, err
		}
		if err := Check(vecs, len(missTexts), dims); err != nil {
			return nil, fmt.Errorf("embed %d passages with %s: %w", len(missTexts), model, err)
		}
		fresh := make(map[string][]float32, len(vecs))
		for i, v := range vecs {
			found[missHashes[i]] = v
			fresh[missHashes[i]] = v
		}
		if err := c.store.CacheEmbeddings(ctx, model, fresh); err != nil {
			c.log.WarnContext(ctx, "embedding cache not written", "model", model, "vectors", len(fresh), "error", err)
		}
	}
	for i, h := range hashes {
		out[i] = append([]float32(nil), found[h]...) // callers own their slices
	}
	return out, nil
}
