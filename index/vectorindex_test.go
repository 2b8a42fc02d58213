package index

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/internal/synthvec"
	"github.com/semsearch/semsearch/internal/vecmath"
)

var vectorIndexes = []struct {
	name string
	make NewVectorIndex
}{{"fast", NewFastIndex}, {"chromem", NewChromemIndex}}

// TestStore_InterleavedWritesMatchExactScan is the property test of both
// vector indexes behind a Store: random ingests, re-ingests (a post's
// chunks replaced by others) and deletes, each followed by queries
// compared with an exact scan of what the test knows is stored. Membership
// must be exact (a deleted or replaced chunk never comes back, a new one is
// found at once, checked by querying with its own vector), a filter keeping
// 1% of the chunks must give exactly the exact filtered top 10, and
// unfiltered recall@10 must stay ≥ 0.97.
func TestStore_InterleavedWritesMatchExactScan(t *testing.T) {
	const dims = 64
	for _, vi := range vectorIndexes {
		t.Run(vi.name, func(t *testing.T) {
			ctx := context.Background()
			s, err := OpenWith(ctx, t.TempDir(), "test-model", dims, Options{Vectors: vi.make})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			r := rand.New(rand.NewPCG(21, 22))
			c := synthvec.NewClusters(21, 4000, dims)
			type chunk struct {
				post string
				vec  []float32
			}
			live := map[string]chunk{}     // what the store should hold
			posts := map[string][]string{} // post → its chunks
			tags := map[string]string{}    // post → its one tag
			var postIDs []string
			next := 0
			exact := func(q []float32, n int, keep func(post string) bool) []string {
				var hs []semsearch.Hit
				for id, ch := range live {
					if keep == nil || keep(ch.post) {
						hs = append(hs, semsearch.Hit{ChunkID: id, Score: float64(vecmath.Dot(q, ch.vec))})
					}
				}
				sortHits(hs)
				return ids(hs[:min(n, len(hs))])
			}
			putPost := func(id string) {
				tag := "t" + fmt.Sprint(r.IntN(100))
				p := semsearch.Post{ID: id, Title: id, ContentHash: fmt.Sprint(next), Tags: []string{tag}}
				var cs []semsearch.Chunk
				var vs [][]float32
				for i := range 1 + r.IntN(6) {
					cs = append(cs, semsearch.Chunk{ID: fmt.Sprintf("%s#%d-%d", id, next, i), Ordinal: i, Text: "x"})
					vs = append(vs, c.Draw())
				}
				next++
				if err := s.Put(ctx, p, cs, vs); err != nil {
					t.Fatal(err)
				}
				for _, old := range posts[id] {
					delete(live, old)
				}
				posts[id], tags[id] = nil, tag
				for i, ch := range cs {
					n, _ := checkVector(vs[i], dims, "v")
					live[ch.ID] = chunk{post: id, vec: n}
					posts[id] = append(posts[id], ch.ID)
				}
			}
			var recallSum float64
			var queries int
			for step := range 30 {
				for range 40 + r.IntN(40) {
					if len(postIDs) > 0 && r.IntN(4) == 0 { // re-ingest
						putPost(postIDs[r.IntN(len(postIDs))])
						continue
					}
					id := fmt.Sprintf("p%04d", next)
					postIDs = append(postIDs, id)
					putPost(id)
				}
				for range r.IntN(20) {
					i := r.IntN(len(postIDs))
					id := postIDs[i]
					if err := s.Delete(ctx, id); err != nil {
						t.Fatal(err)
					}
					for _, ch := range posts[id] {
						delete(live, ch)
					}
					delete(posts, id)
					delete(tags, id)
					postIDs = slices.Delete(postIDs, i, i+1)
				}
				if got := s.vecs.Count(); got != len(live) {
					t.Fatalf("step %d: %d vectors indexed, %d stored", step, got, len(live))
				}
				// Every chunk finds itself; nothing gone is returned.
				for id, ch := range live {
					if r.IntN(20) != 0 {
						continue
					}
					hits, err := s.VectorSearch(ctx, ch.vec, 1, semsearch.Filter{})
					if err != nil {
						t.Fatal(err)
					}
					if len(hits) != 1 || (hits[0].ChunkID != id && hits[0].Score < float64(vecmath.Dot(ch.vec, ch.vec))) {
						t.Fatalf("step %d: chunk %s does not find itself: %v", step, id, hits)
					}
				}
				for range 4 {
					q := c.Draw()
					hits, err := s.VectorSearch(ctx, q, 10, semsearch.Filter{})
					if err != nil {
						t.Fatal(err)
					}
					for _, h := range hits {
						if ch, ok := live[h.ChunkID]; !ok || ch.post != h.PostID {
							t.Fatalf("step %d: hit %+v is not stored (or under another post)", step, h)
						}
					}
					want := exact(q, 10, nil)
					in := map[string]bool{}
					for _, w := range want {
						in[w] = true
					}
					for _, h := range hits {
						if in[h.ChunkID] {
							recallSum += 0.1
						}
					}
					queries++
					// A tag kept by about 1% of the posts: exact.
					tag := "t" + fmt.Sprint(r.IntN(100))
					f := semsearch.Filter{Tag: tag}
					fh, err := s.VectorSearch(ctx, q, 10, f)
					if err != nil {
						t.Fatal(err)
					}
					keep := func(post string) bool { return tags[post] == tag }
					if got, want := ids(fh), exact(q, 10, keep); !slices.Equal(got, want) {
						t.Fatalf("step %d: filtered by %s: %v, exact %v", step, tag, got, want)
					}
				}
			}
			if m := recallSum / float64(queries); m < 0.97 {
				t.Errorf("recall@10 %.3f over %d queries, want ≥ 0.97", m, queries)
			}
			if err := s.Verify(ctx); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestStore_LoadInRanges: a load split over several range readers (as
// large tables are) gives the same memory state and answers as one reader.
func TestStore_LoadInRanges(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, t.TempDir())
	for i := range 60 {
		put(t, s, fmt.Sprintf("p%02d", i), []string{"a", "b", "c", "d", "e"}[:1+i%5], []int{i, i + 1, i + 2, i + 3, i + 4})
	}
	if err := s.Delete(ctx, "p07"); err != nil { // a hole in the key range
		t.Fatal(err)
	}
	query := func() []semsearch.Hit { // scores included: the vectors must be read back bit for bit
		hits, err := s.VectorSearch(ctx, unit(3), 50, semsearch.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		return hits
	}
	want := query()
	for _, readers := range []int{1, 3, 7, 500} {
		s.readers = readers
		if err := s.load(ctx); err != nil {
			t.Fatalf("%d readers: %v", readers, err)
		}
		if err := s.Verify(ctx); err != nil {
			t.Fatalf("%d readers: %v", readers, err)
		}
		if got := query(); !slices.Equal(got, want) {
			t.Errorf("%d readers: %v, want %v", readers, got, want)
		}
	}
}
