package semsearch

import "context"

// Embedder turns texts into vectors. Implementations: embed/openai (any
// OpenAI-compatible server) and embed/local (the in-process default).
//
// Vectors are L2-normalised, all of length Dims(). The returned slices belong
// to the caller. Query and passage embedding may differ (instruction
// prefixes), which is why they are separate methods.
type Embedder interface {
	Model() string // stable model name, recorded in the index
	Dims() int
	EmbedPassages(ctx context.Context, texts []string) ([][]float32, error)
	EmbedQuery(ctx context.Context, text string) ([]float32, error)
}
