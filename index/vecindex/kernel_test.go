package vecindex

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/semsearch/semsearch/internal/synthvec"
)

// randCodes returns n rows of random codes in [-127, 127] (the first dims
// bytes of each stride-byte row; the rest zero), with their sums and scales.
func randCodes(r *rand.Rand, n, dims, stride int) ([]int8, []int32, []float32) {
	codes := make([]int8, n*stride)
	sums := make([]int32, n)
	scale := make([]float32, n)
	for i := range n {
		for d := range dims {
			c := int8(r.IntN(255) - 127)
			codes[i*stride+d] = c
			sums[i] += int32(c)
		}
		scale[i] = r.Float32() + 0.01
	}
	return codes, sums, scale
}

func randQuery(r *rand.Rand, dims, stride int) *query {
	q := newQuery(stride)
	for d := range dims {
		q.set(d, int8(r.IntN(255)-127))
	}
	return q
}

// TestKernels_MatchGo runs every kernel this CPU has against the portable
// one: the integer sums are exact, so the results must be bit-identical,
// including the extreme codes ±127 and row counts that are not a multiple
// of four.
func TestKernels_MatchGo(t *testing.T) {
	ks := kernels()
	if ks[len(ks)-1].name != "go" {
		t.Fatalf("last kernel is %s, want go", ks[len(ks)-1].name)
	}
	if len(ks) == 1 {
		t.Log("no assembly kernels on this CPU: nothing to compare")
	}
	r := rand.New(rand.NewPCG(1, 2))
	for _, k := range ks[:len(ks)-1] {
		for _, sz := range []struct{ n, dims int }{{1, 3}, {4, 64}, {7, 100}, {33, 384}, {128, 768}, {9, 1040}} {
			stride := strideFor(sz.dims)
			codes, sums, scale := randCodes(r, sz.n, sz.dims, stride)
			q := randQuery(r, sz.dims, stride)
			got, want := make([]float32, sz.n), make([]float32, sz.n)
			k.dots(codes, stride, q, sums, scale, got)
			dotsGo(codes, stride, q, sums, scale, want)
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("%s n=%d dims=%d row %d: %v, go %v", k.name, sz.n, sz.dims, i, got[i], want[i])
				}
			}
		}
		// Extremes: every code and query byte ±127.
		for _, sign := range []int8{1, -1} {
			dims := 1040
			stride := strideFor(dims)
			codes := make([]int8, 4*stride)
			sums := make([]int32, 4)
			scale := []float32{1, 1, 1, 1}
			q := newQuery(stride)
			for d := range dims {
				q.set(d, 127)
				for i := range 4 {
					codes[i*stride+d] = sign * 127
					sums[i] += int32(sign) * 127
				}
			}
			got := make([]float32, 4)
			k.dots(codes, stride, q, sums, scale, got)
			if want := float32(int(sign) * dims * 127 * 127); got[0] != want || got[3] != want {
				t.Fatalf("%s extremes: %v, want %v", k.name, got, want)
			}
		}
	}
}

func BenchmarkKernels(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 4))
	const dims = 384
	stride := strideFor(dims)
	for _, n := range []int{4096, 1 << 18} {
		codes, sums, scale := randCodes(r, n, dims, stride)
		q := randQuery(r, dims, stride)
		out := make([]float32, n)
		for _, k := range kernels() {
			b.Run(fmt.Sprintf("%s/%d", k.name, n), func(b *testing.B) {
				b.SetBytes(int64(n * stride))
				for b.Loop() {
					k.dots(codes, stride, q, sums, scale, out)
				}
			})
		}
	}
}

func BenchmarkQuantize(b *testing.B) {
	v := synthvec.Uniform(1, 1, 384)[0]
	dst := make([]int8, 384)
	for b.Loop() {
		quantize(dst, v)
	}
}

func BenchmarkAddMany_100k(b *testing.B) {
	data := synthvec.Uniform(1, 100_000, 384)
	ids := make([]string, len(data))
	for i := range ids {
		ids[i] = fmt.Sprintf("c%07d", i)
	}
	for b.Loop() {
		x := New(384, Options{})
		if err := x.AddMany(ids, data); err != nil {
			b.Fatal(err)
		}
	}
}
