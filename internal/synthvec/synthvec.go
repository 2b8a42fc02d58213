// Package synthvec draws synthetic unit vectors from fixed seeds, for the
// vector index's tests and benchmarks.
//
// Clustered vectors have the shape of embeddings of real text: topics and
// sub-topics, so a chunk is close to a few dozen others about the same
// thing and far from the rest, and a query (drawn like a chunk) has a clear
// set of nearest neighbours. Uniform vectors are random directions, the
// worst case for quantisation and graphs: every vector is almost equally
// far from every other, so the true top 10 barely stands out.
package synthvec

import (
	"math"
	"math/rand/v2"
)

// Normalize scales v to unit length in place and returns it.
func Normalize(v []float32) []float32 {
	var s float64
	for _, f := range v {
		s += float64(f) * float64(f)
	}
	inv := float32(1 / math.Sqrt(s))
	for i := range v {
		v[i] *= inv
	}
	return v
}

func gaussian(r *rand.Rand, dims int, sigma float64) []float32 {
	v := make([]float32, dims)
	for i := range v {
		v[i] = float32(r.NormFloat64() * sigma)
	}
	return v
}

// Uniform returns n random unit vectors.
func Uniform(seed uint64, n, dims int) [][]float32 {
	r := rand.New(rand.NewPCG(seed, 11))
	out := make([][]float32, n)
	for i := range out {
		out[i] = Normalize(gaussian(r, dims, 1))
	}
	return out
}

// Clusters draws vectors around topics (one per 1000 vectors the index is
// meant to hold, at least 8) with 20 sub-topics each: topic + 0.7·sub-topic
// + noise, normalised. The cosine of two vectors of one sub-topic is about
// 0.8, of one topic about 0.55, of different topics about 0. It is not safe
// for concurrent use.
type Clusters struct {
	topics [][]float32
	subs   [][][]float32
	r      *rand.Rand
	dims   int
}

// NewClusters returns the clusters for an index of about n vectors.
func NewClusters(seed uint64, n, dims int) *Clusters {
	r := rand.New(rand.NewPCG(seed, 12))
	c := &Clusters{r: r, dims: dims}
	for range max(8, n/1000) {
		subs := make([][]float32, 20)
		for j := range subs {
			subs[j] = Normalize(gaussian(r, dims, 1))
		}
		c.topics = append(c.topics, Normalize(gaussian(r, dims, 1)))
		c.subs = append(c.subs, subs)
	}
	return c
}

// Draw returns a new vector.
func (c *Clusters) Draw() []float32 {
	t := c.r.IntN(len(c.topics))
	s := c.subs[t][c.r.IntN(len(c.subs[t]))]
	v := gaussian(c.r, c.dims, 0.6/math.Sqrt(float64(c.dims)))
	for i := range v {
		v[i] += c.topics[t][i] + 0.7*s[i]
	}
	return Normalize(v)
}

// Clustered returns n vectors and nq queries drawn from NewClusters(seed, n, dims).
func Clustered(seed uint64, n, nq, dims int) (data, queries [][]float32) {
	c := NewClusters(seed, n, dims)
	data = make([][]float32, n)
	for i := range data {
		data[i] = c.Draw()
	}
	queries = make([][]float32, nq)
	for i := range queries {
		queries[i] = c.Draw()
	}
	return data, queries
}
