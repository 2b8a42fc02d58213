package weaviate

import (
	"encoding/json"
	"slices"
	"testing"
)

func TestVectorRoundTrip(t *testing.T) {
	v := []float32{1, -2.5, 0, 3e-8}
	got, ok := decodeVector(encodeVector(v))
	if !ok || !slices.Equal(got, v) {
		t.Fatalf("round trip %v → %v %v", v, got, ok)
	}
	for _, bad := range []string{"", "!!!", "AAA="} {
		if _, ok := decodeVector(bad); ok {
			t.Errorf("decodeVector(%q) accepted", bad)
		}
	}
}

func FuzzDecodeVector(f *testing.F) {
	f.Add(encodeVector([]float32{1, 2}))
	f.Add("AAAA")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		v, ok := decodeVector(s)
		if !ok {
			return
		}
		back, ok := decodeVector(encodeVector(v))
		if !ok || len(back) != len(v) {
			t.Fatalf("re-encoding %d floats gave %d", len(v), len(back))
		}
	})
}

func TestGenNum(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		err  bool
	}{
		{"1764579000000001", 1764579000000001, false},
		{"1.764579000000001e+15", 1764579000000001, false},
		{"null", 0, false},
		{`"x"`, 0, true},
	} {
		var g genNum
		err := json.Unmarshal([]byte(tc.in), &g)
		if (err != nil) != tc.err || int64(g) != tc.want {
			t.Errorf("%s → %d %v, want %d (error %v)", tc.in, g, err, tc.want, tc.err)
		}
	}
}

func FuzzGenNum(f *testing.F) {
	f.Add([]byte("1764579000000001"))
	f.Add([]byte("1e400"))
	f.Add([]byte("null"))
	f.Fuzz(func(t *testing.T, b []byte) {
		var g genNum
		_ = g.UnmarshalJSON(b) // must not panic
	})
}
