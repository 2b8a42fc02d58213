package local

import "math"

// layerNorm normalises x in place to zero mean and unit variance, then
// scales by gamma and shifts by beta. Sums run in float64: a hidden vector
// can have a large mean relative to its spread.
func layerNorm(x, gamma, beta []float32, eps float32) {
	var sum float64
	for _, v := range x {
		sum += float64(v)
	}
	mean := sum / float64(len(x))
	var vs float64
	for _, v := range x {
		d := float64(v) - mean
		vs += d * d
	}
	inv := float32(1 / math.Sqrt(vs/float64(len(x))+float64(eps)))
	m := float32(mean)
	gamma, beta = gamma[:len(x)], beta[:len(x)]
	for i, v := range x {
		x[i] = (v-m)*inv*gamma[i] + beta[i]
	}
}

// normalize scales v to unit L2 norm; a zero vector is left as is.
func normalize(v []float32) {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	if s == 0 {
		return
	}
	inv := float32(1 / math.Sqrt(s))
	for i := range v {
		v[i] *= inv
	}
}
