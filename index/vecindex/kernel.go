package vecindex

// The scan kernels score int8 codes against an int8 query. Every kernel
// computes, for each row i of codes (stride bytes apart, the first dims
// bytes used, the rest zero), out[i] = float32(Σ_d code[i][d]·q[d]) ·
// scale[i]. The integer sum is exact (|Σ| ≤ dims·127² < 2²⁴ for dims up to
// 1040), so every kernel gives bit-identical results. -tags purego builds
// the portable kernel only (what other architectures run), so the whole
// package can be tested on it.

// query is a quantised query in the forms the kernels read. Each slice is
// stride bytes long and zero (or, for u8, 128) past dims.
type query struct {
	s8  []int8  // the codes, in [-127, 127]
	u8  []uint8 // s8 + 128 (AVX-512 VNNI multiplies unsigned by signed bytes)
	abs []uint8 // |s8| (AVX2 multiplies |q| by code·sign(q))
}

// kernel is one implementation of the scan.
type kernel struct {
	name string
	// dots scores len(out) rows of codes; sums[i] is the sum of row i's
	// codes (the VNNI kernel needs it to undo the +128 of q.u8).
	dots func(codes []int8, stride int, q *query, sums []int32, scale, out []float32)
}

var goKernel = kernel{name: "go", dots: dotsGo}

// impl is chosen once in init (kernel_amd64.go) and never changed.
var impl = goKernel

// KernelName names the scan kernel in use ("avx512vnni", "avx2", "go").
func KernelName() string { return impl.name }

func dotsGo(codes []int8, stride int, q *query, sums []int32, scale, out []float32) {
	qs := q.s8
	for i := range out {
		row := codes[i*stride : i*stride+len(qs)]
		var s0, s1, s2, s3 int32
		d := 0
		for ; d+4 <= len(qs); d += 4 {
			s0 += int32(row[d]) * int32(qs[d])
			s1 += int32(row[d+1]) * int32(qs[d+1])
			s2 += int32(row[d+2]) * int32(qs[d+2])
			s3 += int32(row[d+3]) * int32(qs[d+3])
		}
		for ; d < len(qs); d++ {
			s0 += int32(row[d]) * int32(qs[d])
		}
		out[i] = float32(s0+s1+s2+s3) * scale[i]
	}
}
