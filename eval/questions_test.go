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
	for _, data := range []string{
		`{"q": "x"}`, `{"rel": {"a": 1}}`, `{"q": `,
		`{"q": "x", "rel": {}}`,                           // empty rel only for unanswerable
		`{"q": "x", "rel": null, "kind": "unanswerable"}`, // rel must be there
		`{"q": "x", "rel": {"a": 2}, "kind": "unanswerable"}`,
		`{"q": "x", "rel": {}, "kind": "unanswerable", "answer": "y"}`,
		`{"q": "x", "rel": {"a": 2}, "answer": " \t "}`,
	} {
		if err := os.WriteFile(bad, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadQuestions(bad); err == nil {
			t.Errorf("%s: no error", data)
		}
	}
}

func TestLoadQuestions_Answers(t *testing.T) {
	path := filepath.Join(t.TempDir(), "answers.jsonl")
	data := `{"q": "a", "rel": {"A": 2}, "answer": "the phrase", "kind": "paraphrase"}
{"q": "b", "rel": {}, "kind": "unanswerable"}
`
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	qs, err := LoadQuestions(path)
	if err != nil {
		t.Fatal(err)
	}
	want := []Question{
		{Q: "a", Rel: map[string]int{"A": 2}, Answer: "the phrase", Kind: "paraphrase"},
		{Q: "b", Rel: map[string]int{}, Kind: Unanswerable},
	}
	if !reflect.DeepEqual(qs, want) {
		t.Errorf("got %+v, want %+v", qs, want)
	}
}

func TestLoadQuestions_AnswerSeeds(t *testing.T) {
	qs, err := LoadQuestions(filepath.Join(sharedDir(t), "eval", "seed_answer_questions.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, q := range qs {
		if q.Kind == Unanswerable {
			n++
		} else if q.Answer == "" {
			t.Errorf("%q: no answer phrase", q.Q)
		}
	}
	if len(qs) < 40 || n == 0 {
		t.Errorf("%d questions, %d unanswerable", len(qs), n)
	}
}

func TestAnswerIn(t *testing.T) {
	tests := []struct {
		text, phrase string
		want         bool
	}{
		{"You fetch one more than\nyou need.", "you fetch one MORE than you need", true},
		{"the \ufb01le system", "file system", true}, // NFKC: the ligature is "fi"
		{"ＡＰＩ keys", "api keys", true},               // NFKC: full-width letters
		{"one  more", "one more than", false},
		{"anything", "  ", false},
	}
	for _, tt := range tests {
		if got := AnswerIn(tt.text, tt.phrase); got != tt.want {
			t.Errorf("AnswerIn(%q, %q) = %v, want %v", tt.text, tt.phrase, got, tt.want)
		}
	}
}

func TestScoreAnswers(t *testing.T) {
	qs := []Question{
		{Q: "1", Rel: map[string]int{"A": 2}, Answer: "alpha fact", Kind: "fact"},
		{Q: "2", Rel: map[string]int{"B": 2}, Answer: "beta fact", Kind: "fact"},
		{Q: "3", Rel: map[string]int{}, Kind: Unanswerable},
		{Q: "4", Rel: map[string]int{}, Kind: Unanswerable},
	}
	a := semsearch.Post{ID: "a", Title: "A"}
	b := semsearch.Post{ID: "b", Title: "B"}
	outcomes := []AnswerOutcome{
		// Right post first, phrase in the first sentence and the passage.
		{Answered: true, Sentences: []string{"The Alpha fact."}, Posts: []semsearch.Post{a, b}, Passages: []string{"x alpha  fact"}},
		// Right post second, phrase in the third sentence, not the passages.
		{Answered: true, Sentences: []string{"no", "no", "a beta fact"}, Posts: []semsearch.Post{a, b}, Passages: []string{"no"}},
		{Answered: false, Posts: []semsearch.Post{a}},
		{Answered: true, Sentences: []string{"wrong"}, Posts: []semsearch.Post{b}},
	}
	rep := ScoreAnswers(qs, outcomes)
	if len(rep.Kinds) != 2 || rep.Kinds[0].Kind != "fact" || rep.Kinds[1].Kind != Unanswerable {
		t.Fatalf("kinds %+v", rep.Kinds)
	}
	fact, un, all := rep.Kinds[0], rep.Kinds[1], rep.Overall
	for _, c := range []struct {
		name string
		got  *float64
		want float64
	}{
		{"fact mrr", fact.MRR10, 0.75},
		{"fact answer@1", fact.Answer1, 0.5},
		{"fact answer@3", fact.Answer3, 1},
		{"fact passage", fact.PassageAnswer1, 0.5},
		{"fact answered", fact.Answered, 1},
		{"unanswerable recall", un.AbstainRecall, 0.5},
		{"unanswerable precision", un.AbstainPrecision, 1},
		{"all precision", all.AbstainPrecision, 1},
		{"all recall", all.AbstainRecall, 0.5},
		{"all answer@1", all.Answer1, 0.5},
	} {
		if c.got == nil || !near(*c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.name, deref(c.got), c.want)
		}
	}
	if un.MRR10 != nil || un.Answer1 != nil || fact.AbstainRecall != nil {
		t.Errorf("metrics without questions to score are not nil: %+v %+v", un, fact)
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func FuzzLoadQuestions(f *testing.F) {
	f.Add([]byte(`{"q": "a", "rel": {"A": 2}, "answer": "x", "kind": "paraphrase"}`))
	f.Add([]byte(`{"q": "b", "rel": {}, "kind": "unanswerable"}`))
	f.Add([]byte("{\"q\": \"a\", \"rel\": {\"A\": 1}}\n\n{"))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "q.jsonl")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		qs, err := LoadQuestions(path)
		if err != nil {
			return
		}
		for _, q := range qs {
			if q.check() != nil {
				t.Errorf("loaded a question that fails its check: %+v", q)
			}
		}
	})
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
