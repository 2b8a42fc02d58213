package semsearch

import "math"

// Normalize returns an L2-normalised copy of v (computed in float64), or nil
// when v is empty, zero, or holds NaN or an infinity: such a vector has no
// direction, and a zero vector makes every cosine similarity NaN.
func Normalize(v []float32) []float32 {
	var sum float64
	for _, f := range v {
		if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
			return nil
		}
		sum += float64(f) * float64(f)
	}
	if sum == 0 {
		return nil
	}
	norm := math.Sqrt(sum)
	out := make([]float32, len(v))
	for i, f := range v {
		out[i] = float32(float64(f) / norm)
	}
	return out
}

// PostVectors is one post's chunk vectors as an index holds them: Vecs[i]
// is the L2-normalised vector of chunk ChunkIDs[i]. The vectors belong to
// the index: read them, never write them.
type PostVectors struct {
	PostID      string
	ContentHash string
	ChunkIDs    []string
	Vecs        [][]float32
}
