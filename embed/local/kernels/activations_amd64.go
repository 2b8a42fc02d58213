//go:build amd64

package kernels

// softmaxAVX2 is softmaxGo with the max, exp and scaling passes vectorised
// over the first len(row)&^7 elements.
func softmaxAVX2(row []float32) {
	n := len(row) &^ 7
	if n == 0 {
		softmaxGo(row)
		return
	}
	m := maxAVX2(n, f32p(row))
	for _, v := range row[n:] {
		m = max(m, v)
	}
	sum := expSubAVX2(n, f32p(row), m)
	for i := n; i < len(row); i++ {
		e := expf(row[i] - m)
		row[i] = e
		sum += e
	}
	inv := 1 / sum
	scalAVX2(n, f32p(row), inv)
	for i := n; i < len(row); i++ {
		row[i] *= inv
	}
}

func geluBiasAVX2(x, bias []float32) {
	n := len(x) &^ 7
	_ = bias[len(x)-1]
	if n > 0 {
		geluBiasAVX2Asm(n, f32p(x), f32p(bias))
	}
	geluBiasGo(x[n:], bias[n:len(x)])
}

//go:noescape
func maxAVX2(n int, x *float32) float32

//go:noescape
func expSubAVX2(n int, x *float32, m float32) float32

//go:noescape
func scalAVX2(n int, x *float32, a float32)

//go:noescape
func geluBiasAVX2Asm(n int, x *float32, b *float32)
