// Package gaps finds what readers could not find: it takes the logged
// questions that got no answer or a doubtful one, groups similar ones
// (cosine of their embeddings), and lists the groups with their counts
// and the posts they came closest to, most asked first.
package gaps

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/semsearch/semsearch"
)

// Options tune the grouping; zero fields take DefaultOptions.
type Options struct {
	// LowConfidence: an answered question below it counts as a gap too.
	LowConfidence float64
	// Similarity is the cosine at or above which a question joins a group
	// (compared with the group's first question).
	Similarity float64
	// Max bounds the groups returned.
	Max int
}

// DefaultOptions: answered below 0.4 (the answer threshold is 0.33 and the
// confidence is calibrated: a quoted answer at 0.4 is right well under half
// the time), grouped at cosine 0.7, 50 groups.
var DefaultOptions = Options{LowConfidence: 0.4, Similarity: 0.7, Max: 50}

// Embedder embeds the questions (semsearch.Embedder's EmbedQuery).
type Embedder interface {
	EmbedQuery(ctx context.Context, text string) ([]float32, error)
}

// Find groups the gaps among qs (any order). Questions are compared after
// lower-casing and white space folding; each distinct wording is embedded
// once.
func Find(ctx context.Context, qs []semsearch.LoggedQuery, emb Embedder, o Options) ([]semsearch.Gap, error) {
	if o.LowConfidence <= 0 {
		o.LowConfidence = DefaultOptions.LowConfidence
	}
	if o.Similarity <= 0 {
		o.Similarity = DefaultOptions.Similarity
	}
	if o.Max <= 0 {
		o.Max = DefaultOptions.Max
	}
	// Distinct wordings of the gaps, most asked first.
	type wording struct {
		key, text string
		qs        []semsearch.LoggedQuery
		vec       []float32
	}
	byKey := map[string]*wording{}
	var ws []*wording
	for _, q := range qs {
		if q.Answered && q.Confidence >= o.LowConfidence {
			continue
		}
		key := strings.Join(strings.Fields(strings.ToLower(q.Query)), " ")
		if key == "" {
			continue
		}
		w := byKey[key]
		if w == nil {
			w = &wording{key: key, text: strings.TrimSpace(q.Query)}
			byKey[key] = w
			ws = append(ws, w)
		}
		w.qs = append(w.qs, q)
	}
	slices.SortStableFunc(ws, func(a, b *wording) int {
		if c := cmp.Compare(len(b.qs), len(a.qs)); c != 0 {
			return c
		}
		return cmp.Compare(a.key, b.key)
	})
	for _, w := range ws {
		v, err := emb.EmbedQuery(ctx, w.text)
		if err != nil {
			return nil, fmt.Errorf("gaps: embed %q: %w", w.text, err)
		}
		w.vec = v
	}
	// Greedy grouping: a wording joins the first group whose leader (its
	// most asked wording) it is similar enough to.
	type group struct {
		leader  *wording
		members []*wording
	}
	var groups []*group
	for _, w := range ws {
		var into *group
		for _, g := range groups {
			if cosine(g.leader.vec, w.vec) >= o.Similarity {
				into = g
				break
			}
		}
		if into == nil {
			into = &group{leader: w}
			groups = append(groups, into)
		}
		into.members = append(into.members, w)
	}
	out := make([]semsearch.Gap, 0, len(groups))
	for _, g := range groups {
		gap := semsearch.Gap{Query: g.leader.text, Queries: []string{}, Closest: []semsearch.GapPost{}}
		posts := map[string]*semsearch.GapPost{}
		var order []string
		for _, w := range g.members {
			if len(gap.Queries) < 5 {
				gap.Queries = append(gap.Queries, w.text)
			}
			for _, q := range w.qs {
				gap.Count++
				if q.Time.After(gap.LastAsked) {
					gap.LastAsked = q.Time
				}
				gap.Confidence = max(gap.Confidence, q.Confidence)
				for _, p := range q.Posts {
					if posts[p.ID] == nil {
						posts[p.ID] = &semsearch.GapPost{ID: p.ID, Title: p.Title, URL: p.URL}
						order = append(order, p.ID)
					}
					posts[p.ID].Count++
				}
			}
		}
		slices.SortStableFunc(order, func(a, b string) int { return cmp.Compare(posts[b].Count, posts[a].Count) })
		for _, id := range order[:min(3, len(order))] {
			gap.Closest = append(gap.Closest, *posts[id])
		}
		out = append(out, gap)
	}
	slices.SortStableFunc(out, func(a, b semsearch.Gap) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return b.LastAsked.Compare(a.LastAsked)
	})
	return out[:min(len(out), o.Max)], nil
}

func cosine(a, b []float32) float64 {
	var dot, na, nb float64
	for i := range min(len(a), len(b)) {
		dot += float64(a[i]) * float64(b[i])
		na += float64(a[i]) * float64(a[i])
		nb += float64(b[i]) * float64(b[i])
	}
	if na == 0 || nb == 0 {
		return 0
	}
	return dot / math.Sqrt(na*nb)
}
