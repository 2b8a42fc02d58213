// Package storetest is the conformance suite of an index backend: the same
// search, filter, replace, delete and cache semantics, run against the
// embedded store (index) and the Weaviate backend (index/weaviate).
package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/index"
)

// Store is what the suite drives (app.Store's methods, declared here so that
// the suite imports no backend).
type Store interface {
	VectorSearch(ctx context.Context, vec []float32, n int, f semsearch.Filter) ([]semsearch.Hit, error)
	LexicalSearch(ctx context.Context, q string, n int, f semsearch.Filter, w semsearch.BM25Weights) ([]semsearch.Hit, error)
	Chunks(ctx context.Context, ids []string) (map[string]semsearch.Chunk, error)
	PostChunks(ctx context.Context, postID string) ([]semsearch.Chunk, [][]float32, error)
	PostMeta(ctx context.Context, ids ...string) (map[string]semsearch.Post, error)
	PostTexts(ctx context.Context, ids ...string) (map[string]string, error)
	CachedEmbeddings(ctx context.Context, model string, hashes []string) (map[string][]float32, error)
	CacheEmbeddings(ctx context.Context, model string, vecs map[string][]float32) error
	PutMany(ctx context.Context, docs []index.Doc) error
	Delete(ctx context.Context, id string) error
	Post(ctx context.Context, id string) (semsearch.Post, error)
	PostHash(ctx context.Context, id string) (string, bool, error)
	PostIDs(ctx context.Context) ([]string, error)
	Stats(ctx context.Context) (semsearch.Stats, error)
	Ready(ctx context.Context) error
	Verify(ctx context.Context) error
}

// Dims is the dimension the suite's stores must be opened with.
const Dims = 8

// Open returns an empty store of model "test-model" with Dims dimensions;
// name is unique per call (a class prefix, a directory).
type Open func(t *testing.T, name string) Store

// Run runs every case as a subtest, each on a fresh store.
func Run(t *testing.T, open Open) {
	cases := []struct {
		name string
		fn   func(t *testing.T, s Store)
	}{
		{"RoundTrip", roundTrip},
		{"VectorOrder", vectorOrder},
		{"Lexical", lexical},
		{"Filters", filtersCase},
		{"ReplaceAtomically", replace},
		{"Delete", deleteCase},
		{"Validate", validateCase},
		{"Cache", cache},
		{"ReadersNeverSeeHalfAPost", readers},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.fn(t, open(t, fmt.Sprintf("T%d", i))) })
	}
}

// Unit is a vector with a 1 at index i (mod Dims) and a little of everything else.
func Unit(i int) []float32 {
	v := make([]float32, Dims)
	for j := range v {
		v[j] = 0.01
	}
	v[i%Dims] = 1
	return v
}

// Doc builds a post with one chunk per text; chunk i gets Unit(axes[i]).
func Doc(id string, texts []string, axes []int) index.Doc {
	p := semsearch.Post{
		ID: id, Title: "Title " + id, URL: "https://example.test/" + id,
		Authors: []string{"Ann"}, Tags: []string{"go"},
		Published: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC),
		Source:    semsearch.Source{Title: "Blog", URL: "https://example.test/feed"},
		Text:      strings.Join(texts, "\n\n"), ContentHash: "hash-" + id + fmt.Sprint(len(texts)),
	}
	d := index.Doc{Post: p}
	off := 0
	for i, t := range texts {
		d.Chunks = append(d.Chunks, semsearch.Chunk{ID: fmt.Sprintf("%s#%d", id, i), PostID: id, Ordinal: i, Heading: "H", Text: t, Start: off, End: off + len(t)})
		d.Vecs = append(d.Vecs, Unit(axes[i]))
		off += len(t) + 2
	}
	return d
}

func put(t *testing.T, s Store, docs ...index.Doc) {
	t.Helper()
	if err := s.PutMany(context.Background(), docs); err != nil {
		t.Fatalf("PutMany: %v", err)
	}
}

func chunkIDs(hits []semsearch.Hit) []string {
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = h.ChunkID
	}
	return out
}

func posts(hits []semsearch.Hit) string {
	seen := map[string]bool{}
	var out []string
	for _, h := range hits {
		if !seen[h.PostID] {
			seen[h.PostID] = true
			out = append(out, h.PostID)
		}
	}
	slices.Sort(out)
	return strings.Join(out, ",")
}

func roundTrip(t *testing.T, s Store) {
	ctx := context.Background()
	a := Doc("a", []string{"alpha one", "alpha two"}, []int{0, 1})
	a.Post.Summary, a.Post.ReadingTime, a.Post.TitleDerived = "sum", "2 minutes", true
	a.Post.Updated = time.Date(2024, 2, 3, 4, 5, 6, 0, time.UTC)
	put(t, s, a, Doc("b", []string{"beta"}, []int{2}))
	if err := s.Ready(ctx); err != nil {
		t.Fatalf("Ready: %v", err)
	}
	got, err := s.Post(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	want := a.Post
	if got.Title != want.Title || got.Text != want.Text || got.URL != want.URL || !slices.Equal(got.Authors, want.Authors) ||
		!slices.Equal(got.Tags, want.Tags) || !got.Published.Equal(want.Published) || !got.Updated.Equal(want.Updated) ||
		got.Source != want.Source || got.ContentHash != want.ContentHash || got.Summary != want.Summary ||
		got.ReadingTime != want.ReadingTime || got.TitleDerived != want.TitleDerived {
		t.Errorf("Post = %+v\nwant %+v", got, want)
	}
	if _, err := s.Post(ctx, "nope"); !isKind(err, semsearch.ENotFound) {
		t.Errorf("Post(missing) = %v, want not_found", err)
	}
	if h, ok, err := s.PostHash(ctx, "a"); err != nil || !ok || h != want.ContentHash {
		t.Errorf("PostHash = %q %v %v", h, ok, err)
	}
	if _, ok, err := s.PostHash(ctx, "nope"); err != nil || ok {
		t.Errorf("PostHash(missing) = %v %v", ok, err)
	}
	if ids, err := s.PostIDs(ctx); err != nil || !slices.Equal(ids, []string{"a", "b"}) {
		t.Errorf("PostIDs = %v %v", ids, err)
	}
	meta, err := s.PostMeta(ctx, "a", "b", "nope")
	if err != nil || len(meta) != 2 || meta["a"].Text != "" || meta["a"].Title != "Title a" {
		t.Errorf("PostMeta = %v %v", meta, err)
	}
	texts, err := s.PostTexts(ctx, "a", "nope")
	if err != nil || len(texts) != 1 || texts["a"] != want.Text {
		t.Errorf("PostTexts = %v %v", texts, err)
	}
	chunks, err := s.Chunks(ctx, []string{"a#1", "b#0", "zz"})
	if err != nil || len(chunks) != 2 || chunks["a#1"].Text != "alpha two" || chunks["a#1"].PostID != "a" || chunks["a#1"].Start != 11 {
		t.Errorf("Chunks = %+v %v", chunks, err)
	}
	pc, vecs, err := s.PostChunks(ctx, "a")
	if err != nil || len(pc) != 2 || pc[0].Ordinal != 0 || pc[1].Text != "alpha two" || len(vecs) != 2 || len(vecs[0]) != Dims {
		t.Fatalf("PostChunks = %+v %v %v", pc, len(vecs), err)
	}
	var norm float64
	for _, x := range vecs[0] {
		norm += float64(x) * float64(x)
	}
	if norm < 0.999 || norm > 1.001 {
		t.Errorf("stored vector norm² %v, want 1", norm)
	}
	if _, _, err := s.PostChunks(ctx, "nope"); !isKind(err, semsearch.ENotFound) {
		t.Errorf("PostChunks(missing) = %v", err)
	}
	st, err := s.Stats(ctx)
	if err != nil || st.Posts != 2 || st.Chunks != 3 || st.Sources != 1 || st.Model != "test-model" || st.Dims != Dims {
		t.Errorf("Stats = %+v %v", st, err)
	}
	if err := s.Verify(ctx); err != nil {
		t.Errorf("Verify: %v", err)
	}
}

func vectorOrder(t *testing.T, s Store) {
	ctx := context.Background()
	put(t, s, Doc("a", []string{"x", "y"}, []int{0, 1}), Doc("b", []string{"z"}, []int{2}))
	hits, err := s.VectorSearch(ctx, Unit(1), 3, semsearch.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if got := chunkIDs(hits); len(got) != 3 || got[0] != "a#1" {
		t.Errorf("VectorSearch = %v, want a#1 first of 3", got)
	}
	if hits[0].Score < 0.99 || hits[0].Score < hits[1].Score {
		t.Errorf("scores %v: want cosine, best first", hits)
	}
	if hits, err := s.VectorSearch(ctx, Unit(0), 1, semsearch.Filter{}); err != nil || len(hits) != 1 || hits[0].PostID != "a" {
		t.Errorf("n=1: %v %v", hits, err)
	}
	if _, err := s.VectorSearch(ctx, make([]float32, Dims+1), 3, semsearch.Filter{}); !isKind(err, semsearch.EInvalid) {
		t.Errorf("wrong dims: %v, want invalid", err)
	}
	if _, err := s.VectorSearch(ctx, Unit(0), 0, semsearch.Filter{}); !isKind(err, semsearch.EInvalid) {
		t.Errorf("n=0: %v, want invalid", err)
	}
}

func lexical(t *testing.T, s Store) {
	ctx := context.Background()
	put(t, s, Doc("a", []string{"the quick brown fox", "lazy dogs sleep"}, []int{0, 1}),
		Doc("b", []string{"a fox and a fox again", "nothing here"}, []int{2, 3}))
	hits, err := s.LexicalSearch(ctx, "fox", 10, semsearch.Filter{}, semsearch.BM25Weights{})
	if err != nil {
		t.Fatal(err)
	}
	if got := chunkIDs(hits); len(got) != 2 || !slices.Contains(got, "a#0") || !slices.Contains(got, "b#0") {
		t.Errorf("fox = %v", got)
	}
	for _, q := range []string{"", "   ", `"`, "OR AND NOT", "*", "fox\") OR (", "{bm25}"} {
		if _, err := s.LexicalSearch(ctx, q, 5, semsearch.Filter{}, semsearch.BM25Weights{}); err != nil {
			t.Errorf("hostile query %q: %v", q, err)
		}
	}
	if hits, err := s.LexicalSearch(ctx, "Title", 10, semsearch.Filter{}, semsearch.BM25Weights{}); err != nil || len(hits) != 4 {
		t.Errorf("title words match every chunk: %v %v", chunkIDs(hits), err)
	}
	if hits, err := s.LexicalSearch(ctx, "fox", 10, semsearch.Filter{}, semsearch.BM25Weights{Title: 5, Heading: 1, Text: 0.5}); err != nil || len(hits) != 2 {
		t.Errorf("other weights: %v %v", chunkIDs(hits), err)
	}
	if hits, err := s.LexicalSearch(ctx, "SLEEP dogs", 10, semsearch.Filter{}, semsearch.BM25Weights{}); err != nil || len(hits) != 1 || hits[0].ChunkID != "a#1" {
		t.Errorf("case-insensitive: %v %v", chunkIDs(hits), err)
	}
}

func filtersCase(t *testing.T, s Store) {
	ctx := context.Background()
	a := Doc("a", []string{"one"}, []int{0})
	a.Post.Tags = []string{"Go", "Databases"}
	b := Doc("b", []string{"two"}, []int{0})
	b.Post.Authors, b.Post.Source = []string{"Bob"}, semsearch.Source{Title: "Other", URL: "https://other.test/feed"}
	b.Post.Published = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	c := Doc("c", []string{"three"}, []int{0})
	c.Post.Published = time.Time{}
	put(t, s, a, b, c)
	for _, tc := range []struct {
		f    semsearch.Filter
		want string
	}{
		{semsearch.Filter{}, "a,b,c"},
		{semsearch.Filter{Source: "other"}, "b"},
		{semsearch.Filter{Source: "https://EXAMPLE.test/feed"}, "a,c"},
		{semsearch.Filter{Author: " ann "}, "a,c"},
		{semsearch.Filter{Tag: "databases"}, "a"},
		{semsearch.Filter{Since: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}, "b"},
		{semsearch.Filter{Until: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}, "a"},
		{semsearch.Filter{Since: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), Until: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)}, "a"},
		{semsearch.Filter{Author: "Bob", Tag: "go"}, "b"},
		{semsearch.Filter{Author: "nobody"}, ""},
	} {
		vh, err := s.VectorSearch(ctx, Unit(0), 10, tc.f)
		if err != nil {
			t.Fatal(err)
		}
		lh, err := s.LexicalSearch(ctx, "one two three", 10, tc.f, semsearch.BM25Weights{})
		if err != nil {
			t.Fatal(err)
		}
		if got := posts(vh); got != tc.want {
			t.Errorf("vector %+v = %q, want %q", tc.f, got, tc.want)
		}
		if got := posts(lh); got != tc.want {
			t.Errorf("lexical %+v = %q, want %q", tc.f, got, tc.want)
		}
	}
}

func replace(t *testing.T, s Store) {
	ctx := context.Background()
	put(t, s, Doc("a", []string{"old one", "old two", "old three"}, []int{0, 1, 2}))
	put(t, s, Doc("a", []string{"new one"}, []int{3}))
	pc, _, err := s.PostChunks(ctx, "a")
	if err != nil || len(pc) != 1 || pc[0].Text != "new one" {
		t.Fatalf("after replace: %+v %v", pc, err)
	}
	if hits, _ := s.LexicalSearch(ctx, "old", 10, semsearch.Filter{}, semsearch.BM25Weights{}); len(hits) != 0 {
		t.Errorf("old chunks still found lexically: %v", chunkIDs(hits))
	}
	if hits, _ := s.VectorSearch(ctx, Unit(1), 10, semsearch.Filter{}); len(hits) != 1 || hits[0].ChunkID != "a#0" {
		t.Errorf("vector after replace: %v", chunkIDs(hits))
	}
	if ch, _ := s.Chunks(ctx, []string{"a#0", "a#1"}); len(ch) != 1 || ch["a#0"].Text != "new one" {
		t.Errorf("Chunks after replace: %+v", ch)
	}
	if st, _ := s.Stats(ctx); st.Chunks != 1 || st.Posts != 1 {
		t.Errorf("Stats after replace: %+v", st)
	}
	if err := s.Verify(ctx); err != nil {
		t.Errorf("Verify: %v", err)
	}
}

func deleteCase(t *testing.T, s Store) {
	ctx := context.Background()
	put(t, s, Doc("a", []string{"gone soon"}, []int{0}), Doc("b", []string{"stays"}, []int{1}))
	if err := s.Delete(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, "a"); !isKind(err, semsearch.ENotFound) {
		t.Errorf("second Delete = %v, want not_found", err)
	}
	if _, err := s.Post(ctx, "a"); !isKind(err, semsearch.ENotFound) {
		t.Errorf("Post after Delete = %v", err)
	}
	if hits, _ := s.VectorSearch(ctx, Unit(0), 10, semsearch.Filter{}); posts(hits) != "b" {
		t.Errorf("vector after Delete: %v", chunkIDs(hits))
	}
	if hits, _ := s.LexicalSearch(ctx, "gone", 10, semsearch.Filter{}, semsearch.BM25Weights{}); len(hits) != 0 {
		t.Errorf("lexical after Delete: %v", chunkIDs(hits))
	}
	if ids, _ := s.PostIDs(ctx); !slices.Equal(ids, []string{"b"}) {
		t.Errorf("PostIDs after Delete: %v", ids)
	}
	if err := s.Verify(ctx); err != nil {
		t.Errorf("Verify: %v", err)
	}
}

func validateCase(t *testing.T, s Store) {
	ctx := context.Background()
	bad := Doc("a", []string{"x"}, []int{0})
	bad.Vecs[0] = make([]float32, Dims)
	if err := s.PutMany(ctx, []index.Doc{bad}); !isKind(err, semsearch.EInvalid) {
		t.Errorf("zero vector: %v, want invalid", err)
	}
	short := Doc("a", []string{"x"}, []int{0})
	short.Vecs[0] = short.Vecs[0][:3]
	if err := s.PutMany(ctx, []index.Doc{short}); !isKind(err, semsearch.EInvalid) {
		t.Errorf("short vector: %v, want invalid", err)
	}
	if err := s.PutMany(ctx, []index.Doc{Doc("a", []string{"x"}, []int{0}), Doc("a", []string{"y"}, []int{1})}); !isKind(err, semsearch.EInvalid) {
		t.Errorf("repeated post: %v, want invalid", err)
	}
	if ids, _ := s.PostIDs(ctx); len(ids) != 0 {
		t.Errorf("invalid input stored %v", ids)
	}
}

func cache(t *testing.T, s Store) {
	ctx := context.Background()
	if err := s.CacheEmbeddings(ctx, "m", map[string][]float32{"h1": {1, 2}, "h2": {3, 4}}); err != nil {
		t.Fatal(err)
	}
	got, err := s.CachedEmbeddings(ctx, "m", []string{"h1", "h3"})
	if err != nil || len(got) != 1 || !slices.Equal(got["h1"], []float32{1, 2}) {
		t.Errorf("CachedEmbeddings = %v %v", got, err)
	}
	if got, _ := s.CachedEmbeddings(ctx, "other", []string{"h1"}); len(got) != 0 {
		t.Errorf("another model's cache: %v", got)
	}
}

// readers checks that a reader sees a post entirely before or entirely
// after a replace: every chunk of the post it finds comes from one version.
func readers(t *testing.T, s Store) {
	ctx := context.Background()
	v1 := Doc("a", []string{"w v1 0", "w v1 1", "w v1 2"}, []int{0, 0, 0})
	v2 := Doc("a", []string{"w v2 0", "w v2 1", "w v2 2", "w v2 3"}, []int{0, 0, 0, 0})
	put(t, s, v1)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	var bad []string
	for r := 0; r < 2; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				hits, err := s.LexicalSearch(ctx, "w", 20, semsearch.Filter{}, semsearch.BM25Weights{})
				if err != nil {
					mu.Lock()
					bad = append(bad, err.Error())
					mu.Unlock()
					return
				}
				n := len(hits)
				if n != 0 && n != 3 && n != 4 {
					mu.Lock()
					bad = append(bad, fmt.Sprintf("saw %d chunks: %v", n, chunkIDs(hits)))
					mu.Unlock()
				}
			}
		}()
	}
	for i := 0; i < 6; i++ {
		d := v1
		if i%2 == 0 {
			d = v2
		}
		put(t, s, d)
	}
	close(stop)
	wg.Wait()
	if len(bad) > 0 {
		t.Errorf("readers saw half a post: %v", bad[:min(len(bad), 5)])
	}
}

func isKind(err error, kind string) bool {
	var e *semsearch.Error
	return errors.As(err, &e) && e.Code == kind
}
