package eval

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/semsearch/semsearch"
)

func TestLoadQuestions(t *testing.T) {
	qs, err := LoadQuestions(filepath.Join("testdata", "questions.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Question{
		{Q: "what is a rope", Rel: map[string]int{"Text Editor Data Structures": 2}},
		{Q: "kubernetes controllers", Rel: map[string]int{"Kubernetes operators": 2, "a webhook is an HTTP callback": 1}},
	}
	if !reflect.DeepEqual(qs, want) {
		t.Errorf("got %+v, want %+v", qs, want)
	}
	bad := filepath.Join(t.TempDir(), "bad.jsonl")
	for _, data := range []string{`{"q": "x"}`, `{"rel": {"a": 1}}`, `{"q": `} {
		if err := os.WriteFile(bad, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadQuestions(bad); err == nil {
			t.Errorf("%s: no error", data)
		}
	}
}

func TestLoadQuestions_Seeds(t *testing.T) {
	qs, err := LoadQuestions(filepath.Join(sharedDir(t), "eval", "seed_dev_questions.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if len(qs) < 10 {
		t.Errorf("%d seed questions, want at least 10", len(qs))
	}
}

func TestMatches(t *testing.T) {
	p := semsearch.Post{ID: "x", Title: "Kubernetes  Operators", Text: "Intro.\n\nA webhook is an\nHTTP callback."}
	tests := []struct {
		key  string
		want bool
	}{
		{"kubernetes operators", true},        // title, case and spaces folded
		{"Kubernetes", false},                 // a title must match whole
		{"webhook is an HTTP callback", true}, // a phrase of the text, across a line break
		{"webhook is a callback", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := Matches(p, tt.key); got != tt.want {
			t.Errorf("Matches(%q) = %v, want %v", tt.key, got, tt.want)
		}
	}
}

func TestScoreQuestions(t *testing.T) {
	qs := []Question{
		{Q: "a", Rel: map[string]int{"Alpha": 2, "beta phrase": 1}},
		{Q: "b", Rel: map[string]int{"Gamma": 2}},
		{Q: "c", Rel: map[string]int{"Delta": 0}}, // nothing relevant: not scored
	}
	alpha := semsearch.Post{ID: "1", Title: "Alpha", Text: "has the beta phrase too"}
	alpha2 := semsearch.Post{ID: "2", Title: "alpha", Text: "a second post titled alpha"}
	beta := semsearch.Post{ID: "3", Title: "B", Text: "the Beta Phrase"}
	other := semsearch.Post{ID: "4", Title: "Other", Text: "nothing"}
	gamma := semsearch.Post{ID: "5", Title: "Gamma", Text: ""}
	results := [][]semsearch.Post{
		// alpha takes grade 2 (its best key); alpha2 matches only the
		// already credited "Alpha"; beta takes the phrase at rank 3.
		{alpha, alpha2, beta},
		{other, other, gamma},
		{other},
	}
	got := ScoreQuestions(qs, results)
	ndcg1 := (2 + 1/math.Log2(4)) / (2 + 1/math.Log2(3))
	want := Report{
		Dataset: "questions", Queries: 2,
		NDCG10:   (ndcg1 + 2/math.Log2(4)/2) / 2,
		MRR10:    (1 + 1.0/3) / 2,
		Recall10: 1, Recall100: 1,
	}
	if got.Queries != want.Queries || got.Dataset != want.Dataset ||
		!near(got.NDCG10, want.NDCG10) || !near(got.MRR10, want.MRR10) ||
		!near(got.Recall10, want.Recall10) || !near(got.Recall100, want.Recall100) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestEvaluateQuestions_PassesErrors(t *testing.T) {
	boom := errors.New("boom")
	_, err := EvaluateQuestions(context.Background(), []Question{{Q: "a", Rel: map[string]int{"A": 1}}},
		func(context.Context, string, int) ([]semsearch.Post, error) { return nil, boom })
	if !errors.Is(err, boom) {
		t.Errorf("err = %v, want boom", err)
	}
}

func TestEvaluate_UsesSearchOrder(t *testing.T) {
	ds, err := LoadBEIR(filepath.Join("testdata", "tiny"))
	if err != nil {
		t.Fatal(err)
	}
	var asked []string
	search := func(_ context.Context, text string, k int) ([]string, error) {
		if k != Depth {
			t.Errorf("k = %d, want %d", k, Depth)
		}
		asked = append(asked, text)
		if text == "ropes" {
			return []string{"d1", "2"}, nil
		}
		return []string{"d3", "d1"}, nil
	}
	got, err := Evaluate(context.Background(), ds, search)
	if err != nil {
		t.Fatal(err)
	}
	// q1: grades 1, 2 at ranks 1, 2 against ideal 2, 1; query 2: rank 2.
	q1 := (1 + 2/math.Log2(3)) / (2 + 1/math.Log2(3))
	want := Report{Dataset: "tiny", Queries: 2, NDCG10: (q1 + 1/math.Log2(3)) / 2,
		MRR10: (1 + 0.5) / 2, Recall10: 1, Recall100: 1}
	if len(asked) != 2 || got.Queries != want.Queries || !near(got.NDCG10, want.NDCG10) ||
		!near(got.MRR10, want.MRR10) || !near(got.Recall10, want.Recall10) {
		t.Errorf("got %+v, want %+v (asked %v)", got, want, asked)
	}
}
