package local

import (
	"bytes"
	"encoding/binary"
	"math"
	"strings"
	"testing"
)

func stFile(header string, data []byte) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	return append(append(b, header...), data...)
}

func TestSafetensors_ReadDTypes(t *testing.T) {
	var data []byte
	for _, f := range []float32{1.5, -2, 0} {
		data = binary.LittleEndian.AppendUint32(data, math.Float32bits(f))
	}
	// F16: 1.0, -2.5, 65504 (max), 2^-24 (smallest subnormal), -0, +Inf
	for _, h := range []uint16{0x3c00, 0xc100, 0x7bff, 0x0001, 0x8000, 0x7c00} {
		data = binary.LittleEndian.AppendUint16(data, h)
	}
	// BF16: 1.0, -3.0
	for _, h := range []uint16{0x3f80, 0xc040} {
		data = binary.LittleEndian.AppendUint16(data, h)
	}
	hdr := `{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[3],"data_offsets":[0,12]},` +
		`"h":{"dtype":"F16","shape":[2,3],"data_offsets":[12,24]},"b":{"dtype":"BF16","shape":[2],"data_offsets":[24,28]}}`
	file := stFile(hdr, data)
	st, err := parseSafetensors(bytes.NewReader(file), int64(len(file)))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(st.Names(), ","); got != "a,b,h" {
		t.Fatalf("names %s", got)
	}
	for _, tc := range []struct {
		name string
		want []float32
	}{
		{"a", []float32{1.5, -2, 0}},
		{"h", []float32{1, -2.5, 65504, float32(math.Ldexp(1, -24)), float32(math.Copysign(0, -1)), float32(math.Inf(1))}},
		{"b", []float32{1, -3}},
	} {
		got, info, err := st.Read(tc.name)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if info.Len() != len(tc.want) {
			t.Fatalf("%s: len %d", tc.name, info.Len())
		}
		for i := range got {
			if math.Float32bits(got[i]) != math.Float32bits(tc.want[i]) {
				t.Errorf("%s[%d] = %v, want %v", tc.name, i, got[i], tc.want[i])
			}
		}
	}
	if err := st.ReadInto("a", make([]float32, 2)); err == nil {
		t.Error("ReadInto with a short buffer: no error")
	}
	if _, _, err := st.Read("missing"); err == nil {
		t.Error("Read of a missing tensor: no error")
	}
}

func TestF16ToF32_AllValues(t *testing.T) {
	for h := 0; h < 1<<16; h++ {
		got := f16ToF32(uint16(h))
		exp := h >> 10 & 0x1f
		man := float64(h & 0x3ff)
		var want float64
		switch exp {
		case 0:
			want = math.Ldexp(man, -24)
		case 0x1f:
			want = math.Inf(1)
			if man != 0 {
				if !math.IsNaN(float64(got)) {
					t.Fatalf("%#04x: %v, want NaN", h, got)
				}
				continue
			}
		default:
			want = math.Ldexp(1+man/1024, exp-15)
		}
		if h&0x8000 != 0 {
			want = -want
		}
		if float64(got) != want || math.Signbit(float64(got)) != (h&0x8000 != 0) {
			t.Fatalf("%#04x: %v, want %v", h, got, want)
		}
	}
}

func TestSafetensors_RejectsCorrupt(t *testing.T) {
	ok := `{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`
	for name, file := range map[string][]byte{
		"empty":            {},
		"short length":     {1, 2, 3},
		"header too long":  stFile(ok, nil)[:20],
		"not json":         stFile("{nope", make([]byte, 8)),
		"offsets past end": stFile(ok, make([]byte, 4)),
		"size mismatch":    stFile(`{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}`, make([]byte, 8)),
		"reversed offsets": stFile(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}`, make([]byte, 8)),
		"negative dim":     stFile(`{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}`, make([]byte, 8)),
		"huge length":      binary.LittleEndian.AppendUint64(nil, 1<<62),
	} {
		if _, err := parseSafetensors(bytes.NewReader(file), int64(len(file))); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// FuzzSafetensors: any input either fails to parse or reads every tensor
// it declares without panicking.
func FuzzSafetensors(f *testing.F) {
	f.Add(stFile(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, make([]byte, 8)))
	f.Add(stFile(`{"h":{"dtype":"F16","shape":[1,2],"data_offsets":[0,4]},"__metadata__":{}}`, make([]byte, 4)))
	f.Add(stFile(`{"b":{"dtype":"BF16","shape":[],"data_offsets":[0,2]}}`, make([]byte, 2)))
	f.Fuzz(func(t *testing.T, file []byte) {
		st, err := parseSafetensors(bytes.NewReader(file), int64(len(file)))
		if err != nil {
			return
		}
		for _, name := range st.Names() {
			info, _ := st.Info(name)
			if info.Len() > 1<<20 {
				continue
			}
			_, _, _ = st.Read(name)
		}
	})
}
