package local

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"unsafe"
)

// maxHeaderBytes bounds the JSON header of a safetensors file so a corrupt
// length prefix cannot make us allocate gigabytes.
const maxHeaderBytes = 100 << 20

// tensorInfo is one entry of a safetensors header.
type tensorInfo struct {
	Name   string
	DType  string // "F32", "F16", "BF16", ...
	Shape  []int
	Offset int64 // absolute byte offset of the data in the file
	Bytes  int64
}

// Len is the number of elements of the tensor.
func (t tensorInfo) Len() int {
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// safetensors reads tensors from a safetensors file on demand: the format is
// an 8-byte little-endian header length, a JSON header mapping names to
// dtype/shape/data_offsets, then the raw little-endian data. Reading tensor
// by tensor into their final buffers keeps peak memory at the size of the
// weights instead of twice that.
type safetensors struct {
	f       io.ReaderAt
	size    int64
	tensors map[string]tensorInfo
}

// openSafetensors opens path and parses its header. The caller closes the
// returned file.
func openSafetensors(path string) (*safetensors, *os.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	s, err := parseSafetensors(f, st.Size())
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("read safetensors %s: %w", path, err)
	}
	return s, f, nil
}

// parseSafetensors parses the header of a safetensors stream of the given size.
func parseSafetensors(r io.ReaderAt, size int64) (*safetensors, error) {
	var lenBuf [8]byte
	if _, err := r.ReadAt(lenBuf[:], 0); err != nil {
		return nil, fmt.Errorf("header length: %w", err)
	}
	n := binary.LittleEndian.Uint64(lenBuf[:])
	if n == 0 || n > maxHeaderBytes || int64(n) > size-8 {
		return nil, fmt.Errorf("header length %d out of range (file %d bytes)", n, size)
	}
	hdr := make([]byte, n)
	if _, err := r.ReadAt(hdr, 8); err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(hdr, &raw); err != nil {
		return nil, fmt.Errorf("header json: %w", err)
	}
	base := int64(8 + n)
	s := &safetensors{f: r, size: size, tensors: make(map[string]tensorInfo, len(raw))}
	for name, msg := range raw {
		if name == "__metadata__" {
			continue
		}
		var e struct {
			DType   string  `json:"dtype"`
			Shape   []int   `json:"shape"`
			Offsets []int64 `json:"data_offsets"`
		}
		if err := json.Unmarshal(msg, &e); err != nil {
			return nil, fmt.Errorf("tensor %q: %w", name, err)
		}
		if len(e.Offsets) != 2 || e.Offsets[0] < 0 || e.Offsets[1] < e.Offsets[0] || base+e.Offsets[1] > size {
			return nil, fmt.Errorf("tensor %q: data offsets %v out of range", name, e.Offsets)
		}
		t := tensorInfo{Name: name, DType: e.DType, Shape: e.Shape, Offset: base + e.Offsets[0], Bytes: e.Offsets[1] - e.Offsets[0]}
		elems := int64(1)
		for _, d := range t.Shape {
			if d < 0 || (d > 0 && elems > math.MaxInt32*int64(64)/int64(d)) {
				return nil, fmt.Errorf("tensor %q: bad shape %v", name, t.Shape)
			}
			elems *= int64(d)
		}
		if w := dtypeSize(t.DType); w > 0 && elems*int64(w) != t.Bytes {
			return nil, fmt.Errorf("tensor %q: %d bytes for %s%v", name, t.Bytes, t.DType, t.Shape)
		}
		s.tensors[name] = t
	}
	return s, nil
}

func dtypeSize(dt string) int {
	switch dt {
	case "F32", "I32", "U32":
		return 4
	case "F16", "BF16", "I16", "U16":
		return 2
	case "F64", "I64", "U64":
		return 8
	case "I8", "U8", "BOOL":
		return 1
	}
	return 0
}

// Names lists the tensor names, sorted.
func (s *safetensors) Names() []string {
	out := make([]string, 0, len(s.tensors))
	for k := range s.tensors {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Info returns the header entry of a tensor.
func (s *safetensors) Info(name string) (tensorInfo, bool) {
	t, ok := s.tensors[name]
	return t, ok
}

// ReadInto converts tensor name to float32 into dst, which must have exactly
// its number of elements. F32, F16 and BF16 are supported.
func (s *safetensors) ReadInto(name string, dst []float32) error {
	t, ok := s.tensors[name]
	if !ok {
		return fmt.Errorf("tensor %q not found", name)
	}
	if t.Len() != len(dst) {
		return fmt.Errorf("tensor %q: %d elements, want %d", name, t.Len(), len(dst))
	}
	switch t.DType {
	case "F32":
		// Read straight into the destination's bytes: no second copy.
		b := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(dst))), len(dst)*4)
		if _, err := s.f.ReadAt(b, t.Offset); err != nil {
			return fmt.Errorf("tensor %q: %w", name, err)
		}
		if !littleEndian() {
			for i := range dst {
				dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[i*4:]))
			}
		}
		return nil
	case "F16", "BF16":
		const chunk = 1 << 16
		buf := make([]byte, 2*min(chunk, len(dst)))
		for done := 0; done < len(dst); {
			n := min(chunk, len(dst)-done)
			if _, err := s.f.ReadAt(buf[:2*n], t.Offset+int64(2*done)); err != nil {
				return fmt.Errorf("tensor %q: %w", name, err)
			}
			for i := 0; i < n; i++ {
				h := binary.LittleEndian.Uint16(buf[2*i:])
				if t.DType == "BF16" {
					dst[done+i] = math.Float32frombits(uint32(h) << 16)
				} else {
					dst[done+i] = f16ToF32(h)
				}
			}
			done += n
		}
		return nil
	}
	return fmt.Errorf("tensor %q: unsupported dtype %s", name, t.DType)
}

// Read allocates and returns tensor name as float32.
func (s *safetensors) Read(name string) ([]float32, tensorInfo, error) {
	t, ok := s.tensors[name]
	if !ok {
		return nil, t, fmt.Errorf("tensor %q not found", name)
	}
	dst := make([]float32, t.Len())
	return dst, t, s.ReadInto(name, dst)
}

func littleEndian() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}

// f16ToF32 converts an IEEE 754 half-precision value, including subnormals,
// infinities and NaN.
func f16ToF32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	man := uint32(h) & 0x3ff
	switch {
	case exp == 0 && man == 0:
		return math.Float32frombits(sign)
	case exp == 0: // subnormal: normalise
		e := uint32(127 - 15 + 1)
		for man&0x400 == 0 {
			man <<= 1
			e--
		}
		man &= 0x3ff
		return math.Float32frombits(sign | e<<23 | man<<13)
	case exp == 0x1f:
		return math.Float32frombits(sign | 0xff<<23 | man<<13)
	}
	return math.Float32frombits(sign | (exp+127-15)<<23 | man<<13)
}
