package index

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	chromem "github.com/philippgille/chromem-go"

	"github.com/semsearch/semsearch"
)

const testDims = 8

func openTest(t testing.TB, dir string) *Store {
	t.Helper()
	s, err := Open(context.Background(), dir, "test-model", testDims)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// unit returns a vector with a 1 at index i (mod testDims) plus a little of
// everything else, so that neighbours are predictable.
func unit(i int) []float32 {
	v := make([]float32, testDims)
	for j := range v {
		v[j] = 0.01
	}
	v[i%testDims] = 1
	return v
}

// makePost builds a post with one chunk per text; chunk i gets unit(axes[i]).
func makePost(id string, texts []string, axes []int) (semsearch.Post, []semsearch.Chunk, [][]float32) {
	p := semsearch.Post{
		ID: id, Title: "Title " + id, URL: "https://example.test/" + id,
		Authors: []string{"Ann"}, Tags: []string{"go"},
		Published: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC),
		Source:    semsearch.Source{Title: "Blog", URL: "https://example.test/feed"},
		Text:      strings.Join(texts, "\n\n"), ContentHash: "hash-" + id + fmt.Sprint(len(texts)),
	}
	var chunks []semsearch.Chunk
	var vecs [][]float32
	for i, t := range texts {
		chunks = append(chunks, semsearch.Chunk{ID: fmt.Sprintf("%s#%d", id, i), PostID: id, Ordinal: i, Heading: "H", Text: t})
		vecs = append(vecs, unit(axes[i]))
	}
	return p, chunks, vecs
}

func put(t testing.TB, s *Store, id string, texts []string, axes []int) {
	t.Helper()
	p, c, v := makePost(id, texts, axes)
	if err := s.Put(context.Background(), p, c, v); err != nil {
		t.Fatalf("Put %s: %v", id, err)
	}
}

func ids(hits []semsearch.Hit) []string {
	var out []string
	for _, h := range hits {
		out = append(out, h.ChunkID)
	}
	return out
}

func TestStore_RoundTrip(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, t.TempDir())
	put(t, s, "p1", []string{"alpha bravo", "charlie delta"}, []int{0, 1})
	put(t, s, "p2", []string{"echo foxtrot"}, []int{2})

	got, err := s.Post(ctx, "p1")
	if err != nil {
		t.Fatal(err)
	}
	want, _, _ := makePost("p1", []string{"alpha bravo", "charlie delta"}, []int{0, 1})
	if got.Title != want.Title || got.Text != want.Text || got.Authors[0] != "Ann" || got.Tags[0] != "go" ||
		!got.Published.Equal(want.Published) || got.Source != want.Source || got.ContentHash != want.ContentHash {
		t.Fatalf("Post = %+v, want %+v", got, want)
	}
	if h, ok, err := s.PostHash(ctx, "p2"); err != nil || !ok || h != "hash-p21" {
		t.Fatalf("PostHash = %q %v %v", h, ok, err)
	}
	if _, ok, _ := s.PostHash(ctx, "nope"); ok {
		t.Fatal("PostHash of a missing post reports it exists")
	}
	st, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st != (semsearch.Stats{Posts: 2, Chunks: 3, Sources: 1, Model: "test-model", Dims: testDims}) {
		t.Fatalf("Stats = %+v", st)
	}
	hits, err := s.VectorSearch(ctx, unit(1), 1, semsearch.Filter{})
	if err != nil || len(hits) != 1 || hits[0].ChunkID != "p1#1" || hits[0].PostID != "p1" {
		t.Fatalf("VectorSearch = %+v, %v", hits, err)
	}
	hits, err = s.LexicalSearch(ctx, "foxtrot", 5, semsearch.Filter{}, semsearch.BM25Weights{})
	if err != nil || len(hits) != 1 || hits[0].ChunkID != "p2#0" {
		t.Fatalf("LexicalSearch = %+v, %v", hits, err)
	}
	cs, err := s.Chunks(ctx, []string{"p1#1", "missing"})
	if err != nil || len(cs) != 1 || cs["p1#1"].Text != "charlie delta" || cs["p1#1"].PostID != "p1" {
		t.Fatalf("Chunks = %+v, %v", cs, err)
	}
	pc, pv, err := s.PostChunks(ctx, "p1")
	if err != nil || len(pc) != 2 || len(pv) != 2 || pc[1].Ordinal != 1 || pv[1][1] < 0.9 {
		t.Fatalf("PostChunks = %+v %v %v", pc, pv, err)
	}
	if _, _, err := s.PostChunks(ctx, "nope"); semsearch.ErrorCode(err) != semsearch.ENotFound {
		t.Fatalf("PostChunks(missing) err = %v", err)
	}
	if _, err := s.Post(ctx, "nope"); semsearch.ErrorCode(err) != semsearch.ENotFound {
		t.Fatalf("Post(missing) err = %v", err)
	}
	meta := metaOf(t, s, "p1", "nope")
	if len(meta) != 1 || meta["p1"].Text != "" || meta["p1"].Title != "Title p1" {
		t.Fatalf("PostMeta = %+v", meta)
	}
}

func TestStore_PutReplacesAtomically(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, t.TempDir())
	put(t, s, "p1", []string{"alpha one", "alpha two", "alpha three"}, []int{0, 1, 2})
	put(t, s, "p1", []string{"zulu only"}, []int{5})

	hits, err := s.VectorSearch(ctx, unit(1), 10, semsearch.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(hits); len(got) != 1 || got[0] != "p1#0" {
		t.Fatalf("vector hits after replace = %v, want only p1#0", got)
	}
	if hits, _ := s.LexicalSearch(ctx, "alpha", 10, semsearch.Filter{}, semsearch.BM25Weights{}); len(hits) != 0 {
		t.Fatalf("old text still in lexical index: %v", ids(hits))
	}
	if hits, _ := s.LexicalSearch(ctx, "zulu", 10, semsearch.Filter{}, semsearch.BM25Weights{}); len(hits) != 1 {
		t.Fatalf("new text not in lexical index: %v", ids(hits))
	}
	if cs, _ := s.Chunks(ctx, []string{"p1#1", "p1#2"}); len(cs) != 0 {
		t.Fatalf("old chunks remain: %v", cs)
	}
	st, _ := s.Stats(ctx)
	if st.Posts != 1 || st.Chunks != 1 {
		t.Fatalf("Stats = %+v", st)
	}

	// An invalid Put leaves the previous version untouched.
	p, c, v := makePost("p1", []string{"x", "y"}, []int{0, 1})
	v[1] = make([]float32, testDims)
	if err := s.Put(ctx, p, c, v); semsearch.ErrorCode(err) != semsearch.EInvalid {
		t.Fatalf("Put with zero vector: err = %v", err)
	}
	if hits, _ := s.LexicalSearch(ctx, "zulu", 10, semsearch.Filter{}, semsearch.BM25Weights{}); len(hits) != 1 {
		t.Fatal("invalid Put changed the stored post")
	}
}

func TestStore_PutValidates(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, t.TempDir())
	nan := unit(0)
	nan[3] = float32(math.NaN())
	inf := unit(0)
	inf[3] = float32(math.Inf(1))
	tests := []struct {
		name string
		edit func(*semsearch.Post, []semsearch.Chunk, [][]float32) ([]semsearch.Chunk, [][]float32)
	}{
		{"fewer vectors", func(_ *semsearch.Post, c []semsearch.Chunk, v [][]float32) ([]semsearch.Chunk, [][]float32) {
			return c, v[:1]
		}},
		{"wrong dims", func(_ *semsearch.Post, c []semsearch.Chunk, v [][]float32) ([]semsearch.Chunk, [][]float32) {
			v[0] = v[0][:3]
			return c, v
		}},
		{"NaN", func(_ *semsearch.Post, c []semsearch.Chunk, v [][]float32) ([]semsearch.Chunk, [][]float32) {
			v[0] = nan
			return c, v
		}},
		{"Inf", func(_ *semsearch.Post, c []semsearch.Chunk, v [][]float32) ([]semsearch.Chunk, [][]float32) {
			v[1] = inf
			return c, v
		}},
		{"zero", func(_ *semsearch.Post, c []semsearch.Chunk, v [][]float32) ([]semsearch.Chunk, [][]float32) {
			v[0] = make([]float32, testDims)
			return c, v
		}},
		{"duplicate chunk id", func(_ *semsearch.Post, c []semsearch.Chunk, v [][]float32) ([]semsearch.Chunk, [][]float32) {
			c[1].ID = c[0].ID
			return c, v
		}},
		{"chunk of another post", func(_ *semsearch.Post, c []semsearch.Chunk, v [][]float32) ([]semsearch.Chunk, [][]float32) {
			c[1].PostID = "other"
			return c, v
		}},
		{"empty post id", func(p *semsearch.Post, c []semsearch.Chunk, v [][]float32) ([]semsearch.Chunk, [][]float32) {
			p.ID = ""
			return c, v
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, c, v := makePost("bad", []string{"one", "two"}, []int{0, 1})
			c, v = tt.edit(&p, c, v)
			if err := s.Put(ctx, p, c, v); semsearch.ErrorCode(err) != semsearch.EInvalid {
				t.Fatalf("err = %v, want invalid", err)
			}
			if st, _ := s.Stats(ctx); st.Posts != 0 || st.Chunks != 0 {
				t.Fatalf("something was stored: %+v", st)
			}
		})
	}
}

func TestStore_DeleteRemovesEverywhere(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openTest(t, dir)
	put(t, s, "p1", []string{"alpha", "bravo"}, []int{0, 1})
	put(t, s, "p2", []string{"charlie"}, []int{2})
	if err := s.Delete(ctx, "p1"); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, "p1"); semsearch.ErrorCode(err) != semsearch.ENotFound {
		t.Fatalf("second Delete err = %v, want not_found", err)
	}
	check := func(s *Store) {
		t.Helper()
		hits, err := s.VectorSearch(ctx, unit(0), 10, semsearch.Filter{})
		if err != nil || len(hits) != 1 || hits[0].PostID != "p2" {
			t.Fatalf("vector hits = %+v, %v", hits, err)
		}
		if hits, _ := s.LexicalSearch(ctx, "alpha bravo", 10, semsearch.Filter{}, semsearch.BM25Weights{}); len(hits) != 0 {
			t.Fatalf("lexical hits of deleted post: %v", ids(hits))
		}
		if _, err := s.Post(ctx, "p1"); semsearch.ErrorCode(err) != semsearch.ENotFound {
			t.Fatalf("Post after delete: %v", err)
		}
		if m := metaOf(t, s, "p1"); len(m) != 0 {
			t.Fatal("deleted post still in memory catalog")
		}
		if st, _ := s.Stats(ctx); st.Posts != 1 || st.Chunks != 1 {
			t.Fatalf("Stats = %+v", st)
		}
		var fts int
		s.db.QueryRowContext(ctx, `SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH 'alpha OR bravo OR charlie'`).Scan(&fts)
		if fts != 1 {
			t.Fatalf("FTS rows = %d, want 1", fts)
		}
	}
	check(s)
	s.Close()
	check(openTest(t, dir))
}

func TestStore_ReopenGivesSameResults(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openTest(t, dir)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 30 {
		p, c, _ := makePost(fmt.Sprintf("p%02d", i), []string{fmt.Sprintf("word%d common", i), "other text"}, []int{0, 1})
		v := [][]float32{randVec(r, testDims), randVec(r, testDims)}
		if err := s.Put(ctx, p, c, v); err != nil {
			t.Fatal(err)
		}
	}
	q := randVec(r, testDims)
	before, err := s.VectorSearch(ctx, q, 10, semsearch.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	lexBefore, _ := s.LexicalSearch(ctx, "word7 common", 10, semsearch.Filter{}, semsearch.BM25Weights{})
	s.Close()
	s2 := openTest(t, dir)
	after, err := s2.VectorSearch(ctx, q, 10, semsearch.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	lexAfter, _ := s2.LexicalSearch(ctx, "word7 common", 10, semsearch.Filter{}, semsearch.BM25Weights{})
	if fmt.Sprint(before) != fmt.Sprint(after) {
		t.Fatalf("vector results differ after reopen:\n%v\n%v", before, after)
	}
	if fmt.Sprint(lexBefore) != fmt.Sprint(lexAfter) || len(lexAfter) == 0 || lexAfter[0].ChunkID != "p07#0" {
		t.Fatalf("lexical results differ after reopen:\n%v\n%v", lexBefore, lexAfter)
	}
}

func randVec(r *rand.Rand, dims int) []float32 {
	v := make([]float32, dims)
	var sum float64
	for i := range v {
		v[i] = float32(r.NormFloat64())
		sum += float64(v[i] * v[i])
	}
	n := float32(math.Sqrt(sum))
	for i := range v {
		v[i] /= n
	}
	return v
}

func TestOpen_ModelMismatch(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openTest(t, dir)
	s.Close()
	for _, tc := range []struct {
		model string
		dims  int
	}{{"other-model", testDims}, {"test-model", 16}} {
		_, err := Open(ctx, dir, tc.model, tc.dims)
		if semsearch.ErrorCode(err) != semsearch.EConflict {
			t.Fatalf("Open(%s, %d) err = %v, want conflict", tc.model, tc.dims, err)
		}
		msg := semsearch.ErrorMessage(err)
		if !strings.Contains(msg, "semsearch reindex") || !strings.Contains(msg, "test-model") || !strings.Contains(msg, tc.model) {
			t.Fatalf("message %q does not name the models and `semsearch reindex`", msg)
		}
	}
	// An empty model opens whatever is recorded.
	s2, err := Open(ctx, dir, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if m, d := s2.Model(); m != "test-model" || d != testDims {
		t.Fatalf("Model = %s %d", m, d)
	}
	if _, err := Open(ctx, t.TempDir(), "", 0); err == nil {
		t.Fatal("Open of a new index without a model succeeded")
	}
}

func TestStore_SetModel(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openTest(t, dir)
	put(t, s, "p1", []string{"alpha"}, []int{0})
	if err := s.CacheEmbeddings(ctx, "test-model", map[string][]float32{"h": unit(0)}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetModel(ctx, "big", 16); err != nil {
		t.Fatal(err)
	}
	if h, ok, _ := s.PostHash(ctx, "p1"); !ok || h != "" {
		t.Fatalf("PostHash after SetModel = %q %v, want \"\" true", h, ok)
	}
	if st, _ := s.Stats(ctx); st.Chunks != 0 || st.Posts != 1 || st.Model != "big" || st.Dims != 16 {
		t.Fatalf("Stats = %+v", st)
	}
	if c, _ := s.CachedEmbeddings(ctx, "test-model", []string{"h"}); len(c) != 0 {
		t.Fatal("cache survived SetModel")
	}
	if hits, err := s.VectorSearch(ctx, make16(), 5, semsearch.Filter{}); err != nil || len(hits) != 0 {
		t.Fatalf("VectorSearch after SetModel = %v %v", hits, err)
	}
	p, _ := s.Post(ctx, "p1")
	if err := s.Put(ctx, p, []semsearch.Chunk{{ID: "p1#0", Text: "alpha"}}, [][]float32{make16()}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := Open(ctx, dir, "test-model", testDims); semsearch.ErrorCode(err) != semsearch.EConflict {
		t.Fatalf("old model after SetModel: err = %v", err)
	}
	s2, err := Open(ctx, dir, "big", 16)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if hits, err := s2.VectorSearch(ctx, make16(), 5, semsearch.Filter{}); err != nil || len(hits) != 1 {
		t.Fatalf("VectorSearch after reopen = %v %v", hits, err)
	}
}

func make16() []float32 {
	v := make([]float32, 16)
	v[0] = 1
	return v
}

func TestStore_EmbeddingCache(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, t.TempDir())
	in := map[string][]float32{}
	var hashes []string
	for i := range 1200 { // crosses the 500-parameter batch
		h := fmt.Sprintf("h%d", i)
		in[h] = []float32{float32(i), 1, 2}
		hashes = append(hashes, h)
	}
	if err := s.CacheEmbeddings(ctx, "m", in); err != nil {
		t.Fatal(err)
	}
	got, err := s.CachedEmbeddings(ctx, "m", append(hashes, "absent"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1200 || got["h1199"][0] != 1199 || got["h3"][2] != 2 {
		t.Fatalf("got %d entries, h1199 = %v", len(got), got["h1199"])
	}
	if other, _ := s.CachedEmbeddings(ctx, "other", hashes[:3]); len(other) != 0 {
		t.Fatal("cache is not keyed by model")
	}
}

func TestVectorSearch_EdgeCases(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, t.TempDir())
	if hits, err := s.VectorSearch(ctx, unit(0), 10, semsearch.Filter{}); err != nil || len(hits) != 0 {
		t.Fatalf("empty index: %v %v", hits, err)
	}
	put(t, s, "p1", []string{"a", "b"}, []int{0, 1})
	if hits, err := s.VectorSearch(ctx, unit(0), 100, semsearch.Filter{}); err != nil || len(hits) != 2 {
		t.Fatalf("n > count: %v %v", hits, err)
	}
	bad := map[string][]float32{
		"zero":      make([]float32, testDims),
		"wrong dim": unit(0)[:4],
		"nil":       nil,
		"NaN":       {float32(math.NaN()), 1, 0, 0, 0, 0, 0, 0},
	}
	for name, v := range bad {
		if _, err := s.VectorSearch(ctx, v, 5, semsearch.Filter{}); semsearch.ErrorCode(err) != semsearch.EInvalid {
			t.Errorf("%s: err = %v, want invalid", name, err)
		}
	}
	if _, err := s.VectorSearch(ctx, unit(0), 0, semsearch.Filter{}); semsearch.ErrorCode(err) != semsearch.EInvalid {
		t.Errorf("n=0: err = %v", err)
	}
	// An unnormalised query gives the same ranking and cosine scores.
	scaled := unit(1)
	for i := range scaled {
		scaled[i] *= 7
	}
	hits, err := s.VectorSearch(ctx, scaled, 1, semsearch.Filter{})
	if err != nil || hits[0].ChunkID != "p1#1" || hits[0].Score > 1.0001 {
		t.Fatalf("scaled query: %+v %v", hits, err)
	}
}

// TestChromem_Assumptions pins the chromem-go behaviour the index works
// around, so that an upgrade that changes it is noticed.
func TestChromem_Assumptions(t *testing.T) {
	ctx := context.Background()
	vi, err := NewChromemIndex(testDims)
	if err != nil {
		t.Fatal(err)
	}
	c := vi.(*chromemIndex).coll
	if _, err := c.QueryEmbedding(ctx, unit(0), 1, nil, nil); err == nil {
		t.Error("chromem now accepts a query on an empty collection; the guard in VectorSearch may go")
	}
	v := unit(0)
	n, _ := checkVector(v, testDims, "v")
	if err := c.AddDocument(ctx, chromem.Document{ID: "x", Embedding: n}); err != nil {
		t.Fatal(err)
	}
	res, err := c.QueryEmbedding(ctx, n, 1, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if &res[0].Embedding[0] != &n[0] {
		t.Error("chromem copied a normalised vector; memory per chunk doubles")
	}
	if _, err := c.QueryEmbedding(ctx, n, 2, nil, nil); err == nil {
		t.Error("chromem now accepts nResults > count")
	}
	if err := c.AddDocument(ctx, chromem.Document{ID: "y", Content: "text"}); err == nil {
		t.Error("the collection embedded text; it must never embed")
	}
}

func TestVectorSearch_Filters(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, t.TempDir())
	mk := func(id, src, author, tag string, day int, axis int) {
		p, c, v := makePost(id, []string{"text " + id}, []int{axis})
		p.Source = semsearch.Source{Title: src, URL: "https://" + strings.ToLower(src) + ".test/feed"}
		p.Authors = []string{author}
		p.Tags = []string{tag}
		p.Published = time.Date(2024, 1, day, 0, 0, 0, 0, time.UTC)
		if day == 0 {
			p.Published = time.Time{}
		}
		if err := s.Put(ctx, p, c, v); err != nil {
			t.Fatal(err)
		}
	}
	mk("a", "Alpha", "Ann", "go", 1, 0)
	mk("b", "Alpha", "Bob", "db", 5, 0)
	mk("c", "Beta", "Ann", "db", 10, 0)
	mk("d", "Beta", "Cid", "go", 0, 0)
	for i := range 20 { // bulk that the broad filters keep and the narrow ones drop
		mk(fmt.Sprintf("z%02d", i), "Zed", "Zoe", "misc", 20, 1)
	}
	day := func(d int) time.Time { return time.Date(2024, 1, d, 0, 0, 0, 0, time.UTC) }
	tests := []struct {
		name string
		f    semsearch.Filter
		want string
	}{
		{"source title", semsearch.Filter{Source: "alpha"}, "a b"},
		{"source url", semsearch.Filter{Source: "https://beta.test/feed"}, "c d"},
		{"author", semsearch.Filter{Author: "ann"}, "a c"},
		{"tag", semsearch.Filter{Tag: "DB"}, "b c"},
		{"since", semsearch.Filter{Since: day(5), Until: day(10)}, "b c"},
		{"until excludes undated", semsearch.Filter{Until: day(5)}, "a b"},
		{"combined", semsearch.Filter{Author: "Ann", Tag: "go"}, "a"},
		{"none", semsearch.Filter{Author: "nobody"}, ""},
		{"broad", semsearch.Filter{Since: day(1)}, "a b c +3 z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := 6
			hits, err := s.VectorSearch(ctx, unit(0), n, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			got := postSet(hits)
			if tt.name == "broad" { // the z posts tie: any three of them
				if len(hits) != n || !strings.HasPrefix(got, "a b c z") {
					t.Errorf("vector posts = %q, want a b c and three z posts", got)
				}
				got = tt.want
			}
			if got != tt.want {
				t.Errorf("vector posts = %q, want %q", got, tt.want)
			}
			lex, err := s.LexicalSearch(ctx, "text", n, tt.f, semsearch.BM25Weights{})
			if err != nil {
				t.Fatal(err)
			}
			wantLex := tt.want
			if tt.name == "broad" {
				wantLex = "" // any 6 of the 23 matching posts: only the count is checked
				if len(lex) != 6 {
					t.Errorf("lexical broad: %d hits", len(lex))
				}
				lex = nil
			}
			if got := postSet(lex); got != wantLex {
				t.Errorf("lexical posts = %q, want %q", got, wantLex)
			}
		})
	}
}

func postSet(hits []semsearch.Hit) string {
	seen := map[string]bool{}
	var out []string
	for _, h := range hits {
		if !seen[h.PostID] {
			seen[h.PostID] = true
			out = append(out, h.PostID)
		}
	}
	slices.Sort(out)
	return strings.Join(out, " ")
}

func TestLexicalSearch_HostileQueries(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, t.TempDir())
	put(t, s, "p1", []string{`quoted "near" text with NEAR and OR words`}, []int{0})
	for _, q := range []string{
		`"a" OR NEAR(`, `NEAR(a b, 2)`, `"`, `""`, `*`, `a*`, `^start`, `col:near`, `title:x`,
		`AND OR NOT`, `(`, `)`, `{title heading}: x`, `-x`, `+`, "\x00", `'; DROP TABLE posts; --`,
		strings.Repeat("word ", 500), "",
	} {
		if _, err := s.LexicalSearch(ctx, q, 5, semsearch.Filter{}, semsearch.BM25Weights{}); err != nil {
			t.Errorf("LexicalSearch(%q): %v", q, err)
		}
	}
	hits, err := s.LexicalSearch(ctx, `"near" OR (`, 5, semsearch.Filter{}, semsearch.BM25Weights{})
	if err != nil || len(hits) != 1 {
		t.Fatalf("quoted syntax as words: %v %v", hits, err)
	}
	// Porter stemming: a different inflection still matches.
	if hits, _ := s.LexicalSearch(ctx, "quoting", 5, semsearch.Filter{}, semsearch.BM25Weights{}); len(hits) != 1 {
		t.Fatalf("stemmed match: %v", hits)
	}
}

func FuzzLexicalSearch(f *testing.F) {
	for _, q := range []string{`"a" OR NEAR(`, `x AND y`, `NOT`, `"unterminated`, `a:b`, `é ü 日本語`} {
		f.Add(q)
	}
	s := openTest(f, f.TempDir())
	put(f, s, "p1", []string{"some text to match against"}, []int{0})
	f.Fuzz(func(t *testing.T, q string) {
		if _, err := s.LexicalSearch(context.Background(), q, 5, semsearch.Filter{}, semsearch.BM25Weights{}); err != nil {
			var e *semsearch.Error
			if !errors.As(err, &e) {
				t.Fatalf("LexicalSearch(%q): %v (FTS expression %q)", q, err, FTSQuery(q))
			}
		}
	})
}

func TestDecodeVector_RoundTrip(t *testing.T) {
	v := []float32{1.5, -2, 0, float32(math.SmallestNonzeroFloat32), 3e38}
	got, ok := decodeVector(encodeVector(v))
	if !ok || fmt.Sprint(got) != fmt.Sprint(v) {
		t.Fatalf("decode(encode(%v)) = %v %v", v, got, ok)
	}
	// Unaligned input is copied, not misread.
	b := append([]byte{0}, encodeVector(v)...)[1:]
	if got, ok := decodeVector(b); !ok || fmt.Sprint(got) != fmt.Sprint(v) {
		t.Fatalf("unaligned decode = %v", got)
	}
	if _, ok := decodeVector([]byte{1, 2, 3}); ok {
		t.Fatal("decoded a 3-byte vector")
	}
}

// TestStore_ReadersNeverSeeHalfAPost alternates a post between a 3-chunk and
// a 1-chunk version while readers query: each vector query must see one
// version whole.
func TestStore_ReadersNeverSeeHalfAPost(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, t.TempDir())
	put(t, s, "p", []string{"a", "b", "c"}, []int{0, 0, 0})
	done := make(chan struct{})
	errc := make(chan error, 1)
	go func() {
		defer close(done)
		for i := range 40 {
			texts, axes := []string{"a", "b", "c"}, []int{0, 0, 0}
			if i%2 == 0 {
				texts, axes = []string{"a"}, []int{0}
			}
			p, c, v := makePost("p", texts, axes)
			if err := s.Put(ctx, p, c, v); err != nil {
				errc <- err
				return
			}
		}
	}()
	for {
		select {
		case <-done:
			select {
			case err := <-errc:
				t.Fatal(err)
			default:
			}
			return
		default:
		}
		hits, err := s.VectorSearch(ctx, unit(0), 10, semsearch.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) != 1 && len(hits) != 3 {
			t.Fatalf("saw %d chunks of the post: %v", len(hits), ids(hits))
		}
	}
}

func TestStore_Verify(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openTest(t, dir)
	put(t, s, "p1", []string{"alpha", "bravo"}, []int{0, 1})
	put(t, s, "p2", []string{"charlie"}, []int{2})
	if err := s.Delete(ctx, "p2"); err != nil {
		t.Fatal(err)
	}
	if err := s.Verify(ctx); err != nil {
		t.Fatalf("Verify of a sound index: %v", err)
	}
	// Break it behind the store's back: a chunk without its lexical row.
	if _, err := s.db.ExecContext(ctx, `DROP TRIGGER chunks_fts_delete`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.ExecContext(ctx, `DELETE FROM chunks WHERE id = 'p1#1'`); err != nil {
		t.Fatal(err)
	}
	err := s.Verify(ctx)
	if err == nil || !strings.Contains(err.Error(), "lexical rows") || !strings.Contains(err.Error(), "vector index") {
		t.Fatalf("Verify of a broken index = %v", err)
	}
}

// TestStore_CloseLeavesNoWAL: app.Reindex swaps database files by rename,
// which is only safe when Close checkpoints the write-ahead log away.
func TestStore_CloseLeavesNoWAL(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, dir, "test-model", testDims)
	if err != nil {
		t.Fatal(err)
	}
	put(t, s, "p1", []string{"alpha"}, []int{0})
	// A query leaves a second pooled connection open.
	if _, err := s.LexicalSearch(ctx, "alpha", 1, semsearch.Filter{}, semsearch.BM25Weights{}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(dir, FileName+"-wal")); err == nil && fi.Size() > 0 {
		t.Fatalf("a %d-byte WAL remains after Close", fi.Size())
	}
}

// TestStore_SeesOtherProcessWrites opens two stores on one directory, as a
// running server and a `semsearch ingest` would: each must apply the
// other's writes before answering.
func TestStore_SeesOtherProcessWrites(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	server := openTest(t, dir)
	cli := openTest(t, dir)
	put(t, server, "own", []string{"kilo"}, []int{3})

	put(t, cli, "p1", []string{"alpha", "bravo"}, []int{0, 1})
	hits, err := server.VectorSearch(ctx, unit(1), 5, semsearch.Filter{})
	if err != nil || len(hits) == 0 || hits[0].ChunkID != "p1#1" {
		t.Fatalf("server after another process's Put: %v %v", hits, err)
	}
	if lex, _ := server.LexicalSearch(ctx, "alpha", 5, semsearch.Filter{Author: "Ann"}, semsearch.BM25Weights{}); len(lex) != 1 {
		t.Fatalf("filtered lexical search misses the new post: %v", lex)
	}
	put(t, cli, "p1", []string{"charlie"}, []int{2}) // replace
	if err := cli.Delete(ctx, "own"); err != nil {
		t.Fatal(err)
	}
	hits, err = server.VectorSearch(ctx, unit(1), 5, semsearch.Filter{})
	if err != nil || fmt.Sprint(ids(hits)) != "[p1#0]" {
		t.Fatalf("server after replace and delete: %v %v", ids(hits), err)
	}
	if err := server.Verify(ctx); err != nil {
		t.Fatal(err)
	}
	// The server's own write after the other's keeps both.
	put(t, server, "own2", []string{"lima"}, []int{4})
	if err := cli.Verify(ctx); err != nil {
		t.Fatal(err)
	}
	if m := metaOf(t, cli, "own2", "own"); len(m) != 1 {
		t.Fatalf("cli catalog after sync: %v", m)
	}

	// A log pruned past a process makes it reload everything.
	put(t, cli, "p2", []string{"mike"}, []int{5})
	if _, err := cli.db.ExecContext(ctx, `DELETE FROM changes`); err != nil {
		t.Fatal(err)
	}
	put(t, cli, "p3", []string{"november"}, []int{6})
	if err := server.Verify(ctx); err != nil {
		t.Fatalf("after a pruned log: %v", err)
	}
	if m := metaOf(t, server, "p2", "p3"); len(m) != 2 {
		t.Fatalf("server catalog after a pruned log: %v", m)
	}

	// A model change elsewhere reloads everything, dimension included.
	if err := cli.SetModel(ctx, "big", 16); err != nil {
		t.Fatal(err)
	}
	if _, err := server.VectorSearch(ctx, unit(0), 5, semsearch.Filter{}); semsearch.ErrorCode(err) != semsearch.EInvalid {
		t.Fatalf("8-d query after a switch to 16 dims: %v", err)
	}
	if m, d := server.Model(); m != "big" || d != 16 {
		t.Fatalf("server model after SetModel elsewhere: %s %d", m, d)
	}
}

func TestStore_PutRefusesAfterModelChangeElsewhere(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a := openTest(t, dir)
	b := openTest(t, dir)
	if err := b.SetModel(ctx, "big", 16); err != nil {
		t.Fatal(err)
	}
	p, c, v := makePost("p1", []string{"alpha"}, []int{0})
	if err := a.Put(ctx, p, c, v); semsearch.ErrorCode(err) != semsearch.EConflict {
		t.Fatalf("Put of 8-d vectors into a 16-d index: %v", err)
	}
	if err := b.Verify(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestStore_PutMany(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, t.TempDir())
	var docs []Doc
	for i := range 5 {
		p, c, v := makePost(fmt.Sprintf("p%d", i), []string{fmt.Sprintf("word%d", i), "shared"}, []int{i, 7})
		docs = append(docs, Doc{Post: p, Chunks: c, Vecs: v})
	}
	if err := s.PutMany(ctx, docs); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.Stats(ctx); st.Posts != 5 || st.Chunks != 10 {
		t.Fatalf("Stats = %+v", st)
	}
	if err := s.Verify(ctx); err != nil {
		t.Fatal(err)
	}
	// One bad document stores nothing of the batch.
	p, c, v := makePost("new", []string{"x"}, []int{0})
	bad := docs[2]
	bad.Vecs = [][]float32{unit(0)} // 2 chunks, 1 vector
	if err := s.PutMany(ctx, []Doc{{Post: p, Chunks: c, Vecs: v}, bad}); semsearch.ErrorCode(err) != semsearch.EInvalid {
		t.Fatalf("bad batch: %v", err)
	}
	if _, ok, _ := s.PostHash(ctx, "new"); ok {
		t.Fatal("part of a rejected batch was stored")
	}
	if err := s.PutMany(ctx, []Doc{docs[0], docs[0]}); semsearch.ErrorCode(err) != semsearch.EInvalid {
		t.Fatalf("repeated post: %v", err)
	}
}

// metaOf is Store.PostMeta, which cannot fail for a local store.
func metaOf(t *testing.T, s *Store, ids ...string) map[string]semsearch.Post {
	t.Helper()
	m, err := s.PostMeta(context.Background(), ids...)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
