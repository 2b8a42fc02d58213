package search

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/semsearch/semsearch"
)

// Found is the whole outcome of a search: the results, the chunks each
// result's post was found by (what an answer quotes from), the query's
// vector, and the facets of every candidate post.
type Found struct {
	Results []semsearch.Result
	// Candidates are the posts of Results, in the same order, each with
	// its best chunks (fused score order).
	Candidates []Candidate
	Vector     []float32 // nil in lexical mode or when the embedder failed
	Facets     semsearch.Facets
}

// Candidate is a found post with its best chunks.
type Candidate struct {
	PostID string
	Score  float64
	Chunks []ChunkScore // best first
}

// ChunkScore is a chunk with its fused score.
type ChunkScore struct {
	ChunkID string
	Score   float64
}

// With SortDate, the posts that match go first, newest first: those
// whose best chunk's cosine to the query is at least recencyCosShare of
// the best post's (the model judges topic better than word overlap: "the
// latest post on mathematical optimization" is not one on compiler
// optimizations), or, without vectors, whose fused score is at least
// recencyShare of the best.
const (
	recencyCosShare = 0.75
	recencyShare    = 0.8
)

// Find is Search with facets, candidates and the query vector.
func (s *Searcher) Find(ctx context.Context, q semsearch.Query) (Found, error) {
	return s.find(ctx, q, true)
}

func (s *Searcher) find(ctx context.Context, q semsearch.Query, facets bool) (Found, error) {
	if err := q.ValidateWithin(s.opts.MaxQueryRunes); err != nil {
		return Found{}, err
	}
	chunks, vec, vecHits, err := s.retrieve(ctx, q)
	if err != nil {
		return Found{}, err
	}
	byDate := q.Sort == semsearch.SortDate
	k := q.K
	if facets || byDate {
		k = len(chunks) // every candidate post
	}
	posts := group(s.opts, chunks, k, nil)
	f := Found{Vector: vec}
	if facets || byDate {
		ids := make([]string, len(posts))
		for i, p := range posts {
			ids[i] = p.postID
		}
		meta, err := s.store.PostMeta(ctx, ids...)
		if err != nil {
			return Found{}, fmt.Errorf("fetch posts: %w", err)
		}
		if byDate {
			newestFirst(posts, meta, bestCosine(vecHits))
		}
		if facets {
			f.Facets = countFacets(posts, meta)
		}
	}
	posts = posts[:min(q.K, len(posts))]
	if f.Results, err = s.results(ctx, posts, queryTerms(strings.TrimSpace(q.Text))); err != nil {
		return Found{}, err
	}
	byID := map[string]postHit{}
	for _, p := range posts {
		byID[p.postID] = p
	}
	for _, r := range f.Results {
		p := byID[r.ID]
		c := Candidate{PostID: p.postID, Score: p.score}
		for _, ch := range p.chunks {
			c.Chunks = append(c.Chunks, ChunkScore{ChunkID: ch.chunkID, Score: ch.score})
		}
		f.Candidates = append(f.Candidates, c)
	}
	return f, nil
}

// newestFirst puts the posts that match first, newest first (undated
// ones last), then the others in score order. cos is each post's best
// chunk cosine (nil without vectors).
func newestFirst(posts []postHit, meta map[string]semsearch.Post, cos map[string]float64) {
	if len(posts) == 0 {
		return
	}
	match := func(p postHit) bool { return p.score >= recencyShare*posts[0].score }
	if len(cos) > 0 {
		best := 0.0
		for _, p := range posts {
			best = max(best, cos[p.postID])
		}
		match = func(p postHit) bool { return best > 0 && cos[p.postID] >= recencyCosShare*best }
	}
	var first, rest []postHit
	for _, p := range posts {
		if match(p) {
			first = append(first, p)
		} else {
			rest = append(rest, p)
		}
	}
	slices.SortStableFunc(first, func(a, b postHit) int {
		return meta[b.postID].Published.Compare(meta[a.postID].Published)
	})
	copy(posts, append(first, rest...))
}

// bestCosine is each post's best chunk cosine among the vector hits.
func bestCosine(hits []semsearch.Hit) map[string]float64 {
	out := map[string]float64{}
	for _, h := range hits {
		if c, ok := out[h.PostID]; !ok || h.Score > c {
			out[h.PostID] = h.Score
		}
	}
	return out
}

// countFacets counts the posts by source, author and tag.
func countFacets(posts []postHit, meta map[string]semsearch.Post) semsearch.Facets {
	sources, authors, tags := map[string]int{}, map[string]int{}, map[string]int{}
	var f semsearch.Facets
	for _, p := range posts {
		m, ok := meta[p.postID]
		if !ok {
			continue
		}
		if name := m.Source.Name(); name != "" {
			sources[name]++
		}
		for _, a := range dedupe(m.Authors) {
			authors[a]++
		}
		for _, t := range dedupe(m.Tags) {
			tags[t]++
		}
		if d := m.Published; !d.IsZero() {
			if f.Oldest.IsZero() || d.Before(f.Oldest) {
				f.Oldest = d
			}
			if d.After(f.Newest) {
				f.Newest = d
			}
		}
	}
	f.Sources, f.Authors, f.Tags = topCounts(sources), topCounts(authors), topCounts(tags)
	return f
}

func dedupe(vs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range vs {
		if v = strings.TrimSpace(v); v != "" && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// topCounts lists counts most frequent first (ties by value), at most
// semsearch.MaxFacetValues; never nil.
func topCounts(m map[string]int) []semsearch.FacetCount {
	out := make([]semsearch.FacetCount, 0, len(m))
	for v, n := range m {
		out = append(out, semsearch.FacetCount{Value: v, Count: n})
	}
	slices.SortFunc(out, func(a, b semsearch.FacetCount) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return cmp.Compare(a.Value, b.Value)
	})
	return out[:min(len(out), semsearch.MaxFacetValues)]
}
