package search

import (
	"context"
	"fmt"
	"strings"

	"github.com/semsearch/semsearch"
)

// Related returns up to k posts most similar to the post postID, best
// first: the mean of the post's chunk vectors is the query, and the post
// itself and exact duplicates (same content hash) are left out. A missing
// post is a not_found error; a post without chunks has no related posts.
func (s *Searcher) Related(ctx context.Context, postID string, k int) ([]semsearch.Result, error) {
	if err := semsearch.CheckK(k); err != nil {
		return nil, err
	}
	_, vecs, err := s.store.PostChunks(ctx, postID)
	if err != nil {
		return nil, fmt.Errorf("related to %s: %w", postID, err)
	}
	if len(vecs) == 0 {
		return []semsearch.Result{}, nil
	}
	q := mean(vecs)
	if q == nil {
		return []semsearch.Result{}, nil // chunk vectors cancel out
	}
	selfMeta, err := s.store.PostMeta(ctx, postID)
	if err != nil {
		return nil, fmt.Errorf("related to %s: %w", postID, err)
	}
	self := selfMeta[postID]
	// Over-fetch: the post's own chunks come first and are skipped.
	hits, err := s.store.VectorSearch(ctx, q, s.depth(k)+len(vecs), semsearch.Filter{})
	if err != nil {
		return nil, fmt.Errorf("related to %s: %w", postID, err)
	}
	var ids []string
	for _, h := range hits {
		ids = append(ids, h.PostID)
	}
	meta, err := s.store.PostMeta(ctx, ids...)
	if err != nil {
		return nil, fmt.Errorf("related to %s: %w", postID, err)
	}
	skip := func(id string) bool {
		if id == postID {
			return true
		}
		m := meta[id]
		return self.ContentHash != "" && m.ContentHash == self.ContentHash
	}
	return s.results(ctx, group(s.opts, fromHits(hits), k, skip), nil)
}

// mean returns the normalised mean of vecs, or nil when it is zero.
func mean(vecs [][]float32) []float32 {
	sum := make([]float64, len(vecs[0]))
	for _, v := range vecs {
		for i, f := range v {
			sum[i] += float64(f)
		}
	}
	m := make([]float32, len(sum))
	for i, f := range sum {
		m[i] = float32(f)
	}
	return semsearch.Normalize(m)
}

// Similar returns up to k posts most similar to text (embedded as a query),
// best first. Passages are not highlighted: text is not a keyword query.
// Empty text or k outside 1..MaxK is an invalid error.
func (s *Searcher) Similar(ctx context.Context, text string, k int) ([]semsearch.Result, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, semsearch.Errorf(semsearch.EInvalid, "text is required: it is empty")
	}
	if err := semsearch.CheckText("text", text, semsearch.MaxTextRunes); err != nil {
		return nil, err
	}
	if err := semsearch.CheckK(k); err != nil {
		return nil, err
	}
	hits, _, err := s.vector(ctx, text, s.depth(k), semsearch.Filter{})
	if err != nil {
		return nil, err
	}
	return s.results(ctx, group(s.opts, fromHits(hits), k, nil), nil)
}
