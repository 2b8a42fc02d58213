package kernels

import "math"

// Float32 versions of exp and erf for the softmax and GELU: math.Exp and
// math.Erf work in float64 and cost several times more, and the encoder
// calls them millions of times per passage. Both stay within 1e-6 of the
// float64 functions (see activations_test.go); the assembly versions
// evaluate the same polynomials eight lanes at a time.

// expf returns e**x for x <= 0 down to about -87 (softmax inputs after the
// row maximum is subtracted); smaller x returns 0. Cephes expf: x = n·ln2 + r
// with |r| <= ln2/2, a degree-6 polynomial for e**r, then scaling by 2**n
// through the exponent bits.
func expf(x float32) float32 {
	if x < -87.33 {
		return 0
	}
	if x > 88.7 {
		return float32(math.Inf(1))
	}
	const (
		log2e = 1.44269504088896341
		c1    = 0.693359375
		c2    = -2.12194440e-4
	)
	fx := x*log2e + 0.5
	n := float32(int32(fx))
	if n > fx { // floor for negative values
		n--
	}
	r := x - n*c1 - n*c2
	y := float32(1.9875691500e-4)
	y = y*r + 1.3981999507e-3
	y = y*r + 8.3334519073e-3
	y = y*r + 4.1665795894e-2
	y = y*r + 1.6666665459e-1
	y = y*r + 5.0000001201e-1
	y = y*r*r + r + 1
	return y * math.Float32frombits(uint32(int32(n)+127)<<23)
}

// erff is the rational approximation of erf used by Eigen and XLA for
// float32: x clamped to [-4, 4] (erf is ±1 to float32 precision beyond),
// an odd degree-13 numerator over an even degree-8 denominator.
func erff(x float32) float32 {
	x = max(-4, min(4, x))
	x2 := x * x
	p := float32(-2.72614225801306e-10)
	p = p*x2 + 2.77068142495902e-08
	p = p*x2 + -2.10102402082508e-06
	p = p*x2 + -5.69250639462346e-05
	p = p*x2 + -7.34990630326855e-04
	p = p*x2 + -2.95459980854025e-03
	p = p*x2 + -1.60960333262415e-02
	p *= x
	q := float32(-1.45660718464996e-05)
	q = q*x2 + -2.13374055278905e-04
	q = q*x2 + -1.68282697438203e-03
	q = q*x2 + -7.37332916720468e-03
	q = q*x2 + -1.42647390514189e-02
	return p / q
}

// geluBiasGo sets x[i] = gelu(x[i] + bias[i]).
func geluBiasGo(x, bias []float32) {
	bias = bias[:len(x)]
	for i, v := range x {
		x[i] = gelu(v + bias[i])
	}
}

// gelu is the exact GELU of BERT ("gelu" in HF configs): x·Φ(x).
func gelu(x float32) float32 {
	return 0.5 * x * (1 + erff(x*0.70710678118654752))
}

// softmaxGo replaces row with its softmax.
func softmaxGo(row []float32) {
	m := row[0]
	for _, v := range row[1:] {
		m = max(m, v)
	}
	var sum float32
	for i, v := range row {
		e := expf(v - m)
		row[i] = e
		sum += e
	}
	inv := 1 / sum
	for i := range row {
		row[i] *= inv
	}
}
