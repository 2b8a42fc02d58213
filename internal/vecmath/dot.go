// Package vecmath holds the float32 vector kernel shared by the index and
// search: Dot, with a portable Go version and, on amd64 with AVX2+FMA, an
// assembly version chosen once at start-up from the CPU features
// (golang.org/x/sys/cpu). The two agree to float32 rounding (the assembly
// fuses multiply-adds and sums in another order); within one process every
// call uses the same one, so equal inputs give equal scores. -tags purego
// builds the portable version only.
package vecmath

// dotKernel is one implementation of Dot.
type dotKernel struct {
	name string
	dot  func(x, y []float32) float32 // len(y) ≥ len(x) > 0
}

var goKernel = dotKernel{name: "go", dot: dotGo}

// impl is chosen once in init (dot_amd64.go) and never changed.
var impl = goKernel

// Kernel names the Dot implementation in use ("avx2", "go").
func Kernel() string { return impl.name }

// Dot returns the dot product of x and y[:len(x)]; it panics if y is
// shorter than x.
func Dot(x, y []float32) float32 {
	if len(x) == 0 {
		return 0
	}
	_ = y[len(x)-1]
	return impl.dot(x, y)
}

func dotGo(x, y []float32) float32 {
	var s0, s1, s2, s3 float32
	y = y[:len(x)]
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += x[i] * y[i]
		s1 += x[i+1] * y[i+1]
		s2 += x[i+2] * y[i+2]
		s3 += x[i+3] * y[i+3]
	}
	for ; i < len(x); i++ {
		s0 += x[i] * y[i]
	}
	return (s0 + s1) + (s2 + s3)
}
