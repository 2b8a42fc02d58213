package search

import (
	"testing"
	"time"

	"github.com/semsearch/semsearch"
)

func TestNewestFirst(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2025, 1, d, 0, 0, 0, 0, time.UTC) }
	meta := map[string]semsearch.Post{
		"convex": {Published: day(18)}, "submodular": {Published: day(1)}, "integer": {Published: day(23)},
		"compiler": {Published: day(30)}, "undated": {},
	}
	posts := func() []postHit {
		return []postHit{{postID: "convex", score: 1.9}, {postID: "submodular", score: 1.8}, {postID: "compiler", score: 1.7},
			{postID: "undated", score: 1.6}, {postID: "integer", score: 0.8}}
	}
	ids := func(ps []postHit) (out []string) {
		for _, p := range ps {
			out = append(out, p.postID)
		}
		return out
	}
	tests := []struct {
		name string
		cos  map[string]float64
		want []string
	}{
		// By the model: compiler optimizations are off topic (0.36 < 0.75 × 0.5).
		{"cosine", map[string]float64{"convex": 0.5, "submodular": 0.43, "integer": 0.39, "compiler": 0.36, "undated": 0.45},
			[]string{"integer", "convex", "submodular", "undated", "compiler"}},
		// Without vectors: fused scores within 80% of the best.
		{"fused", nil, []string{"compiler", "convex", "submodular", "undated", "integer"}},
	}
	for _, tt := range tests {
		ps := posts()
		newestFirst(ps, meta, tt.cos)
		if got := ids(ps); !equal(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestCountFacets(t *testing.T) {
	meta := map[string]semsearch.Post{
		"a": {Source: semsearch.Source{Title: "Imprint"}, Authors: []string{"Ann", "Ann"}, Tags: []string{"go", "db"}, Published: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)},
		"b": {Source: semsearch.Source{URL: "https://x.test/feed"}, Authors: []string{"Bob"}, Tags: []string{"go"}, Published: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)},
		"c": {Source: semsearch.Source{Title: "Imprint"}},
	}
	f := countFacets([]postHit{{postID: "a"}, {postID: "b"}, {postID: "c"}, {postID: "gone"}}, meta)
	if len(f.Sources) != 2 || f.Sources[0] != (semsearch.FacetCount{Value: "Imprint", Count: 2}) || f.Sources[1].Value != "https://x.test/feed" {
		t.Errorf("sources %+v", f.Sources)
	}
	if len(f.Authors) != 2 || f.Authors[0] != (semsearch.FacetCount{Value: "Ann", Count: 1}) {
		t.Errorf("authors %+v", f.Authors)
	}
	if len(f.Tags) != 2 || f.Tags[0] != (semsearch.FacetCount{Value: "go", Count: 2}) {
		t.Errorf("tags %+v", f.Tags)
	}
	if f.Oldest.Year() != 2024 || f.Newest.Year() != 2025 {
		t.Errorf("range %v..%v", f.Oldest, f.Newest)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
