//go:build amd64

package kernels

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

func init() {
	ks := available()
	impl = ks[0]
}

// available lists the kernel sets this CPU can run, fastest first; the
// portable set is always last.
func available() []kernelSet {
	var out []kernelSet
	avx2 := cpu.X86.HasAVX2 && cpu.X86.HasFMA
	if avx2 && cpu.X86.HasAVX512F {
		out = append(out, kernelSet{
			name: "avx512", mr: 12, block: block12AVX512,
			wide: []wideKernel{{12, block12x32AVX512Go}, {8, block8x32AVX512Go}, {4, block4x32AVX512Go}},
			mr2:  6, block2: block6AVX2,
			row: rowAVX2, axpy: axpyAVX2,
			softmax: softmaxAVX2, geluBias: geluBiasAVX2,
		})
	}
	if avx2 {
		out = append(out, kernelSet{
			name: "avx2", mr: 6, block: block6AVX2,
			row: rowAVX2, axpy: axpyAVX2,
			softmax: softmaxAVX2, geluBias: geluBiasAVX2,
		})
	}
	return append(out, goKernels)
}

func f32p(s []float32) *float32 { return unsafe.SliceData(s) }

func block6AVX2(k int, a []float32, lda int, b []float32, c []float32, ldc int) {
	block6x16AVX2(k, f32p(a), lda, f32p(b), f32p(c), ldc)
}

func block12AVX512(k int, a []float32, lda int, b []float32, c []float32, ldc int) {
	block12x16AVX512(k, f32p(a), lda, f32p(b), f32p(c), ldc)
}

func block12x32AVX512Go(k int, a []float32, lda int, b0, b1 []float32, c []float32, ldc int) {
	block12x32AVX512(k, f32p(a), lda, f32p(b0), f32p(b1), f32p(c), ldc)
}

func block8x32AVX512Go(k int, a []float32, lda int, b0, b1 []float32, c []float32, ldc int) {
	block8x32AVX512(k, f32p(a), lda, f32p(b0), f32p(b1), f32p(c), ldc)
}

func block4x32AVX512Go(k int, a []float32, lda int, b0, b1 []float32, c []float32, ldc int) {
	block4x32AVX512(k, f32p(a), lda, f32p(b0), f32p(b1), f32p(c), ldc)
}

func rowAVX2(k int, a []float32, b []float32, c []float32) {
	row1x16AVX2(k, f32p(a), f32p(b), f32p(c))
}

func axpyAVX2(alpha float32, x, y []float32) {
	n := len(x) &^ 7
	if n > 0 {
		axpy8AVX2(n, f32p(x), f32p(y), alpha)
	}
	for i := n; i < len(x); i++ {
		y[i] += alpha * x[i]
	}
}

// The assembly kernels (kernels_amd64.s) read and write through raw
// pointers; the Go wrappers above and Gemm's up-front bounds checks make
// sure every access is inside the slices.

//go:noescape
func block6x16AVX2(k int, a *float32, lda int, b *float32, c *float32, ldc int)

//go:noescape
func block12x16AVX512(k int, a *float32, lda int, b *float32, c *float32, ldc int)

//go:noescape
func block12x32AVX512(k int, a *float32, lda int, b0 *float32, b1 *float32, c *float32, ldc int)

//go:noescape
func block8x32AVX512(k int, a *float32, lda int, b0 *float32, b1 *float32, c *float32, ldc int)

//go:noescape
func block4x32AVX512(k int, a *float32, lda int, b0 *float32, b1 *float32, c *float32, ldc int)

//go:noescape
func row1x16AVX2(k int, a *float32, b *float32, c *float32)

//go:noescape
func axpy8AVX2(n int, x *float32, y *float32, alpha float32)
