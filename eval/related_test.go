package eval

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/semsearch/semsearch"
)

func TestLoadRelated(t *testing.T) {
	js, err := LoadRelated(filepath.Join("testdata", "related.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	want := []RelatedJudgment{
		{Post: "Text Editor Data Structures", Related: map[string]int{"Ropes in practice": 2, "a piece table keeps the original": 1}},
		{Post: "Kubernetes operators", Related: map[string]int{"a webhook is an HTTP callback": 2}},
	}
	if !reflect.DeepEqual(js, want) {
		t.Errorf("got %+v, want %+v", js, want)
	}
	bad := filepath.Join(t.TempDir(), "bad.jsonl")
	for _, data := range []string{`{"post": "x"}`, `{"related": {"a": 1}}`, `{"post": " ", "related": {"a": 1}}`, `{"post": `} {
		if err := os.WriteFile(bad, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadRelated(bad); err == nil {
			t.Errorf("%s: no error", data)
		}
	}
}

func TestLoadRelated_Seeds(t *testing.T) {
	js, err := LoadRelated(filepath.Join(sharedDir(t), "eval", "seed_related.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if len(js) < 20 {
		t.Errorf("%d related judgments, want at least 20", len(js))
	}
}

func TestResolve(t *testing.T) {
	posts := []semsearch.Post{
		{ID: "1", Title: "Ropes", Text: "a rope is a tree of strings"},
		{ID: "2", Title: "Piece tables", Text: "unlike ropes, a piece table keeps the original"},
		{ID: "3", Title: "Gap buffers", Text: "a gap buffer keeps the original too"},
	}
	tests := []struct {
		needle, want string
		err          bool
	}{
		{needle: "ropes", want: "1"},               // a title wins over the phrase in post 2
		{needle: "tree  of strings", want: "1"},    // a phrase, spaces folded
		{needle: "Piece Tables", want: "2"},        // case folded
		{needle: "keeps the original", err: true},  // two posts
		{needle: "nothing like this", err: true},   // none
		{needle: "a piece table keeps", want: "2"}, // phrase
		{needle: "Gap buffers", want: "3"},
	}
	for _, tt := range tests {
		got, err := Resolve(posts, tt.needle)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("Resolve(%q) = %q, %v; want %q, error %v", tt.needle, got, err, tt.want, tt.err)
		}
	}
}

func TestEvaluateRelated(t *testing.T) {
	posts := []semsearch.Post{
		{ID: "t", Title: "Target"},
		{ID: "a", Title: "Alpha"},
		{ID: "b", Title: "Beta"},
		{ID: "c", Title: "Gamma", Text: "the gamma phrase"},
		{ID: "x", Title: "Other"},
		{ID: "u", Title: "Second target"},
	}
	js := []RelatedJudgment{
		{Post: "Target", Related: map[string]int{"Alpha": 2, "Beta": 1, "gamma phrase": 1}},
		{Post: "Second target", Related: map[string]int{"Alpha": 1}},
	}
	runs := map[string][]string{
		"t": {"x", "a", "t", "c", "x"}, // the target itself at rank 3; a repeated id counts once
		"u": {},
	}
	var asked []string
	got, err := EvaluateRelated(context.Background(), "sys", js, posts, func(_ context.Context, id string, k int) ([]string, error) {
		if k != RelatedK {
			t.Errorf("k = %d, want %d", k, RelatedK)
		}
		asked = append(asked, id)
		return runs[id], nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Ranked x, a, t, c: gains 0, 2, 0, 1 against the ideal 2, 1, 1.
	dcg := 2/math.Log2(3) + 1/math.Log2(5)
	idcg := 2 + 1/math.Log2(3) + 1/math.Log2(4)
	want := RelatedScores{
		System: "sys", NDCG5: dcg / idcg / 2, P5: 2.0 / 5 / 2,
		Strong5: 1, // the only target with a grade-2 post has it in its top 5
		Self:    1, Empty: 1, Targets: 2,
	}
	if !slices.Equal(asked, []string{"t", "u"}) {
		t.Errorf("asked %v, want [t u]", asked)
	}
	if got.System != want.System || !near(got.NDCG5, want.NDCG5) || !near(got.P5, want.P5) ||
		!near(got.Strong5, want.Strong5) || got.Self != want.Self || got.Empty != want.Empty || got.Targets != want.Targets {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestEvaluateRelated_Errors(t *testing.T) {
	posts := []semsearch.Post{{ID: "t", Title: "Target"}, {ID: "a", Title: "Alpha"}}
	ok := func(context.Context, string, int) ([]string, error) { return nil, nil }
	for _, js := range [][]RelatedJudgment{
		{{Post: "Missing", Related: map[string]int{"Alpha": 1}}},
		{{Post: "Target", Related: map[string]int{"Missing": 1}}},
	} {
		_, err := EvaluateRelated(context.Background(), "", js, posts, ok)
		var se *semsearch.Error
		if !errors.As(err, &se) || se.Code != semsearch.EInvalid || !strings.Contains(err.Error(), "Missing") {
			t.Errorf("%+v: err = %v, want an invalid error naming the needle", js, err)
		}
	}
	boom := errors.New("boom")
	_, err := EvaluateRelated(context.Background(), "", []RelatedJudgment{{Post: "Target", Related: map[string]int{"Alpha": 1}}}, posts,
		func(context.Context, string, int) ([]string, error) { return nil, boom })
	if !errors.Is(err, boom) {
		t.Errorf("err = %v, want boom", err)
	}
}

func TestTFIDF_Related(t *testing.T) {
	posts := []semsearch.Post{
		{ID: "rope", Title: "Ropes", Text: "A rope is a balanced tree of string pieces; rope concatenation is cheap.", ContentHash: "h1"},
		{ID: "rope-copy", Title: "Ropes", Text: "A rope is a balanced tree of string pieces; rope concatenation is cheap.", ContentHash: "h1"},
		{ID: "piece", Title: "Piece tables", Text: "A piece table keeps string pieces of the original buffer and an add buffer.", ContentHash: "h2"},
		{ID: "bread", Title: "Sourdough", Text: "Flour, water and salt; the starter ferments overnight.", ContentHash: "h3"},
	}
	tf := NewTFIDF(posts)
	got := tf.Related("rope", 3)
	if !slices.Equal(got, []string{"piece", "bread"}) {
		t.Errorf("Related(rope) = %v, want [piece bread] (no self, no same-content copy)", got)
	}
	if got := tf.Related("piece", 1); !slices.Equal(got, []string{"rope"}) {
		t.Errorf("Related(piece, 1) = %v, want [rope] (ties by ID)", got)
	}
	if got := tf.Related("unknown", 3); got != nil {
		t.Errorf("Related(unknown) = %v, want nil", got)
	}
}

// fakeRelatedEngine serves fixed related lists over fixed posts.
type fakeRelatedEngine struct {
	posts   []semsearch.Post
	related map[string][]string
}

func (f *fakeRelatedEngine) Related(_ context.Context, id string, k int) ([]semsearch.Result, error) {
	var out []semsearch.Result
	for _, r := range f.related[id] {
		out = append(out, semsearch.Result{ID: r})
	}
	return out[:min(k, len(out))], nil
}

func (f *fakeRelatedEngine) PostIDs(context.Context) ([]string, error) {
	var ids []string
	for _, p := range f.posts {
		ids = append(ids, p.ID)
	}
	return ids, nil
}

func (f *fakeRelatedEngine) Post(_ context.Context, id string) (semsearch.Post, error) {
	for _, p := range f.posts {
		if p.ID == id {
			return p, nil
		}
	}
	return semsearch.Post{}, semsearch.Errorf(semsearch.ENotFound, "post %q not found", id)
}

func TestRunRelated(t *testing.T) {
	eng := &fakeRelatedEngine{
		posts: []semsearch.Post{
			{ID: "ed", Title: "Text Editor Data Structures", Text: "gap buffers, ropes and piece tables for text editors"},
			{ID: "rope", Title: "Ropes in practice", Text: "ropes for text editors: a balanced tree of pieces"},
			{ID: "piece", Title: "Piece tables", Text: "a piece table keeps the original text of editors"},
			{ID: "k8s", Title: "Kubernetes operators", Text: "an operator reconciles custom resources"},
			{ID: "hook", Title: "Webhooks", Text: "a webhook is an HTTP callback the API server calls"},
		},
		related: map[string][]string{"ed": {"rope", "piece"}, "k8s": {"hook"}},
	}
	rep, err := RunRelated(context.Background(), filepath.Join("testdata", "related.jsonl"), eng)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Dataset != "related" || len(rep.Systems) != 2 || rep.Systems[0].System != "related" || rep.Systems[1].System != "tfidf" {
		t.Fatalf("report %+v, want the related system then tfidf", rep)
	}
	if s := rep.Systems[0]; !near(s.NDCG5, 1) || s.Targets != 2 {
		t.Errorf("related scores %+v, want nDCG@5 1 over 2 targets", s)
	}
	if s := rep.Systems[1]; s.Targets != 2 || s.Self != 0 {
		t.Errorf("tfidf scores %+v, want 2 targets and never the target", s)
	}
}

func FuzzLoadRelated(f *testing.F) {
	f.Add([]byte(`{"post": "A", "related": {"B": 2, "c phrase": 1}}`))
	f.Add([]byte("{\"post\": \"A\", \"related\": {\"B\": 1}}\n\n{"))
	f.Add([]byte(`{"post": "A", "related": {}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "r.jsonl")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		js, err := LoadRelated(path)
		if err != nil {
			return
		}
		for _, j := range js {
			if strings.TrimSpace(j.Post) == "" || len(j.Related) == 0 {
				t.Errorf("loaded a judgment without a post or related posts: %+v", j)
			}
		}
		// Any loaded judgments score within [0, 1] against any posts.
		posts := []semsearch.Post{{ID: "1", Title: "A"}, {ID: "2", Title: "B"}}
		s, err := EvaluateRelated(context.Background(), "", js, posts, func(context.Context, string, int) ([]string, error) {
			return []string{"2", "1"}, nil
		})
		if err == nil && (s.NDCG5 < 0 || s.NDCG5 > 1+1e-9 || s.P5 < 0 || s.P5 > 1 || s.Strong5 < 0 || s.Strong5 > 1+1e-9) {
			t.Errorf("scores out of [0, 1]: %+v", s)
		}
	})
}
