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
// order as the floats do; a NaN compares above infinity), in four
// independent lanes.
func maxAbs(v []float32) float32 {
	const abs = 1<<31 - 1
	var m0, m1, m2, m3 uint32
	i := 0
	for ; i+4 <= len(v); i += 4 {
		m0 = max(m0, math.Float32bits(v[i])&abs)
		m1 = max(m1, math.Float32bits(v[i+1])&abs)
		m2 = max(m2, math.Float32bits(v[i+2])&abs)
		m3 = max(m3, math.Float32bits(v[i+3])&abs)
	}
	for ; i < len(v); i++ {
		m0 = max(m0, math.Float32bits(v[i])&abs)
	}
	return math.Float32frombits(max(m0, m1, m2, m3))
}

// round rounds x, |x| ≤ 127 plus a few ulps, to the nearest integer (ties
// to even): adding 1.5·2²³ leaves no fraction bits in a float32, so the
// addition itself rounds. The result is in [-127, 127].
func round(x float32) int32 {
	const magic = 0x1.8p23
	return int32((x + magic) - magic)
}
