package search

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/index"
)

// conceptEmbedder is a deterministic fake: each known word adds to its
// concept's axis, synonyms share an axis, and unknown words add nothing, so
// it finds synonyms that lexical search misses and misses rare exact terms
// that lexical search finds. A text with no known word embeds to the
// "nothing" axis.
type conceptEmbedder struct{}

const fakeDims = 16

var concepts = map[string]int{
	"car": 0, "automobile": 0, "vehicle": 0, "cars": 0,
	"engine": 1, "motor": 1,
	"database": 2, "sqlite": 2, "storage": 2,
	"crash": 3, "power": 3, "durability": 3, "fsync": 3,
	"cat": 4, "kitten": 4, "feline": 4, "cats": 4,
	"recipe": 5, "cooking": 5, "bread": 5,
}

func (conceptEmbedder) Model() string { return "concept-fake" }
func (conceptEmbedder) Dims() int     { return fakeDims }
func (e conceptEmbedder) EmbedPassages(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		out[i] = e.embed(t)
	}
	return out, nil
}
func (e conceptEmbedder) EmbedQuery(ctx context.Context, text string) ([]float32, error) {
	return e.embed(text), nil
}
func (conceptEmbedder) embed(text string) []float32 {
	v := make([]float32, fakeDims)
	known := false
	for _, w := range semsearch.Words(text) {
		if axis, ok := concepts[w]; ok {
			v[axis]++
			known = true
		}
	}
	if !known {
		v[fakeDims-1] = 1
	}
	v[fakeDims-2] = 0.05 // keeps every pair of texts slightly similar
	return v
}

type doc struct {
	id, title, author, tag string
	day                    int
	paras                  []string
}

var corpus = []doc{
	{"car", "Fixing my car", "Ann", "cars", 1, []string{"My car needs a new engine.", "The mechanic said the motor is fine."}},
	{"car2", "Vehicle maintenance", "Bob", "cars", 2, []string{"Every vehicle engine needs oil."}},
	{"car2-copy", "Vehicle maintenance", "Bob", "cars", 2, []string{"Every vehicle engine needs oil."}},
	{"db", "SQLite durability", "Ann", "databases", 3, []string{"Does fsync make SQLite storage survive a power crash?"}},
	{"cat", "Kittens", "Cid", "pets", 4, []string{"The kitten sleeps all day; cats are feline."}},
	{"code", "Release notes", "Bob", "notes", 5, []string{"Flag zq42x toggles the cooking timer."}},
	{"filler", "Misc", "Dee", "misc", 6, []string{"Nothing here matters at all."}},
}

func newTestSearcher(t testing.TB) (*Searcher, *index.Store) {
	t.Helper()
	ctx := context.Background()
	st, err := index.Open(ctx, t.TempDir(), "concept-fake", fakeDims)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e := conceptEmbedder{}
	for _, d := range corpus {
		p := semsearch.Post{
			ID: d.id, Title: d.title, URL: "https://example.test/" + d.id, Authors: []string{d.author, "Zed"},
			Tags: []string{d.tag}, Published: time.Date(2024, 3, d.day, 0, 0, 0, 0, time.UTC),
			Source: semsearch.Source{Title: "Blog " + d.author, URL: "https://" + strings.ToLower(d.author) + ".test/feed"},
			Text:   strings.Join(d.paras, "\n\n"), ContentHash: "hash:" + strings.Join(d.paras, "|"),
		}
		var chunks []semsearch.Chunk
		off := 0
		for i, para := range d.paras {
			chunks = append(chunks, semsearch.Chunk{ID: fmt.Sprintf("%s#%d", d.id, i), PostID: d.id, Ordinal: i, Heading: "Part", Text: para, Start: off, End: off + len(para)})
			off += len(para) + 2
		}
		vecs, _ := e.EmbedPassages(ctx, d.paras)
		if err := st.Put(ctx, p, chunks, vecs); err != nil {
			t.Fatal(err)
		}
	}
	return New(st, e), st
}

func resultIDs(rs []semsearch.Result) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

func TestSearcher_HybridCombinesRetrievers(t *testing.T) {
	s, _ := newTestSearcher(t)
	ctx := context.Background()
	tests := []struct {
		query  string
		mode   semsearch.Mode
		top    string // "" means: must not be the top result
		notTop string
	}{
		// A synonym only the embedder knows.
		{"automobile", semsearch.ModeVector, "car", ""},
		{"automobile", semsearch.ModeLexical, "", "car"},
		{"automobile", semsearch.ModeHybrid, "car", ""},
		// A rare exact term the embedder ignores.
		{"zq42x", semsearch.ModeLexical, "code", ""},
		{"zq42x", semsearch.ModeVector, "", "code"},
		{"zq42x", semsearch.ModeHybrid, "code", ""},
		{"zq42x", "", "code", ""}, // empty mode is hybrid
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%s", tt.query, tt.mode), func(t *testing.T) {
			rs, err := s.Search(ctx, semsearch.Query{Text: tt.query, K: 3, Mode: tt.mode})
			if err != nil {
				t.Fatal(err)
			}
			got := resultIDs(rs)
			if tt.top != "" && (len(got) == 0 || got[0] != tt.top) {
				t.Fatalf("results %v, want %s first", got, tt.top)
			}
			if tt.notTop != "" && len(got) > 0 && got[0] == tt.notTop {
				t.Fatalf("results %v: %s should not be found first by this mode", got, tt.notTop)
			}
		})
	}
}

func TestSearcher_ResultFields(t *testing.T) {
	s, _ := newTestSearcher(t)
	rs, err := s.Search(context.Background(), semsearch.Query{Text: "SQLite power loss", K: 1, Mode: semsearch.ModeHybrid})
	if err != nil || len(rs) != 1 {
		t.Fatalf("Search = %v, %v", rs, err)
	}
	r := rs[0]
	if r.ID != "db" || r.Title != "SQLite durability" || r.Author != "Ann, Zed" || r.Source != "Blog Ann" ||
		r.URL != "https://example.test/db" || r.Published.Day() != 3 || r.Score <= 0 {
		t.Fatalf("result = %+v", r)
	}
	if len(r.Passages) != 1 || r.Passages[0].Heading != "Part" ||
		r.Passages[0].Highlight != "Does fsync make <mark>SQLite</mark> storage survive a <mark>power</mark> crash?" ||
		r.Passages[0].Link != "https://example.test/db#:~:text=Does%20fsync%20make%20SQLite%20storage%20survive%20a%20power%20crash?" {
		t.Fatalf("passages = %+v", r.Passages)
	}
}

func TestSearcher_GroupsChunksByPost(t *testing.T) {
	s, _ := newTestSearcher(t)
	rs, err := s.Search(context.Background(), semsearch.Query{Text: "engine motor car", K: 10, Mode: semsearch.ModeVector})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range rs {
		if seen[r.ID] {
			t.Fatalf("post %s appears twice: %v", r.ID, resultIDs(rs))
		}
		seen[r.ID] = true
	}
	if rs[0].ID != "car" || len(rs[0].Passages) != 2 {
		t.Fatalf("top = %s with %d passages, want car with 2", rs[0].ID, len(rs[0].Passages))
	}
	if len(rs) > 10 {
		t.Fatalf("%d results for k=10", len(rs))
	}
}

func TestSearcher_Filters(t *testing.T) {
	s, _ := newTestSearcher(t)
	ctx := context.Background()
	day := func(d int) time.Time { return time.Date(2024, 3, d, 0, 0, 0, 0, time.UTC) }
	tests := []struct {
		name string
		f    semsearch.Filter
		want string
	}{
		{"author", semsearch.Filter{Author: "bob"}, "car2 car2-copy code"},
		{"tag", semsearch.Filter{Tag: "cars"}, "car car2 car2-copy"},
		{"source", semsearch.Filter{Source: "Blog Ann"}, "car db"},
		{"dates", semsearch.Filter{Since: day(3), Until: day(4)}, "cat db"},
		{"nothing", semsearch.Filter{Tag: "nope"}, ""},
	}
	for _, tt := range tests {
		for _, mode := range []semsearch.Mode{semsearch.ModeHybrid, semsearch.ModeVector} {
			t.Run(tt.name+"/"+string(mode), func(t *testing.T) {
				rs, err := s.Search(ctx, semsearch.Query{Text: "engine notes sqlite kitten", K: 10, Mode: mode, Filter: tt.f})
				if err != nil {
					t.Fatal(err)
				}
				got := resultIDs(rs)
				slices.Sort(got)
				if strings.Join(got, " ") != tt.want {
					t.Fatalf("got %v, want %s", got, tt.want)
				}
			})
		}
	}
}

func TestSearcher_Validation(t *testing.T) {
	s, _ := newTestSearcher(t)
	ctx := context.Background()
	for _, q := range []semsearch.Query{
		{Text: "", K: 5}, {Text: "   ", K: 5}, {Text: "car", K: 0}, {Text: "car", K: 101},
		{Text: "car", K: 5, Mode: "fuzzy"},
		{Text: strings.Repeat("é", semsearch.MaxQueryRunes+1), K: 5},
	} {
		if _, err := s.Search(ctx, q); semsearch.ErrorCode(err) != semsearch.EInvalid {
			t.Errorf("Search(%+v) err = %v, want invalid", q, err)
		}
	}
	if _, err := s.Related(ctx, "car", 0); semsearch.ErrorCode(err) != semsearch.EInvalid {
		t.Errorf("Related k=0: %v", err)
	}
	if _, err := s.Related(ctx, "nope", 5); semsearch.ErrorCode(err) != semsearch.ENotFound {
		t.Errorf("Related missing: %v", err)
	}
	if _, err := s.Similar(ctx, " ", 5); semsearch.ErrorCode(err) != semsearch.EInvalid {
		t.Errorf("Similar empty: %v", err)
	}
	if _, err := s.Similar(ctx, "car", 101); semsearch.ErrorCode(err) != semsearch.EInvalid {
		t.Errorf("Similar k=101: %v", err)
	}
	if _, err := s.Similar(ctx, strings.Repeat("x ", semsearch.MaxTextRunes), 5); semsearch.ErrorCode(err) != semsearch.EInvalid {
		t.Errorf("Similar with a text over the limit: %v", err)
	}
}

func TestSearcher_EmptyIndex(t *testing.T) {
	st, err := index.Open(context.Background(), t.TempDir(), "concept-fake", fakeDims)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s := New(st, conceptEmbedder{})
	for _, mode := range []semsearch.Mode{semsearch.ModeHybrid, semsearch.ModeVector, semsearch.ModeLexical} {
		rs, err := s.Search(context.Background(), semsearch.Query{Text: "car", K: 5, Mode: mode})
		if err != nil || len(rs) != 0 {
			t.Fatalf("%s on empty index: %v %v", mode, rs, err)
		}
	}
}

func TestSearcher_Similar(t *testing.T) {
	s, _ := newTestSearcher(t)
	rs, err := s.Similar(context.Background(), "a feline and her kitten", 2)
	if err != nil {
		t.Fatal(err)
	}
	if got := resultIDs(rs); len(got) == 0 || got[0] != "cat" || len(got) > 2 {
		t.Fatalf("similar = %v, want cat first, at most 2", got)
	}
}

func TestFuse(t *testing.T) {
	vec := []semsearch.Hit{{ChunkID: "a", PostID: "A", Score: 0.9}, {ChunkID: "b", PostID: "B", Score: 0.5}}
	lex := []semsearch.Hit{{ChunkID: "b", PostID: "B", Score: 12}, {ChunkID: "c", PostID: "C", Score: 3}}
	o := DefaultOptions()
	o.Fusion = FusionRRF
	rrf := fuse(o, vec, lex)
	if rrf[0].chunkID != "b" || len(rrf) != 3 {
		t.Fatalf("rrf = %+v, want b (found by both) first", rrf)
	}
	if want := 1.0/62 + 1.0/61; math.Abs(rrf[0].score-want) > 1e-12 {
		t.Fatalf("rrf score of b = %v, want %v", rrf[0].score, want)
	}
	o.Fusion, o.VectorWeight, o.LexicalWeight = FusionBlend, 1, 0.1
	blend := fuse(o, vec, lex)
	// a: 1×1; b: 1×0 + 0.1×1 = 0.1; c: 0.1×0
	if blend[0].chunkID != "a" || blend[1].chunkID != "b" || blend[1].score != 0.1 {
		t.Fatalf("blend = %+v", blend)
	}
}

// Evaluation runs test collections whose queries are longer than the API
// allows; MaxQueryRunes lifts the limit for such a Searcher only.
func TestSearcher_MaxQueryRunesOption(t *testing.T) {
	_, st := newTestSearcher(t)
	long := strings.Repeat("car ", semsearch.MaxQueryRunes/4+10)
	for _, tc := range []struct {
		limit   int
		wantErr bool
	}{{0, true}, {semsearch.MaxQueryRunes, true}, {semsearch.MaxTextRunes, false}} {
		s := NewWithOptions(st, conceptEmbedder{}, Options{MaxQueryRunes: tc.limit})
		rs, err := s.Search(context.Background(), semsearch.Query{Text: long, K: 5, Mode: semsearch.ModeLexical})
		if gotErr := semsearch.ErrorCode(err) == semsearch.EInvalid; gotErr != tc.wantErr || (!tc.wantErr && len(rs) == 0) {
			t.Errorf("limit %d: %d results, err %v; want error %v", tc.limit, len(rs), err, tc.wantErr)
		}
	}
}
