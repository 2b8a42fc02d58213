package embed

import (
	"fmt"
	"math"

	"github.com/semsearch/semsearch"
)

// Check validates a provider's answer for n texts: exactly n vectors, each
// of length dims (or, when dims is 0, all of the first vector's non-zero
// length), with only finite values and not all zero (a zero vector has no
// direction: cosine similarity turns it into NaN scores). The error names
// the first offending vector.
func Check(vecs [][]float32, n, dims int) error {
	if len(vecs) != n {
		return fmt.Errorf("got %d vectors for %d texts", len(vecs), n)
	}
	if dims <= 0 && n > 0 {
		dims = len(vecs[0])
		if dims == 0 {
			return fmt.Errorf("vector 0 is empty")
		}
	}
	for i, v := range vecs {
		if len(v) != dims {
			return fmt.Errorf("vector %d has %d dimensions, want %d", i, len(v), dims)
		}
		zero := true
		for j, x := range v {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				return fmt.Errorf("vector %d has a non-finite value (%v) at %d", i, x, j)
			}
			if x != 0 {
				zero = false
			}
		}
		if zero {
			return fmt.Errorf("vector %d is all zeros", i)
		}
	}
	return nil
}

// Normalize scales v in place to unit L2 length (semsearch.Normalize) and
// returns it. A zero or non-finite vector is returned unchanged (Check
// rejects it first).
func Normalize(v []float32) []float32 {
	if n := semsearch.Normalize(v); n != nil {
		copy(v, n)
	}
	return v
}
