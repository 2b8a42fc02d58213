package vecindex

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/semsearch/semsearch/internal/synthvec"
	"github.com/semsearch/semsearch/internal/vecmath"
)

// exact is the reference: every vector scored in float32, best first,
// ties by ID.
func exact(vecs map[string][]float32, q []float32, k int, keep func(string) bool) []Result {
	var res []Result
	for id, v := range vecs {
		if keep == nil || keep(id) {
			res = append(res, Result{ID: id, Score: vecmath.Dot(q, v)})
		}
	}
	return topK(res, k)
}

func ids(rs []Result) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}

// recall is |got ∩ want| / |want|.
func recall(got, want []Result) float64 {
	if len(want) == 0 {
		return 1
	}
	in := map[string]bool{}
	for _, r := range got {
		in[r.ID] = true
	}
	n := 0
	for _, r := range want {
		if in[r.ID] {
			n++
		}
	}
	return float64(n) / float64(len(want))
}

func TestIndex_AddDeleteReplace(t *testing.T) {
	x := New(4, Options{})
	a, b, c := []float32{1, 0, 0, 0}, []float32{0, 1, 0, 0}, []float32{0, 0, 1, 0}
	for id, v := range map[string][]float32{"a": a, "b": b} {
		if err := x.Add(id, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := x.Add("bad", []float32{1, 2}); err == nil {
		t.Fatal("a vector of the wrong dimension was accepted")
	}
	tests := []struct {
		name string
		op   func()
		q    []float32
		want []string
	}{
		{"both found", func() {}, []float32{1, 1, 0, 0}, []string{"a", "b"}},
		{"replace moves b", func() { x.Add("b", c) }, []float32{0, 0, 1, 0}, []string{"b", "a"}},
		{"delete a", func() {
			if n := x.Delete("a", "missing"); n != 1 {
				t.Errorf("Delete = %d, want 1", n)
			}
		}, []float32{1, 0, 0, 0}, []string{"b"}},
		{"delete last", func() { x.Delete("b") }, []float32{1, 0, 0, 0}, []string{}},
		{"add after empty", func() { x.Add("c", a) }, []float32{1, 0, 0, 0}, []string{"c"}},
	}
	for _, tt := range tests {
		tt.op()
		got := ids(x.Query(tt.q, 10, nil))
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: Query = %v, want %v", tt.name, got, tt.want)
		}
		if x.Count() != len(tt.want) {
			t.Errorf("%s: Count = %d, want %d", tt.name, x.Count(), len(tt.want))
		}
	}
	if x.Query([]float32{1, 0}, 3, nil) != nil || x.Query(a, 0, nil) != nil {
		t.Error("a query of the wrong dimension or k=0 returned results")
	}
}

// TestIndex_InterleavedMatchesExact is the property test: random adds,
// replacements and deletes across many segments, each checked against a
// map: membership is exact (a deleted vector is never returned, every
// live one is findable by its own vector), and recall@10 against the exact
// scan stays high throughout.
func TestIndex_InterleavedMatchesExact(t *testing.T) {
	const dims = 48
	r := rand.New(rand.NewPCG(5, 6))
	c := synthvec.NewClusters(5, 20000, dims)
	// Small Rescore so that the int8 scan, not the exact path, answers.
	x := New(dims, Options{MinRescore: 40, Rescore: 2, ParallelRows: 1000, Workers: 3})
	ref := map[string][]float32{}
	var live []string
	next := 0
	var sum float64
	var queries int
	for step := range 40 {
		// A batch of adds (some replacing), then deletes.
		var bids []string
		var bvecs [][]float32
		for range 300 + r.IntN(400) {
			var id string
			if len(live) > 0 && r.IntN(5) == 0 {
				id = live[r.IntN(len(live))]
			} else {
				id = fmt.Sprintf("v%d", next)
				next++
			}
			bids = append(bids, id)
			bvecs = append(bvecs, c.Draw())
		}
		if err := x.AddMany(bids, bvecs); err != nil {
			t.Fatal(err)
		}
		for i, id := range bids {
			if _, ok := ref[id]; !ok {
				live = append(live, id)
			}
			ref[id] = bvecs[i]
		}
		var del []string
		for range r.IntN(300) {
			if len(live) == 0 {
				break
			}
			j := r.IntN(len(live))
			del = append(del, live[j])
			live[j] = live[len(live)-1]
			live = live[:len(live)-1]
		}
		del = append(del, "never-added")
		if n := x.Delete(del...); n != len(del)-1 {
			t.Fatalf("step %d: Delete = %d, want %d", step, n, len(del)-1)
		}
		for _, id := range del {
			delete(ref, id)
		}
		if x.Count() != len(ref) {
			t.Fatalf("step %d: Count = %d, want %d", step, x.Count(), len(ref))
		}
		for _, id := range del {
			if x.Contains(id) {
				t.Fatalf("step %d: deleted %s still present", step, id)
			}
		}
		// Every live vector finds itself first (its score with itself is 1).
		for range 20 {
			id := live[r.IntN(len(live))]
			got := x.Query(ref[id], 1, nil)
			if len(got) != 1 || (got[0].ID != id && got[0].Score < vecmath.Dot(ref[id], ref[id])) {
				t.Fatalf("step %d: %s does not find itself: %v", step, id, got)
			}
		}
		for range 5 {
			q := c.Draw()
			got, want := x.Query(q, 10, nil), exact(ref, q, 10, nil)
			for _, g := range got {
				if _, ok := ref[g.ID]; !ok {
					t.Fatalf("step %d: returned %s, which is not in the index", step, g.ID)
				}
				if g.Score != vecmath.Dot(q, ref[g.ID]) {
					t.Fatalf("step %d: %s scored %v, exact %v", step, g.ID, g.Score, vecmath.Dot(q, ref[g.ID]))
				}
			}
			sum += recall(got, want)
			queries++
		}
	}
	if mean := sum / float64(queries); mean < 0.97 {
		t.Errorf("mean recall@10 %.3f over %d queries, want ≥ 0.97", mean, queries)
	}
}

// TestIndex_RecallAgainstExact checks recall@10 at the default options on
// both synthetic distributions.
func TestIndex_RecallAgainstExact(t *testing.T) {
	const dims, n = 384, 20000
	cdata, cq := synthvec.Clustered(7, n, 50, dims)
	udata := synthvec.Uniform(8, n, dims)
	uq := synthvec.Uniform(9, 50, dims)
	for _, tt := range []struct {
		name    string
		data, q [][]float32
		min     float64
	}{
		{"clustered", cdata, cq, 0.99},
		{"uniform", udata, uq, 0.95},
	} {
		x := New(dims, Options{})
		ref := map[string][]float32{}
		idl := make([]string, len(tt.data))
		for i, v := range tt.data {
			idl[i] = fmt.Sprint(i)
			ref[idl[i]] = v
		}
		if err := x.AddMany(idl, tt.data); err != nil {
			t.Fatal(err)
		}
		var sum float64
		for _, q := range tt.q {
			sum += recall(x.Query(q, 10, nil), exact(ref, q, 10, nil))
		}
		if mean := sum / float64(len(tt.q)); mean < tt.min {
			t.Errorf("%s: recall@10 %.3f, want ≥ %.2f", tt.name, mean, tt.min)
		} else {
			t.Logf("%s: recall@10 %.3f", tt.name, mean)
		}
	}
}

// TestIndex_SelectiveFilter: a filter keeping 1% of the vectors gives
// exactly the top 10 of an exact filtered scan, through QueryAmong (what
// the store uses for selective filters) and through Query's predicate.
func TestIndex_SelectiveFilter(t *testing.T) {
	const dims, n = 384, 30000
	data, qs := synthvec.Clustered(10, n, 40, dims)
	x := New(dims, Options{})
	ref := map[string][]float32{}
	idl := make([]string, n)
	var kept []string
	keepSet := map[string]bool{}
	for i, v := range data {
		idl[i] = fmt.Sprintf("c%05d", i)
		ref[idl[i]] = v
		if i%100 == 37 {
			kept = append(kept, idl[i])
			keepSet[idl[i]] = true
		}
	}
	if err := x.AddMany(idl, data); err != nil {
		t.Fatal(err)
	}
	keep := func(id string) bool { return keepSet[id] }
	var predRecall float64
	for i, q := range qs[:40] {
		want := exact(ref, q, 10, keep)
		if got := x.QueryAmong(q, 10, kept); !slices.Equal(got, want) {
			t.Fatalf("query %d: QueryAmong = %v, want %v", i, got, want)
		}
		got := x.Query(q, 10, keep)
		for _, g := range got {
			if !keepSet[g.ID] {
				t.Fatalf("query %d: Query returned %s, which the filter drops", i, g.ID)
			}
		}
		predRecall += recall(got, want)
	}
	if m := predRecall / 40; m < 0.99 {
		t.Errorf("Query with a 1%% predicate: recall@10 %.3f, want ≥ 0.99", m)
	}
}

// TestIndex_Concurrent runs queries beside writers (for -race).
func TestIndex_Concurrent(t *testing.T) {
	const dims = 64
	c := synthvec.NewClusters(11, 5000, dims)
	x := New(dims, Options{ParallelRows: 1000, MinRescore: 20, Rescore: 2})
	var mu sync.Mutex // c.draw is not safe for concurrent use
	draw := func() []float32 { mu.Lock(); defer mu.Unlock(); return c.Draw() }
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 3000 {
				id := fmt.Sprintf("w%d-%d", w, i%1500)
				if i%3 == 2 {
					x.Delete(id)
				} else if err := x.Add(id, draw()); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				q := draw()
				for _, r := range x.Query(q, 5, func(id string) bool { return id[1] == '0' }) {
					if r.ID[1] != '0' {
						t.Errorf("filtered query returned %s", r.ID)
					}
				}
				x.QueryAmong(q, 5, []string{"w0-1", "w1-2"})
			}
		}()
	}
	wg.Wait()
}

// TestIndex_TiesIndependentOfOrder: many equal vectors, added in two
// orders; the int8 candidates are cut by score then ID, so both indexes
// answer alike, as the exact scan does (equal scores by ID).
func TestIndex_TiesIndependentOfOrder(t *testing.T) {
	const dims = 16
	r := rand.New(rand.NewPCG(3, 3))
	same := synthvec.Normalize(append(make([]float32, dims-1), 1))
	ref := map[string][]float32{}
	var idl []string
	for i := range 600 {
		id := fmt.Sprintf("t%03d", i)
		v := same
		if i%3 == 0 {
			v = synthvec.Uniform(uint64(i), 1, dims)[0]
		}
		ref[id] = v
		idl = append(idl, id)
	}
	q := same
	want := exact(ref, q, 10, nil)
	for _, order := range []string{"forward", "shuffled"} {
		ids := slices.Clone(idl)
		if order == "shuffled" {
			r.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
		}
		vecs := make([][]float32, len(ids))
		for i, id := range ids {
			vecs[i] = ref[id]
		}
		x := New(dims, Options{MinRescore: 20, Rescore: 1})
		if err := x.AddMany(ids, vecs); err != nil {
			t.Fatal(err)
		}
		if got := x.Query(q, 10, nil); !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", order, got, want)
		}
	}
}

func TestIndex_GrowKeepsMembers(t *testing.T) {
	x := New(2, Options{})
	x.Add("a", []float32{1, 0})
	x.Grow(1000)
	x.Add("b", []float32{0, 1})
	if got := ids(x.Query([]float32{1, 0.5}, 5, nil)); !slices.Equal(got, []string{"a", "b"}) || x.Count() != 2 {
		t.Errorf("after Grow: %v, count %d", got, x.Count())
	}
}
