package local

import (
	"fmt"
	"runtime"
	"unsafe"
)

// region is float32 memory the Go garbage collector does not manage (an
// anonymous mapping on unix, see region_unix.go). The weights and the
// per-call scratch live in regions so that the collector's heap goal —
// twice the live heap by default — is not doubled by 100 MB of weights:
// resident memory stays near weights + scratch instead of creeping towards
// twice the weights. Memory is reserved generously and only pages that are
// written become resident.
//
// A region is released by a cleanup when its *region becomes unreachable;
// whoever slices it keeps the *region alive as long as the slices are used.
type region struct {
	f       []float32
	used    int
	mapped  []byte
	cleanup runtime.Cleanup
}

// newRegion reserves room for n float32s.
func newRegion(n int) (*region, error) {
	n = max(n, 16)
	b, err := mapMemory(n * 4)
	if err != nil {
		return nil, fmt.Errorf("reserve %d MB: %w", n*4>>20, err)
	}
	r := &region{f: unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(b))), n), mapped: b}
	r.cleanup = runtime.AddCleanup(r, func(b []byte) { unmapMemory(b) }, b)
	return r, nil
}

// alloc returns the next n float32s, aligned to 64 bytes (a cache line,
// one AVX-512 register), or nil when the region is full.
func (r *region) alloc(n int) []float32 {
	start := (r.used + 15) &^ 15
	if start+n > len(r.f) {
		return nil
	}
	r.used = start + n
	return r.f[start : start+n : start+n]
}

// size is the capacity in float32s.
func (r *region) size() int { return len(r.f) }

// free releases the memory now; no slice of it may be used afterwards.
// A nil region is a no-op.
func (r *region) free() {
	if r == nil || r.mapped == nil {
		return
	}
	r.cleanup.Stop()
	unmapMemory(r.mapped)
	r.f, r.mapped = nil, nil
}
