package index

import (
	"context"
	"fmt"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/index/vecindex"
)

// fastIndex is the VectorIndex on index/vecindex: int8 codes of every
// vector scanned with SIMD kernels, the best candidates re-scored exactly
// in float32 (see docs/BENCHMARKS.md, "Vector fast path", for speed and
// recall against chromemIndex). It keeps the Store's float32 slices by
// reference and adds 384 bytes of codes plus about 100 bytes of bookkeeping
// per 384-d chunk.
type fastIndex struct {
	x *vecindex.Index
}

var _ VectorIndex = (*fastIndex)(nil)

// NewFastIndex is the default NewVectorIndex.
func NewFastIndex(dims int) (VectorIndex, error) {
	if dims <= 0 {
		return nil, fmt.Errorf("vector index of %d dimensions", dims)
	}
	return &fastIndex{x: vecindex.New(dims, vecindex.Options{})}, nil
}

func (f *fastIndex) Add(_ context.Context, ids []string, vecs [][]float32) error {
	return f.x.AddMany(ids, vecs)
}

func (f *fastIndex) Delete(_ context.Context, ids ...string) error {
	f.x.Delete(ids...)
	return nil
}

func (f *fastIndex) Query(_ context.Context, q []float32, n int) ([]semsearch.Hit, error) {
	res := f.x.Query(q, n, nil)
	hits := make([]semsearch.Hit, len(res))
	for i, r := range res {
		hits[i] = semsearch.Hit{ChunkID: r.ID, Score: float64(r.Score)}
	}
	return hits, nil
}

func (f *fastIndex) Count() int { return f.x.Count() }

// Grow makes room for n more vectors (see grower).
func (f *fastIndex) Grow(n int) { f.x.Grow(n) }
