package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

func randSlice(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = r.Float32()*2 - 1
	}
	return s
}

// naiveGemm is the reference: C = A·Wᵀ with W n×k.
func naiveGemm(m, n, k int, a []float32, lda int, w []float32, ldw int) []float32 {
	c := make([]float32, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float64
			for kk := 0; kk < k; kk++ {
				s += float64(a[i*lda+kk]) * float64(w[j*ldw+kk])
			}
			c[i*n+j] = float32(s)
		}
	}
	return c
}

func closeTo(got, want float32, k int) bool {
	tol := 1e-5 * float64(k+1)
	return math.Abs(float64(got-want)) <= tol
}

// TestGemm_AllImplementations checks every kernel set this CPU can run
// against a float64 reference, on sizes that hit every edge: rows that are
// not a multiple of any block height, columns that are not a multiple of
// NR, k of 0, 1 and odd, and strided A and C.
func TestGemm_AllImplementations(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	sizes := []struct{ m, n, k int }{
		{1, 1, 1}, {1, 16, 1}, {5, 17, 3}, {6, 16, 7}, {7, 33, 9}, {12, 16, 32},
		{13, 31, 33}, {25, 48, 64}, {97, 40, 100}, {200, 70, 384}, {3, 5, 0},
		{16, 32, 5}, {23, 64, 17}, {31, 96, 40},
	}
	for _, ks := range available() {
		for _, sz := range sizes {
			t.Run(fmt.Sprintf("%s/%dx%dx%d", ks.name, sz.m, sz.n, sz.k), func(t *testing.T) {
				lda, ldc := sz.k+3, sz.n+5
				a := randSlice(r, sz.m*lda)
				w := randSlice(r, sz.n*sz.k)
				bp := make([]float32, PackedLen(sz.n, sz.k))
				PackNT(bp, w, sz.n, sz.k, sz.k)
				c := randSlice(r, sz.m*ldc) // garbage: Gemm must overwrite
				saved := impl
				impl = ks
				Gemm(sz.m, sz.n, sz.k, a, lda, bp, c, ldc)
				impl = saved
				want := naiveGemm(sz.m, sz.n, sz.k, a, lda, w, sz.k)
				for i := 0; i < sz.m; i++ {
					for j := 0; j < sz.n; j++ {
						if g := c[i*ldc+j]; !closeTo(g, want[i*sz.n+j], sz.k) {
							t.Fatalf("C[%d][%d] = %v, want %v", i, j, g, want[i*sz.n+j])
						}
					}
					for j := sz.n; j < ldc && i < sz.m-1; j++ {
						_ = j // the padding columns of C are left alone by design
					}
				}
			})
		}
	}
}

// TestPackNN_MatchesPackNT packs the same matrix both ways.
func TestPackNN_MatchesPackNT(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, sz := range []struct{ k, n int }{{1, 1}, {5, 17}, {32, 16}, {33, 40}} {
		b := randSlice(r, sz.k*sz.n) // k×n
		w := make([]float32, sz.n*sz.k)
		for kk := 0; kk < sz.k; kk++ {
			for j := 0; j < sz.n; j++ {
				w[j*sz.k+kk] = b[kk*sz.n+j]
			}
		}
		p1 := randSlice(r, PackedLen(sz.n, sz.k))
		p2 := randSlice(r, PackedLen(sz.n, sz.k))
		PackNN(p1, b, sz.k, sz.n, sz.n)
		PackNT(p2, w, sz.n, sz.k, sz.k)
		for i := range p1 {
			if p1[i] != p2[i] {
				t.Fatalf("k=%d n=%d: packed[%d] %v != %v", sz.k, sz.n, i, p1[i], p2[i])
			}
		}
	}
}

func TestAxpy_AllImplementations(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, ks := range available() {
		for _, n := range []int{1, 7, 8, 9, 31, 32, 33, 100, 385} {
			x, y := randSlice(r, n), randSlice(r, n+2)
			y2 := append([]float32(nil), y...)
			ks.axpy(0.5, x, y2)
			for i := range y2 {
				w := y[i]
				if i < n {
					w += 0.5 * x[i]
				}
				if !closeTo(y2[i], w, 1) {
					t.Fatalf("%s axpy n=%d: y[%d]=%v, want %v", ks.name, n, i, y2[i], w)
				}
			}
		}
	}
}

func TestAxpy_Empty(t *testing.T) {
	Axpy(1, nil, nil) // must not panic
}

// BenchmarkGemm measures each kernel set on the shapes of a MiniLM/BGE
// layer: rows × 384 → 384 / 1152 / 1536.
func BenchmarkGemm(b *testing.B) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, ks := range available() {
		for _, sz := range []struct{ m, n, k int }{{128, 1152, 384}, {512, 1536, 384}, {512, 384, 1536}} {
			b.Run(fmt.Sprintf("%s/%dx%dx%d", ks.name, sz.m, sz.n, sz.k), func(b *testing.B) {
				a := randSlice(r, sz.m*sz.k)
				w := randSlice(r, sz.n*sz.k)
				bp := make([]float32, PackedLen(sz.n, sz.k))
				PackNT(bp, w, sz.n, sz.k, sz.k)
				c := make([]float32, sz.m*sz.n)
				saved := impl
				impl = ks
				defer func() { impl = saved }()
				b.ResetTimer()
				for b.Loop() {
					Gemm(sz.m, sz.n, sz.k, a, sz.k, bp, c, sz.n)
				}
				b.ReportMetric(float64(2*sz.m*sz.n*sz.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOPS")
			})
		}
	}
}

// TestGemm_RowsIndependentOfBatch: a row of C has the same bits whether it
// is computed alone (row kernel) or inside a block, so an embedding does
// not depend on the batch it was computed in.
func TestGemm_RowsIndependentOfBatch(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	m, n, k := 29, 80, 67
	a := randSlice(r, m*k)
	w := randSlice(r, n*k)
	bp := make([]float32, PackedLen(n, k))
	PackNT(bp, w, n, k, k)
	for _, ks := range available() {
		all := make([]float32, m*n)
		gemmTiled(ks, m, n, k, a, k, bp, all, n)
		for i := 0; i < m; i++ {
			one := make([]float32, n)
			gemmTiled(ks, 1, n, k, a[i*k:], k, bp, one, n)
			for j := range one {
				if math.Float32bits(one[j]) != math.Float32bits(all[i*n+j]) {
					t.Fatalf("%s: row %d col %d: alone %v, in batch %v", ks.name, i, j, one[j], all[i*n+j])
				}
			}
		}
	}
}

// TestAsm_MatchesGo runs every assembly kernel set against the portable Go
// set on the same random inputs (odd sizes, strided operands).
func TestAsm_MatchesGo(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	sets := available()
	ref := sets[len(sets)-1]
	if ref.name != "go" {
		t.Fatalf("last kernel set is %s, want go", ref.name)
	}
	if len(sets) == 1 {
		t.Log("no assembly kernels on this CPU: nothing to compare")
	}
	for _, ks := range sets[:len(sets)-1] {
		for _, sz := range []struct{ m, n, k int }{{1, 7, 5}, {11, 45, 19}, {37, 100, 130}, {64, 384, 32}, {129, 33, 385}} {
			lda, ldc := sz.k+1, sz.n+7
			a := randSlice(r, sz.m*lda)
			bp := randSlice(r, PackedLen(sz.n, sz.k))
			got, want := make([]float32, sz.m*ldc), make([]float32, sz.m*ldc)
			gemmTiled(ks, sz.m, sz.n, sz.k, a, lda, bp, got, ldc)
			gemmTiled(ref, sz.m, sz.n, sz.k, a, lda, bp, want, ldc)
			for i := range got {
				if !closeTo(got[i], want[i], sz.k) {
					t.Fatalf("%s gemm %v: [%d] %v, go %v", ks.name, sz, i, got[i], want[i])
				}
			}
		}
		for _, n := range []int{1, 5, 8, 13, 64, 100, 511} {
			x, y := randSlice(r, n), randSlice(r, n)
			s1, s2 := append([]float32(nil), y...), append([]float32(nil), y...)
			ks.axpy(-1.5, x, s1)
			ref.axpy(-1.5, x, s2)
			g1, g2 := append([]float32(nil), x...), append([]float32(nil), x...)
			ks.geluBias(g1, y)
			ref.geluBias(g2, y)
			for i := range x {
				for _, v := range [][2]float32{{s1[i], s2[i]}, {g1[i], g2[i]}} {
					if !closeTo(v[0], v[1], 1) {
						t.Fatalf("%s axpy/gelu n=%d [%d]: %v, go %v", ks.name, n, i, v[0], v[1])
					}
				}
			}
			p1 := randSlice(r, n)
			for i := range p1 {
				p1[i] *= 20
			}
			p2 := append([]float32(nil), p1...)
			ks.softmax(p1)
			ref.softmax(p2)
			for i := range p1 {
				if math.Abs(float64(p1[i]-p2[i])) > 1e-6 {
					t.Fatalf("%s softmax n=%d [%d]: %v, go %v", ks.name, n, i, p1[i], p2[i])
				}
			}
		}
	}
}
