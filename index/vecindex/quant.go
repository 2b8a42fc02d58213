package vecindex

import "math"

// strideFor is the bytes a row of codes takes: dims rounded up to 64, so
// that every row starts on a cache line and the kernels need no tail loop.
func strideFor(dims int) int { return (dims + 63) &^ 63 }

func newQuery(stride int) *query {
	q := &query{s8: make([]int8, stride), u8: make([]uint8, stride), abs: make([]uint8, stride)}
	for i := range q.u8 {
		q.u8[i] = 128
	}
	return q
}

func (q *query) set(d int, c int8) {
	q.s8[d] = c
	q.u8[d] = uint8(int(c) + 128)
	if c < 0 {
		c = -c
	}
	q.abs[d] = uint8(c)
}

// quantize writes v's symmetric int8 codes into dst (len(v) bytes) and
// returns the scale s with v[d] ≈ s·dst[d] and the sum of the codes. Each
// vector has its own scale (max |v[d]| maps to 127), so no training is
// needed and a new vector is never out of range. A zero or non-finite
// vector gets zero codes and scale 0 (it then scores 0 in the scan).
func quantize(dst []int8, v []float32) (scale float32, sum int32) {
	m := maxAbs(v)
	if m == 0 || math.IsInf(float64(m), 0) || math.IsNaN(float64(m)) {
		clear(dst[:len(v)])
		return 0, 0
	}
	inv := 127 / m
	dst = dst[:len(v)]
	for d, f := range v {
		c := round(f * inv)
		dst[d] = int8(c)
		sum += c
	}
	return m / 127, sum
}

// maxAbs is max |v[d]|, comparing the bits of |v[d]| as integers (they
// order as the floats do; a NaN compares above infinity).
func maxAbs(v []float32) float32 {
	var m uint32
	for _, f := range v {
		m = max(m, math.Float32bits(f)&^(1<<31))
	}
	return math.Float32frombits(m)
}

// round rounds x, |x| ≤ 127 (plus rounding), half away from zero, into
// [-127, 127].
func round(x float32) int32 {
	var c int32
	if x >= 0 {
		c = int32(x + 0.5)
	} else {
		c = int32(x - 0.5)
	}
	return min(max(c, -127), 127)
}
