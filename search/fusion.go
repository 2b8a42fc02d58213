package search

import (
	"cmp"
	"math"
	"slices"

	"github.com/semsearch/semsearch"
)

// Fusion names how the vector and lexical rankings are combined in hybrid
// mode.
type Fusion string

const (
	// FusionRRF is reciprocal rank fusion: a chunk scores
	// Σ weight_r / (RRFK + rank_r) over the retrievers that found it (rank
	// from 1). It needs no score calibration.
	FusionRRF Fusion = "rrf"
	// FusionBlend min-max normalises each retriever's scores over its own
	// candidate list to [0, 1] and sums weight_r × normalised score; a chunk
	// a retriever did not return counts 0 there. It keeps score gaps, and
	// beat RRF once tuned on the test collections: it is the default (see
	// defaultOptions).
	FusionBlend Fusion = "blend"
)

// scored is a chunk with its fused score.
type scored struct {
	chunkID, postID string
	score           float64
}

// fuse combines ranked lists (best first) from the vector and lexical
// retrievers into one list, best first; ties break on chunk ID so results
// are deterministic.
func fuse(o Options, vec, lex []semsearch.Hit) []scored {
	acc := map[string]*scored{}
	add := func(h semsearch.Hit, s float64) {
		if a := acc[h.ChunkID]; a != nil {
			a.score += s
			return
		}
		acc[h.ChunkID] = &scored{chunkID: h.ChunkID, postID: h.PostID, score: s}
	}
	switch o.Fusion {
	case FusionBlend:
		for _, l := range []struct {
			hits []semsearch.Hit
			w    float64
		}{{vec, o.VectorWeight}, {lex, o.LexicalWeight}} {
			lo, hi := math.Inf(1), math.Inf(-1)
			for _, h := range l.hits {
				lo, hi = min(lo, h.Score), max(hi, h.Score)
			}
			for _, h := range l.hits {
				norm := 1.0 // a single candidate, or all equal
				if hi > lo {
					norm = (h.Score - lo) / (hi - lo)
				}
				add(h, l.w*norm)
			}
		}
	default: // FusionRRF
		for i, h := range vec {
			add(h, o.VectorWeight/(o.RRFK+float64(i+1)))
		}
		for i, h := range lex {
			add(h, o.LexicalWeight/(o.RRFK+float64(i+1)))
		}
	}
	out := make([]scored, 0, len(acc))
	for _, a := range acc {
		out = append(out, *a)
	}
	sortScored(out)
	return out
}

// fromHits keeps a single retriever's own scores.
func fromHits(hits []semsearch.Hit) []scored {
	out := make([]scored, len(hits))
	for i, h := range hits {
		out[i] = scored{chunkID: h.ChunkID, postID: h.PostID, score: h.Score}
	}
	sortScored(out)
	return out
}

func sortScored(s []scored) {
	slices.SortStableFunc(s, func(a, b scored) int {
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		return cmp.Compare(a.chunkID, b.chunkID)
	})
}
