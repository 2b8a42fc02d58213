package vecindex

import (
	"cmp"
	"math"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/semsearch/semsearch/internal/vecmath"
)

// Result is one vector a query found: its ID and its exact (float32) dot
// product with the query.
type Result struct {
	ID    string
	Score float32
}

// Query returns up to k IDs whose vectors have the highest dot product with
// q, among those for which keep returns true (nil keeps every vector), best
// first, equal scores by ID. Scores are exact; the ranking is that of an
// exact scan except where the int8 codes misorder a vector so badly that it
// falls out of the re-scored candidates (recall@10 ≥ 0.99 on embeddings of
// real text; see docs/BENCHMARKS.md).
//
// keep is called under the index's read lock, only for vectors whose int8
// score would enter the candidate list, and possibly from several
// goroutines at once; it must be safe for that and must not call the index.
// A filter that keeps few vectors is better answered by QueryAmong, which
// is exact and costs nothing for the vectors filtered out.
func (x *Index) Query(q []float32, k int, keep func(id string) bool) []Result {
	if k <= 0 || len(q) != x.dims {
		return nil
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	n := len(x.ids)
	if n == 0 {
		return nil
	}
	depth := max(x.opts.MinRescore, x.opts.Rescore*k)
	if depth >= n { // nothing to gain from the codes: score everything exactly
		return x.exactRows(q, k, n, keep)
	}
	sc := getScratch(x.stride)
	defer scratchPool.Put(sc)
	quantizeQuery(sc.q, q)

	workers := 1
	if n >= x.opts.ParallelRows {
		workers = min(x.opts.Workers, len(x.segs))
	}
	heaps := make([]*candHeap, workers)
	var next atomic.Int32
	scan := func(w int, buf []float32) {
		h := newCandHeap(depth, x.ids)
		heaps[w] = h
		for {
			si := int(next.Add(1)) - 1
			if si >= len(x.segs) {
				return
			}
			seg := x.segs[si]
			base := si * segRows
			rows := min(segRows, n-base)
			out := buf[:rows]
			impl.dots(seg.codes, x.stride, sc.q, seg.sums, seg.scale, out)
			for i, s := range out {
				if h.full() && !h.beats(s, int32(base+i)) {
					continue
				}
				if keep != nil && !keep(x.ids[base+i]) {
					continue
				}
				h.offer(s, int32(base+i))
			}
		}
	}
	if workers == 1 {
		scan(0, sc.buf)
	} else {
		var wg sync.WaitGroup
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				buf := sc.buf
				if w > 0 {
					buf = make([]float32, segRows)
				}
				scan(w, buf)
			}()
		}
		wg.Wait()
	}
	cands := heaps[0].items
	for _, h := range heaps[1:] {
		cands = append(cands, h.items...)
	}
	if len(cands) > depth {
		slices.SortFunc(cands, func(a, b cand) int {
			if c := cmp.Compare(b.score, a.score); c != 0 {
				return c
			}
			return cmp.Compare(x.ids[a.row], x.ids[b.row])
		})
		cands = cands[:depth]
	}
	res := make([]Result, len(cands))
	for i, c := range cands {
		res[i] = Result{ID: x.ids[c.row], Score: vecmath.Dot(q, x.vecs[c.row])}
	}
	return topK(res, k)
}

// QueryAmong returns up to k of the given IDs whose vectors have the
// highest dot product with q, best first, equal scores by ID: an exact scan
// of those vectors only, for selective filters. Unknown IDs are ignored; an
// ID given twice counts once.
func (x *Index) QueryAmong(q []float32, k int, ids []string) []Result {
	if k <= 0 || len(q) != x.dims {
		return nil
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	res := make([]Result, 0, len(ids))
	seen := make(map[int32]bool, len(ids))
	for _, id := range ids {
		r, ok := x.rows[id]
		if !ok || seen[r] {
			continue
		}
		seen[r] = true
		res = append(res, Result{ID: id, Score: vecmath.Dot(q, x.vecs[r])})
	}
	return topK(res, k)
}

// exactRows scores the first n rows exactly. Callers hold mu.
func (x *Index) exactRows(q []float32, k, n int, keep func(string) bool) []Result {
	res := make([]Result, 0, n)
	for r := range n {
		if keep == nil || keep(x.ids[r]) {
			res = append(res, Result{ID: x.ids[r], Score: vecmath.Dot(q, x.vecs[r])})
		}
	}
	return topK(res, k)
}

// topK sorts res best first (ties by ID) and keeps k.
func topK(res []Result, k int) []Result {
	slices.SortFunc(res, func(a, b Result) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	if len(res) > k {
		res = res[:k]
	}
	return res
}

// quantizeQuery fills q with v's int8 codes (the query's own scale is a
// constant factor of every score and is dropped).
func quantizeQuery(q *query, v []float32) {
	m := maxAbs(v)
	inv := float32(0)
	if m > 0 && !math.IsInf(float64(m), 0) && !math.IsNaN(float64(m)) {
		inv = 127 / m
	}
	for d, f := range v {
		q.set(d, int8(round(f*inv)))
	}
}

// scratch is the per-query working memory, pooled so that a query
// allocates little (an index under load otherwise churns the heap).
type scratch struct {
	q   *query
	buf []float32 // one segment's scores
}

var scratchPool sync.Pool

func getScratch(stride int) *scratch {
	if sc, ok := scratchPool.Get().(*scratch); ok && len(sc.q.s8) == stride {
		return sc
	}
	return &scratch{q: newQuery(stride), buf: make([]float32, segRows)}
}

// cand is a candidate row with its int8 score.
type cand struct {
	score float32
	row   int32
}

// candHeap keeps the best limit candidates offered, by score and then by
// ID (so equal scores are cut the same way whatever order the rows are
// in): a heap whose root is the worst kept.
type candHeap struct {
	items []cand
	limit int
	ids   []string // by row, for ties
}

func newCandHeap(limit int, ids []string) *candHeap {
	return &candHeap{items: make([]cand, 0, limit), limit: limit, ids: ids}
}

func (h *candHeap) full() bool { return len(h.items) == h.limit }

// worse reports whether a ranks below b.
func (h *candHeap) worse(a, b cand) bool {
	return a.score < b.score || (a.score == b.score && h.ids[a.row] > h.ids[b.row])
}

// beats reports whether a candidate would enter a full heap.
func (h *candHeap) beats(score float32, row int32) bool {
	return h.worse(h.items[0], cand{score, row})
}

// offer adds a candidate, dropping the worst when full (callers check
// full and beats first).
func (h *candHeap) offer(score float32, row int32) {
	c := cand{score, row}
	if len(h.items) < h.limit {
		h.items = append(h.items, c)
		for i := len(h.items) - 1; i > 0; {
			p := (i - 1) / 2
			if !h.worse(h.items[i], h.items[p]) {
				break
			}
			h.items[p], h.items[i] = h.items[i], h.items[p]
			i = p
		}
		return
	}
	h.items[0] = c
	n := len(h.items)
	for i := 0; ; {
		l := 2*i + 1
		if l >= n {
			break
		}
		if r := l + 1; r < n && h.worse(h.items[r], h.items[l]) {
			l = r
		}
		if !h.worse(h.items[l], h.items[i]) {
			break
		}
		h.items[i], h.items[l] = h.items[l], h.items[i]
		i = l
	}
}
