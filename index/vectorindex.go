package index

import (
	"context"

	"github.com/semsearch/semsearch"
)

// VectorIndex is the in-memory nearest-neighbour structure over chunk
// vectors that a Store answers vector queries from. SQLite holds the
// durable copy; a VectorIndex is rebuilt from it at Open (and after a model
// change) and kept in step with every committed write, so it never needs
// to persist anything itself. The Store serialises calls to Add and Delete
// and never runs them concurrently with Query.
//
// Vectors are L2-normalised and of the index's dimension; an implementation
// may keep the slices it is given (they are never written afterwards).
// Implementations: fastIndex (index/vecindex, an int8 scan with float32
// re-scoring; the default) and chromemIndex (chromem-go, an exact scan: the
// reference the fast one is measured against, selected with
// --vector-index exact).
type VectorIndex interface {
	// Add inserts vecs[i] under ids[i], replacing a vector already stored
	// under that ID.
	Add(ctx context.Context, ids []string, vecs [][]float32) error
	// Delete removes the given IDs; unknown IDs are ignored.
	Delete(ctx context.Context, ids ...string) error
	// Query returns the n most cosine-similar vectors to the normalised q,
	// best first, as hits with ChunkID and Score set (PostID is left to the
	// Store). 1 ≤ n ≤ Count().
	Query(ctx context.Context, q []float32, n int) ([]semsearch.Hit, error)
	// Count is the number of vectors held.
	Count() int
}

// NewVectorIndex makes an empty VectorIndex for vectors of dims dimensions.
type NewVectorIndex func(dims int) (VectorIndex, error)
