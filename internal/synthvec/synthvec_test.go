package synthvec

import (
	"math"
	"slices"
	"testing"
)

func dot(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

// TestVectors_UnitAndDeterministic: every vector is unit length, and the
// same seed gives the same vectors.
func TestVectors_UnitAndDeterministic(t *testing.T) {
	c1, q1 := Clustered(1, 500, 10, 64)
	c2, _ := Clustered(1, 500, 10, 64)
	u1, u2 := Uniform(2, 100, 64), Uniform(2, 100, 64)
	for name, set := range map[string][][]float32{"clustered": c1, "queries": q1, "uniform": u1} {
		for i, v := range set {
			if n := math.Sqrt(dot(v, v)); math.Abs(n-1) > 1e-5 {
				t.Fatalf("%s[%d] has norm %v", name, i, n)
			}
		}
	}
	for i := range c1 {
		if !slices.Equal(c1[i], c2[i]) {
			t.Fatalf("clustered[%d] differs between two draws with one seed", i)
		}
	}
	for i := range u1 {
		if !slices.Equal(u1[i], u2[i]) {
			t.Fatalf("uniform[%d] differs between two draws with one seed", i)
		}
	}
}

// TestClustered_Shape: a query's nearest vectors are much closer than a
// typical vector (the clusters exist), as in embeddings of real text.
func TestClustered_Shape(t *testing.T) {
	data, qs := Clustered(3, 5000, 20, 384)
	for _, q := range qs {
		var best, sum float64
		for _, v := range data {
			d := dot(q, v)
			best = max(best, d)
			sum += d
		}
		if mean := sum / float64(len(data)); best < 0.6 || mean > 0.2 {
			t.Fatalf("nearest %.2f, mean %.2f: want a clear cluster (≥ 0.6) over the rest (≤ 0.2)", best, mean)
		}
	}
}
