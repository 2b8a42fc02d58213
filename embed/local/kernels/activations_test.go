package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestExpf_MatchesMathExp(t *testing.T) {
	worst := 0.0
	for x := -87.0; x <= 0; x += 0.001 {
		got := float64(expf(float32(x)))
		want := math.Exp(float64(float32(x)))
		if rel := math.Abs(got-want) / want; rel > worst {
			worst = rel
		}
	}
	if worst > 1e-6 {
		t.Fatalf("expf max relative error %.3g, want <= 1e-6", worst)
	}
	if expf(-100) != 0 {
		t.Fatalf("expf(-100) = %v, want 0", expf(-100))
	}
}

func TestErff_MatchesMathErf(t *testing.T) {
	worst := 0.0
	for x := -6.0; x <= 6; x += 0.0005 {
		got := float64(erff(float32(x)))
		want := math.Erf(float64(float32(x)))
		if d := math.Abs(got - want); d > worst {
			worst = d
		}
	}
	if worst > 1e-6 {
		t.Fatalf("erff max absolute error %.3g, want <= 1e-6", worst)
	}
}

func TestGelu_Values(t *testing.T) {
	for _, tc := range []struct{ x, want float64 }{
		{0, 0}, {1, 0.8413447460685429}, {-1, -0.15865525393145707}, {3, 2.9959502}, {-5, -1.4332e-06},
	} {
		if got := float64(gelu(float32(tc.x))); math.Abs(got-tc.want) > 1e-6 {
			t.Errorf("gelu(%v) = %v, want %v", tc.x, got, tc.want)
		}
	}
}

func TestSoftmaxInPlace(t *testing.T) {
	row := []float32{1, 2, 3, -1000}
	softmaxGo(row)
	want := []float64{0.09003057, 0.24472847, 0.66524096, 0}
	var sum float32
	for i, v := range row {
		sum += v
		if math.Abs(float64(v)-want[i]) > 1e-6 {
			t.Errorf("softmax[%d] = %v, want %v", i, v, want[i])
		}
	}
	if math.Abs(float64(sum)-1) > 1e-6 {
		t.Errorf("softmax sums to %v", sum)
	}
}

// TestActivations_AllImplementations compares the softmax and GELU of each
// kernel set with the float64 definitions on odd lengths.
func TestActivations_AllImplementations(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for _, ks := range available() {
		for _, n := range []int{1, 3, 8, 9, 16, 31, 128, 385} {
			row := make([]float32, n)
			for i := range row {
				row[i] = r.Float32()*30 - 20
			}
			row[n/2] = -200 // underflows to 0
			want := make([]float64, n)
			mx := math.Inf(-1)
			for _, v := range row {
				mx = math.Max(mx, float64(v))
			}
			var sum float64
			for i, v := range row {
				want[i] = math.Exp(float64(v) - mx)
				sum += want[i]
			}
			got := append([]float32(nil), row...)
			ks.softmax(got)
			for i := range got {
				if d := math.Abs(float64(got[i]) - want[i]/sum); d > 1e-6 {
					t.Fatalf("%s softmax n=%d [%d]: %v, want %v", ks.name, n, i, got[i], want[i]/sum)
				}
			}

			x := make([]float32, n)
			bias := make([]float32, n+3)
			for i := range x {
				x[i] = r.Float32()*14 - 7
				bias[i] = r.Float32() - 0.5
			}
			g := append([]float32(nil), x...)
			ks.geluBias(g, bias)
			for i := range g {
				v := float64(x[i] + bias[i])
				w := 0.5 * v * (1 + math.Erf(v/math.Sqrt2))
				if d := math.Abs(float64(g[i]) - w); d > 2e-6*math.Max(1, math.Abs(w)) {
					t.Fatalf("%s gelu n=%d [%d] of %v: %v, want %v", ks.name, n, i, v, g[i], w)
				}
			}
		}
	}
}
