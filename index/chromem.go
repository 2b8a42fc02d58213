package index

import (
	"context"
	"errors"
	"fmt"
	"runtime"

	chromem "github.com/philippgille/chromem-go"
	"golang.org/x/sync/errgroup"

	"github.com/semsearch/semsearch"
)

// chromemIndex is the VectorIndex on an in-memory chromem-go collection: an
// exact scan. chromem's own persistence is never used (it is not
// crash-safe); its embedding function always fails, since every document
// and query comes with its vector.
type chromemIndex struct {
	coll *chromem.Collection
}

var _ VectorIndex = (*chromemIndex)(nil)

// NewChromemIndex is the default NewVectorIndex.
func NewChromemIndex(int) (VectorIndex, error) {
	noEmbed := func(context.Context, string) ([]float32, error) {
		return nil, errors.New("index: chromem must not embed; vectors are always given")
	}
	coll, err := chromem.NewDB().CreateCollection("chunks", nil, noEmbed)
	if err != nil {
		return nil, fmt.Errorf("create vector collection: %w", err)
	}
	return &chromemIndex{coll: coll}, nil
}

// Add adds the vectors with one worker per CPU: chromem's own AddDocuments
// starts a goroutine per document, which at 100k documents costs more than
// the work. chromem keeps a normalised vector's slice as given.
func (c *chromemIndex) Add(ctx context.Context, ids []string, vecs [][]float32) error {
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	const stride = 256
	for start := 0; start < len(ids); start += stride {
		end := min(start+stride, len(ids))
		g.Go(func() error {
			for i := start; i < end; i++ {
				if err := c.coll.AddDocument(ctx, chromem.Document{ID: ids[i], Embedding: vecs[i]}); err != nil {
					return fmt.Errorf("add chunk %s: %w", ids[i], err)
				}
			}
			return nil
		})
	}
	return g.Wait()
}

func (c *chromemIndex) Delete(ctx context.Context, ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	return c.coll.Delete(ctx, nil, nil, ids...)
}

func (c *chromemIndex) Query(ctx context.Context, q []float32, n int) ([]semsearch.Hit, error) {
	res, err := c.coll.QueryEmbedding(ctx, q, n, nil, nil)
	if err != nil {
		return nil, fmt.Errorf("chromem query: %w", err)
	}
	hits := make([]semsearch.Hit, len(res))
	for i, r := range res {
		hits[i] = semsearch.Hit{ChunkID: r.ID, Score: float64(r.Similarity)}
	}
	return hits, nil
}

func (c *chromemIndex) Count() int { return c.coll.Count() }
