// Package kernels holds the float32 compute kernels of the local encoder:
// a packed-panel matrix multiply (the linear layers and attention), softmax,
// bias+GELU and axpy. Each has a portable Go version and, on amd64
// with AVX2+FMA or AVX-512, assembly versions chosen once at start-up from
// the CPU features (golang.org/x/sys/cpu). They agree to float32 rounding
// (the assembly fuses multiply-adds). Within one kernel set every row of a
// product sums over k in the same order whatever kernel computes it, so a
// result does not depend on how rows were batched or split across threads.
package kernels

// NR is the width of a packed panel of B: the micro-kernels compute NR
// columns of C at a time.
const NR = 16

// PackedLen is the length of the buffer PackNT or PackNN needs for a k×n B.
func PackedLen(n, k int) int { return (n + NR - 1) / NR * NR * k }

// PackNT packs B = Wᵀ where W is n×k row-major with row stride ldw (the
// PyTorch layout of a linear layer's weight: out×in) into dst, panel by
// panel: panel p holds, for each of the k rows of B, NR consecutive columns
// p*NR..p*NR+NR-1, zero-padded past n.
func PackNT(dst, w []float32, n, k, ldw int) {
	for p := 0; p*NR < n; p++ {
		panel := dst[p*NR*k : (p+1)*NR*k]
		for j := 0; j < NR; j++ {
			col := p*NR + j
			if col >= n {
				for kk := 0; kk < k; kk++ {
					panel[kk*NR+j] = 0
				}
				continue
			}
			row := w[col*ldw : col*ldw+k]
			for kk, v := range row {
				panel[kk*NR+j] = v
			}
		}
	}
}

// PackNN packs a k×n row-major B with row stride ldb into dst (see PackNT).
func PackNN(dst, b []float32, k, n, ldb int) {
	for p := 0; p*NR < n; p++ {
		panel := dst[p*NR*k : (p+1)*NR*k]
		c0 := p * NR
		w := min(NR, n-c0)
		for kk := 0; kk < k; kk++ {
			out := panel[kk*NR : kk*NR+NR]
			copy(out, b[kk*ldb+c0:kk*ldb+c0+w])
			for j := w; j < NR; j++ {
				out[j] = 0
			}
		}
	}
}

// Gemm sets C = A·B for the m×k row-major A (row stride lda) and the k×n B
// packed by PackNT/PackNN into bp. C is m×n row-major with row stride ldc.
// To split the work, pass bp[p*NR*k:] and c[p*NR:] with a smaller n: panels
// are independent.
func Gemm(m, n, k int, a []float32, lda int, bp []float32, c []float32, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	if k == 0 {
		for i := 0; i < m; i++ {
			clear(c[i*ldc : i*ldc+n])
		}
		return
	}
	// Bounds checks here once, so the kernels can run unchecked.
	_ = a[(m-1)*lda+k-1]
	_ = bp[PackedLen(n, k)-1]
	_ = c[(m-1)*ldc+n-1]
	gemmTiled(impl, m, n, k, a, lda, bp, c, ldc)
}

// Axpy sets y[i] += alpha*x[i] for i < len(x).
func Axpy(alpha float32, x, y []float32) {
	if len(x) == 0 {
		return
	}
	_ = y[len(x)-1]
	impl.axpy(alpha, x, y)
}

// Softmax replaces row with its softmax.
func Softmax(row []float32) {
	if len(row) > 0 {
		impl.softmax(row)
	}
}

// GeluBias sets x[i] = GELU(x[i] + bias[i]) for i < len(x), with the exact
// (erf) GELU of BERT.
func GeluBias(x, bias []float32) {
	if len(x) > 0 {
		_ = bias[len(x)-1]
		impl.geluBias(x, bias)
	}
}

// Impl names the kernel set in use ("avx512", "avx2", "go").
func Impl() string { return impl.name }

// kernelSet is one implementation of the kernels. mr is the number of rows
// its block micro-kernel computes; block computes an mr×NR tile and row a
// 1×NR tile (both overwrite C, row stride ldc, in elements).
type kernelSet struct {
	name  string
	mr    int
	block func(k int, a []float32, lda int, b []float32, c []float32, ldc int)
	// mr2/block2, when set, is a smaller block kernel for the rows left
	// over after the mr-row blocks.
	mr2    int
	block2 func(k int, a []float32, lda int, b []float32, c []float32, ldc int)
	// wide, when set, are kernels computing an mr×2NR tile from two
	// consecutive full panels (b0, b1), tallest first.
	wide []wideKernel
	row  func(k int, a []float32, b []float32, c []float32)
	axpy func(alpha float32, x, y []float32)
	// softmax and geluBias: see Softmax and GeluBias.
	softmax  func(row []float32)
	geluBias func(x, bias []float32)
}

var goKernels = kernelSet{
	name:  "go",
	mr:    4,
	block: block4Go,
	row:   rowGo,
	axpy:  axpyGo,

	softmax:  softmaxGo,
	geluBias: geluBiasGo,
}

// impl is chosen once in init (kernels_amd64.go) and never changed.
var impl = goKernels

type wideKernel struct {
	mr int
	fn func(k int, a []float32, lda int, b0, b1 []float32, c []float32, ldc int)
}

// rowBlock is how many rows of A the tiled driver keeps hot while it walks
// over all panels of B: 96 rows of 384 floats fit in L2 with room for B.
const rowBlock = 96

// gemmTiled walks C in row blocks, and within a block panel by panel, so
// that a panel of B (NR×k) stays in L1 while mr rows of A stream past it.
func gemmTiled(ks kernelSet, m, n, k int, a []float32, lda int, bp []float32, c []float32, ldc int) {
	var tile [16 * NR]float32 // edge tiles (n%NR != 0); mr <= 16
	panels := (n + NR - 1) / NR
	for i0 := 0; i0 < m; i0 += rowBlock {
		i1 := min(m, i0+rowBlock)
		for p := 0; p < panels; {
			if ks.wide != nil && n-(p+1)*NR >= NR { // panels p and p+1 both full
				b0, b1 := bp[p*NR*k:(p+1)*NR*k], bp[(p+1)*NR*k:(p+2)*NR*k]
				i := i0
				for _, wk := range ks.wide {
					for ; i+wk.mr <= i1; i += wk.mr {
						wk.fn(k, a[i*lda:], lda, b0, b1, c[i*ldc+p*NR:], ldc)
					}
				}
				gemmPanel(ks, i, i1, p, n, k, a, lda, bp, c, ldc, &tile)
				gemmPanel(ks, i, i1, p+1, n, k, a, lda, bp, c, ldc, &tile)
				p += 2
				continue
			}
			gemmPanel(ks, i0, i1, p, n, k, a, lda, bp, c, ldc, &tile)
			p++
		}
	}
}

// gemmPanel computes rows [i0,i1) of the columns of panel p.
func gemmPanel(ks kernelSet, i0, i1, p, n, k int, a []float32, lda int, bp []float32, c []float32, ldc int, tile *[16 * NR]float32) {
	b := bp[p*NR*k : (p+1)*NR*k]
	c0 := p * NR
	w := min(NR, n-c0)
	i := i0
	for ; i+ks.mr <= i1; i += ks.mr {
		blockTile(ks.block, ks.mr, k, a[i*lda:], lda, b, c[i*ldc+c0:], ldc, w, tile)
	}
	if ks.block2 != nil {
		for ; i+ks.mr2 <= i1; i += ks.mr2 {
			blockTile(ks.block2, ks.mr2, k, a[i*lda:], lda, b, c[i*ldc+c0:], ldc, w, tile)
		}
	}
	for ; i < i1; i++ {
		if w == NR {
			ks.row(k, a[i*lda:], b, c[i*ldc+c0:])
			continue
		}
		ks.row(k, a[i*lda:], b, tile[:NR])
		copy(c[i*ldc+c0:i*ldc+c0+w], tile[:w])
	}
}

// blockTile runs one block kernel into C, through tile when only the first
// w < NR columns of the panel exist in C.
func blockTile(block func(int, []float32, int, []float32, []float32, int), mr, k int,
	a []float32, lda int, b []float32, c []float32, ldc, w int, tile *[16 * NR]float32) {
	if w == NR {
		block(k, a, lda, b, c, ldc)
		return
	}
	block(k, a, lda, b, tile[:], NR)
	for r := 0; r < mr; r++ {
		copy(c[r*ldc:r*ldc+w], tile[r*NR:r*NR+w])
	}
}

// block4Go computes a 4×NR tile. (Measured: this plain form beats
// register-blocked 4×4 sub-tiles with the gc compiler.)
func block4Go(k int, a []float32, lda int, b []float32, c []float32, ldc int) {
	var acc [4][NR]float32
	a0, a1, a2, a3 := a[:k], a[lda:lda+k], a[2*lda:2*lda+k], a[3*lda:3*lda+k]
	for kk := 0; kk < k; kk++ {
		bb := (*[NR]float32)(b[kk*NR : kk*NR+NR])
		x0, x1, x2, x3 := a0[kk], a1[kk], a2[kk], a3[kk]
		for j := 0; j < NR; j++ {
			v := bb[j]
			acc[0][j] += x0 * v
			acc[1][j] += x1 * v
			acc[2][j] += x2 * v
			acc[3][j] += x3 * v
		}
	}
	for r := 0; r < 4; r++ {
		copy(c[r*ldc:r*ldc+NR], acc[r][:])
	}
}

// rowGo computes a 1×NR tile.
func rowGo(k int, a []float32, b []float32, c []float32) {
	var acc [NR]float32
	for kk, x := range a[:k] {
		bb := (*[NR]float32)(b[kk*NR : kk*NR+NR])
		for j := 0; j < NR; j++ {
			acc[j] += x * bb[j]
		}
	}
	copy(c[:NR], acc[:])
}

func axpyGo(alpha float32, x, y []float32) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] += alpha * v
	}
}
