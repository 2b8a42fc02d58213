package main

import (
	"testing"

	"github.com/semsearch/semsearch/search"
)

func TestParseSpec(t *testing.T) {
	v, err := parseSpec("tuned:hybrid:blend::1:0.8:200:5")
	if err != nil {
		t.Fatal(err)
	}
	want := search.Options{Fusion: search.FusionBlend, VectorWeight: 1, LexicalWeight: 0.8, MinDepth: 200, DepthPerK: 5}
	if v.name != "tuned" || v.mode != "hybrid" || v.opts != want {
		t.Errorf("got %+v, want options %+v", v, want)
	}
	for _, bad := range []string{"a:b", "x:hybrid:rrf:ten:1:1::", "x:hybrid:rrf:1:1:1:1:1:extra"} {
		if _, err := parseSpec(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestParseSet_Presets(t *testing.T) {
	for _, set := range []string{"default", "rrf", "blend"} {
		vs, err := parseSet(set)
		if err != nil || len(vs) == 0 {
			t.Errorf("%s: %d variants, err %v", set, len(vs), err)
		}
	}
}
