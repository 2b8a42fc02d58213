package index

import (
	"context"
	"math"
	"slices"
	"testing"
)

func TestStore_AllPostVectors(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openTest(t, dir)
	if got, err := s.AllPostVectors(ctx); err != nil || len(got) != 0 {
		t.Fatalf("empty store: %v, %v", got, err)
	}
	put(t, s, "b", []string{"one", "two"}, []int{1, 2})
	put(t, s, "a", []string{"three"}, []int{3})
	got, err := s.AllPostVectors(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].PostID != "a" || got[1].PostID != "b" {
		t.Fatalf("posts %+v, want a then b", got)
	}
	if !slices.Equal(got[1].ChunkIDs, []string{"b#0", "b#1"}) || len(got[1].Vecs) != 2 || got[1].ContentHash != "hash-b2" {
		t.Errorf("post b: %+v", got[1])
	}
	for _, pv := range got {
		for i, v := range pv.Vecs {
			var norm float64
			for _, f := range v {
				norm += float64(f) * float64(f)
			}
			if math.Abs(norm-1) > 1e-5 {
				t.Errorf("%s: vector norm² %v, want 1", pv.ChunkIDs[i], norm)
			}
		}
	}
	// Another process's write shows up: the read syncs first.
	other := openTest(t, dir)
	put(t, other, "a", []string{"three", "four"}, []int{3, 4})
	if err := other.Delete(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	got, err = s.AllPostVectors(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].PostID != "a" || len(got[0].Vecs) != 2 || got[0].ContentHash != "hash-a2" {
		t.Errorf("after another process's writes: %+v", got)
	}
}

// The version changes with every write, this process's or another's, and
// only then.
func TestStore_PostVectorsVersion(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, other := openTest(t, dir), openTest(t, dir)
	version := func() int64 {
		t.Helper()
		v, err := s.PostVectorsVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	v := version()
	steps := []struct {
		name  string
		write func()
	}{
		{"own put", func() { put(t, s, "a", []string{"one"}, []int{1}) }},
		{"another process's put", func() { put(t, other, "b", []string{"two"}, []int{2}) }},
		{"own replace", func() { put(t, s, "a", []string{"three"}, []int{3}) }},
		{"another process's delete", func() {
			if err := other.Delete(ctx, "a"); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, st := range steps {
		st.write()
		next := version()
		if next == v {
			t.Errorf("%s: version still %d", st.name, v)
		}
		if again := version(); again != next {
			t.Errorf("%s: version %d, then %d with no write", st.name, next, again)
		}
		v = next
	}
}
