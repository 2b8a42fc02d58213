package vecmath

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

func randSlice(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = r.Float32()*2 - 1
	}
	return s
}

// TestDot_AllImplementations checks every implementation this CPU can run
// against a float64 reference, on lengths around the 8- and 32-wide steps
// of the assembly, with y longer than x.
func TestDot_AllImplementations(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, k := range kernels() {
		for _, n := range []int{1, 5, 7, 8, 9, 13, 31, 32, 33, 64, 100, 384, 385, 511} {
			x, y := randSlice(r, n), randSlice(r, n+2)
			var want float64
			for i := range x {
				want += float64(x[i]) * float64(y[i])
			}
			if got := k.dot(x, y); math.Abs(float64(got)-want) > 1e-5*float64(n+1) {
				t.Errorf("%s n=%d: %v, want %v", k.name, n, got, want)
			}
		}
	}
	if got := Kernel(); got != kernels()[0].name {
		t.Errorf("Kernel() = %q, want the fastest, %q", got, kernels()[0].name)
	}
}

func TestDot_Edges(t *testing.T) {
	if got := Dot(nil, nil); got != 0 {
		t.Errorf("Dot(nil, nil) = %v", got)
	}
	if got := Dot([]float32{3, 4}, []float32{3, 4, 100}); got != 25 {
		t.Errorf("Dot with a longer y = %v, want 25 (y past len(x) ignored)", got)
	}
	defer func() {
		if recover() == nil {
			t.Error("Dot with a shorter y did not panic")
		}
	}()
	Dot(make([]float32, 9), make([]float32, 8))
}

var sink float32

// BenchmarkDot measures each implementation at the dimensions of the
// local models (384) and of larger embedding models.
func BenchmarkDot(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{384, 768, 1024} {
		x, y := randSlice(r, n), randSlice(r, n)
		for _, k := range kernels() {
			b.Run(k.name+"/"+strconv.Itoa(n), func(b *testing.B) {
				for b.Loop() {
					sink += k.dot(x, y)
				}
			})
		}
	}
}
