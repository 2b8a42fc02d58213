//go:build amd64 && !purego

package vecindex

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

func init() { impl = kernels()[0] }

// kernels lists the kernels this CPU can run, fastest first; the portable
// one is always last.
func kernels() []kernel {
	var out []kernel
	if cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VL && cpu.X86.HasAVX512VNNI && cpu.X86.HasAVX2 {
		out = append(out, kernel{name: "avx512vnni", dots: dotsVNNIGo})
	}
	if cpu.X86.HasAVX2 {
		out = append(out, kernel{name: "avx2", dots: dotsAVX2Go})
	}
	return append(out, goKernel)
}

// The assembly reads four rows at a time through raw pointers; these
// wrappers check every bound once and leave the last len(out)%4 rows to
// the Go kernel (which gives the same results).

func dotsVNNIGo(codes []int8, stride int, q *query, sums []int32, scale, out []float32) {
	n := len(out) &^ 3
	if n > 0 {
		_ = codes[n*stride-1]
		_ = sums[n-1]
		_ = scale[n-1]
		_ = q.u8[stride-1]
		dots4VNNI(unsafe.SliceData(codes), n, stride, unsafe.SliceData(q.u8), unsafe.SliceData(sums), unsafe.SliceData(scale), unsafe.SliceData(out))
	}
	if n < len(out) {
		dotsGo(codes[n*stride:], stride, q, sums[n:], scale[n:], out[n:])
	}
}

func dotsAVX2Go(codes []int8, stride int, q *query, sums []int32, scale, out []float32) {
	n := len(out) &^ 3
	if n > 0 {
		_ = codes[n*stride-1]
		_ = scale[n-1]
		_ = q.s8[stride-1]
		_ = q.abs[stride-1]
		dots4AVX2(unsafe.SliceData(codes), n, stride, unsafe.SliceData(q.s8), unsafe.SliceData(q.abs), unsafe.SliceData(scale), unsafe.SliceData(out))
	}
	if n < len(out) {
		dotsGo(codes[n*stride:], stride, q, sums[n:], scale[n:], out[n:])
	}
}

// dots4VNNI: n a positive multiple of 4, stride a positive multiple of 64.
//
//go:noescape
func dots4VNNI(codes *int8, n, stride int, qu8 *uint8, sums *int32, scale *float32, out *float32)

// dots4AVX2: n a positive multiple of 4, stride a positive multiple of 32.
//
//go:noescape
func dots4AVX2(codes *int8, n, stride int, qs8 *int8, qabs *uint8, scale *float32, out *float32)
