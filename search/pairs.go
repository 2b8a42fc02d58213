package search

import (
	"math"

	"github.com/semsearch/semsearch/internal/vecmath"
)

// pairScanner compares the chunks of one target post with those of every
// other post: one dot product per pair of chunks (the whole cost of a
// related query), from which both the centred and the plain cosine follow.
type pairScanner struct {
	rc      *relatedCorpus
	t       int
	same    float32   // SameSim
	seenA   []bool    // scratch: target chunks with a same-text partner
	tinv    []float32 // 1 / |a − mu| for each target chunk a
	centred []float32
}

func newPairScanner(rc *relatedCorpus, t int, same float32) *pairScanner {
	n := len(rc.posts[t].Vecs)
	sc := &pairScanner{rc: rc, t: t, same: same, seenA: make([]bool, n), tinv: make([]float32, n)}
	for i, norm := range rc.norm[t] {
		sc.tinv[i] = 1 / norm
	}
	return sc
}

// scan compares post d with the target. It returns the best centred cosine
// of a pair of chunks that are not the same text (0 when every pair is),
// the indexes of d's best passages (up to passages, each d's chunk ranked
// by its best centred cosine), and whether d is a near-duplicate of the
// target: at least dupShare of the shorter post's chunks are the same text
// (plain cosine ≥ SameSim) as a chunk of the other.
//
// The centred cosine of unit vectors a and b around mu is
// (a·b − a·mu − b·mu + |mu|²) / (|a − mu| |b − mu|): only a·b is per pair.
func (sc *pairScanner) scan(d, passages int, dupShare float64) (best float32, top []int, dup bool) {
	rc := sc.rc
	ta, tm, tinv := rc.posts[sc.t].Vecs, rc.dotM[sc.t], sc.tinv
	db, dm, dn := rc.posts[d].Vecs, rc.dotM[d], rc.norm[d]
	clear(sc.seenA)
	sameB := 0
	best = float32(math.Inf(-1))
	if cap(sc.centred) < len(db) {
		sc.centred = make([]float32, len(db))
	}
	perChunk := sc.centred[:len(db)]
	for j, b := range db {
		cb := float32(math.Inf(-1))
		same := false
		base := rc.mu2 - dm[j]
		for i, a := range ta {
			raw := vecmath.Dot(a, b)
			if raw >= sc.same {
				same = true
				sc.seenA[i] = true
				continue
			}
			// Scaled by |a − mu| only: the best a for this b is the same.
			if c := (raw - tm[i] + base) * tinv[i]; c > cb {
				cb = c
			}
		}
		cb /= dn[j]
		if same {
			sameB++
		}
		perChunk[j] = cb
		best = max(best, cb)
	}
	sameA := 0
	for _, s := range sc.seenA {
		if s {
			sameA++
		}
	}
	if len(ta) <= len(db) {
		dup = float64(sameA) >= dupShare*float64(len(ta))
	} else {
		dup = float64(sameB) >= dupShare*float64(len(db))
	}
	if math.IsInf(float64(best), -1) {
		best = 0
	}
	return best, topChunks(perChunk, passages), dup
}

// topChunks returns the indexes of the n highest scores, best first, ties
// by index; -Inf scores (chunks that are all the same text) last of all.
func topChunks(scores []float32, n int) []int {
	var top []int
	for j, s := range scores {
		at := len(top)
		for at > 0 && scores[top[at-1]] < s {
			at--
		}
		if at >= n {
			continue
		}
		top = append(top, 0)
		copy(top[at+1:], top[at:])
		top[at] = j
		if len(top) > n {
			top = top[:n]
		}
	}
	return top
}

// nearDuplicate reports whether posts x and y are near-duplicates of each
// other (see pairScanner.scan): between two results, not the target.
func (rc *relatedCorpus) nearDuplicate(x, y int, same float32, dupShare float64) bool {
	a, b := rc.posts[x].Vecs, rc.posts[y].Vecs
	if len(a) > len(b) {
		a, b = b, a
	}
	covered := 0
	for _, u := range a {
		for _, v := range b {
			if vecmath.Dot(u, v) >= same {
				covered++
				break
			}
		}
	}
	return len(a) > 0 && float64(covered) >= dupShare*float64(len(a))
}
