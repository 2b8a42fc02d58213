package semsearch

// Hit is one chunk found by a retriever. Score is the retriever's own
// (cosine similarity for vectors, negated BM25 for lexical): higher is
// better, comparable only within one result list.
type Hit struct {
	ChunkID string
	PostID  string
	Score   float64
}

// BM25Weights weight the lexical index's fields in BM25 scoring. A zero
// value means DefaultBM25Weights().
type BM25Weights struct {
	Title, Heading, Text float64
}

// DefaultBM25Weights favour a term in the post title or the section heading
// over one in the body.
func DefaultBM25Weights() BM25Weights { return BM25Weights{Title: 3, Heading: 2, Text: 1} }
