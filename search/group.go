package search

import (
	"cmp"
	"slices"
)

// postHit is a post with its chunks in fused order.
type postHit struct {
	postID string
	score  float64
	chunks []scored // best first
}

// group collects chunks (best first) by post. A post scores its best
// chunk, so long posts do not win by mass. Returns the best k posts, best
// first, each with its best chunks (enough to pick Options.Passages passages from).
func group(o Options, chunks []scored, k int, skip func(postID string) bool) []postHit {
	byPost := map[string]*postHit{}
	var order []*postHit
	for _, c := range chunks {
		if skip != nil && skip(c.postID) {
			continue
		}
		p := byPost[c.postID]
		if p == nil {
			p = &postHit{postID: c.postID}
			byPost[c.postID] = p
			order = append(order, p)
		}
		p.chunks = append(p.chunks, c)
	}
	for _, p := range order {
		p.score = p.chunks[0].score
	}
	slices.SortStableFunc(order, func(a, b *postHit) int {
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		return cmp.Compare(a.postID, b.postID)
	})
	if len(order) > k {
		order = order[:k]
	}
	out := make([]postHit, len(order))
	for i, p := range order {
		out[i] = *p
		if n := max(o.Passages, candidateChunks); len(out[i].chunks) > n {
			out[i].chunks = out[i].chunks[:n]
		}
	}
	return out
}
