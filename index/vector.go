package index

import (
	"encoding/binary"
	"math"
	"unsafe"

	"github.com/semsearch/semsearch"
)

// littleEndian reports whether the machine stores float32 as the on-disk
// format does, so that a blob can be reinterpreted without copying.
var littleEndian = func() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}()

// encodeVector returns v as float32 little-endian bytes.
func encodeVector(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, f := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(f))
	}
	return b
}

// decodeVector interprets b (float32 little-endian) as a vector. It takes
// ownership of b: on little-endian machines with an aligned buffer the
// result shares b's memory, which avoids a copy of every vector at load.
func decodeVector(b []byte) ([]float32, bool) {
	if len(b) == 0 || len(b)%4 != 0 {
		return nil, false
	}
	n := len(b) / 4
	if littleEndian && uintptr(unsafe.Pointer(&b[0]))%unsafe.Alignof(float32(0)) == 0 {
		return unsafe.Slice((*float32)(unsafe.Pointer(&b[0])), n), true
	}
	v := make([]float32, n)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return v, true
}

// copyVector sets dst to the float32 little-endian vector at the start of b
// (len(b) ≥ 4·len(dst)).
func copyVector(dst []float32, b []byte) {
	if littleEndian {
		copy(unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(dst))), 4*len(dst)), b)
		return
	}
	for i := range dst {
		dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
}

// checkVector validates a vector of the index's dimension and returns an
// L2-normalised copy. Zero, NaN and infinite vectors are refused: a zero
// vector makes every cosine similarity NaN.
func checkVector(v []float32, dims int, what string) ([]float32, error) {
	if len(v) != dims {
		return nil, semsearch.Errorf(semsearch.EInvalid, "%s has %d dimensions, the index has %d", what, len(v), dims)
	}
	out := semsearch.Normalize(v)
	if out == nil {
		return nil, semsearch.Errorf(semsearch.EInvalid, "%s is the zero vector or contains NaN or infinity", what)
	}
	return out, nil
}
