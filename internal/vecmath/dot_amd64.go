//go:build amd64 && !purego

package vecmath

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

func init() { impl = kernels()[0] }

// kernels lists the implementations this CPU can run, fastest first; the
// portable one is always last.
func kernels() []dotKernel {
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		return []dotKernel{{name: "avx2", dot: dotAVX2}, goKernel}
	}
	return []dotKernel{goKernel}
}

func dotAVX2(x, y []float32) float32 {
	n := len(x) &^ 7
	var s float32
	if n > 0 {
		s = dot8AVX2(n, unsafe.SliceData(x), unsafe.SliceData(y))
	}
	for i := n; i < len(x); i++ {
		s += x[i] * y[i]
	}
	return s
}

// dot8AVX2 reads n floats of x and y through raw pointers; Dot's bounds
// check makes sure they are inside the slices.
//
//go:noescape
func dot8AVX2(n int, x *float32, y *float32) float32
