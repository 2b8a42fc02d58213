package local

import (
	"math"
	"testing"
)

func TestLayerNormAndNormalize(t *testing.T) {
	x := []float32{1, 2, 3, 4}
	layerNorm(x, []float32{1, 1, 1, 2}, []float32{0, 0, 0, 1}, 1e-12)
	want := []float64{-1.3416408, -0.4472136, 0.4472136, 1 + 2*1.3416408}
	for i := range x {
		if math.Abs(float64(x[i])-want[i]) > 1e-5 {
			t.Errorf("layerNorm[%d] = %v, want %v", i, x[i], want[i])
		}
	}
	v := []float32{3, 4}
	normalize(v)
	if v[0] != 0.6 || v[1] != 0.8 {
		t.Errorf("normalize = %v", v)
	}
	z := []float32{0, 0}
	normalize(z)
	if z[0] != 0 || z[1] != 0 {
		t.Errorf("normalize(0) = %v", z)
	}
}
