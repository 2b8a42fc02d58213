package eval

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/semsearch/semsearch"
)

// Question is one seed question: the text asked and the posts that answer
// it, each named by its title or by a distinctive phrase of its text, mapped
// to a grade (2 = answers it, 1 = related). Answer, when set, is a phrase
// of the sentence that answers it (see AnswerIn); Kind names the kind of
// question (paraphrase, recency, ...). A question of kind Unanswerable has
// an empty Rel: nothing in the posts answers it.
type Question struct {
	Q      string         `json:"q"`
	Rel    map[string]int `json:"rel"`
	Answer string         `json:"answer,omitempty"`
	Kind   string         `json:"kind,omitempty"`
}

// Unanswerable is the Kind of a question that no post answers.
const Unanswerable = "unanswerable"

// LoadQuestions reads a JSON-lines file of questions
// ({"q": "...", "rel": {"title or phrase": grade}, "answer": "...",
// "kind": "..."}), in file order. Every question needs "q" and "rel"; "rel"
// may be {} only for kind "unanswerable", which must then have no answer.
func LoadQuestions(path string) ([]Question, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load questions: %w", err)
	}
	defer f.Close()
	var qs []Question
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for line := 1; sc.Scan(); line++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var q Question
		if err := json.Unmarshal(sc.Bytes(), &q); err != nil {
			return nil, fmt.Errorf("load questions %s:%d: %w", path, line, err)
		}
		if err := q.check(); err != nil {
			return nil, fmt.Errorf("load questions %s:%d: %w", path, line, err)
		}
		qs = append(qs, q)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("load questions %s: %w", path, err)
	}
	return qs, nil
}

func (q Question) check() error {
	switch {
	case strings.TrimSpace(q.Q) == "":
		return errors.New(`want a non-empty "q"`)
	case q.Rel == nil:
		return errors.New(`want a "rel" object ({} for an unanswerable question)`)
	case q.Kind == Unanswerable && (scored(q.Rel) || q.Answer != ""):
		return errors.New(`an unanswerable question has "rel": {} and no "answer"`)
	case q.Kind != Unanswerable && len(q.Rel) == 0:
		return errors.New(`want a non-empty "rel" (or "kind": "unanswerable")`)
	case q.Answer != "" && fold(q.Answer) == "":
		return errors.New(`"answer" has no words`)
	}
	return nil
}

// Matches reports whether post p is the one rel key names: its title
// equals key, or its text contains key as a phrase. Both comparisons ignore
// case and collapse runs of white space.
func Matches(p semsearch.Post, key string) bool {
	k := normalize(key)
	if k == "" {
		return false
	}
	return normalize(p.Title) == k || strings.Contains(normalize(p.Text), k)
}

func normalize(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(s)), " ")
}

// PostSearchFunc returns the k best posts for text, best first, with their
// Title and Text filled in.
type PostSearchFunc func(ctx context.Context, text string, k int) ([]semsearch.Post, error)

// EvaluateQuestions runs every question through search (k = Depth) and
// scores the rankings at post level; see ScoreQuestions.
func EvaluateQuestions(ctx context.Context, qs []Question, search PostSearchFunc) (Report, error) {
	results := make([][]semsearch.Post, len(qs))
	for i, q := range qs {
		if err := ctx.Err(); err != nil {
			return Report{}, err
		}
		posts, err := search(ctx, q.Q, Depth)
		if err != nil {
			return Report{}, fmt.Errorf("evaluate question %q: %w", q.Q, err)
		}
		results[i] = posts
	}
	return ScoreQuestions(qs, results), nil
}

// ScoreQuestions scores results[i], the ranked posts for qs[i]. Each rel key
// is a judged "document": a post earns the best grade among the keys it
// matches that no earlier post has matched, so a key is credited once and
// nDCG stays within [0, 1]. Report.Dataset is "questions".
func ScoreQuestions(qs []Question, results [][]semsearch.Post) Report {
	acc := accumulator{r: Report{Dataset: "questions"}}
	for i, q := range qs {
		if !scored(q.Rel) {
			continue
		}
		var posts []semsearch.Post
		if i < len(results) {
			posts = results[i]
		}
		ranked := make([]string, len(posts))
		credited := map[string]bool{}
		for j, p := range posts {
			ranked[j] = "\x00post " + p.ID // an id no rel key can equal
			best := ""
			for key, g := range q.Rel {
				if g <= 0 || credited[key] || !Matches(p, key) {
					continue
				}
				// Best grade first; equal grades by key, so the outcome
				// does not depend on map order.
				if best == "" || g > q.Rel[best] || (g == q.Rel[best] && key < best) {
					best = key
				}
			}
			if best != "" {
				credited[best] = true
				ranked[j] = best
			}
		}
		acc.add(NDCG(ranked, q.Rel, 10), ReciprocalRank(ranked, q.Rel, 10),
			Recall(ranked, q.Rel, 10), Recall(ranked, q.Rel, 100))
	}
	return acc.report()
}
