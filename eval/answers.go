package eval

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/semsearch/semsearch"
)

// AnswerEngine is what an answer evaluation needs: ask (which also returns
// the search results of the question) and the stored posts, to match "rel"
// titles and phrases. *app.App satisfies it.
type AnswerEngine interface {
	Ask(ctx context.Context, q semsearch.Query) (semsearch.Answer, error)
	Post(ctx context.Context, id string) (semsearch.Post, error)
}

// AnswerOutcome is what one question got.
type AnswerOutcome struct {
	Answered  bool
	Sentences []string         // the answer's sentences, best first
	Posts     []semsearch.Post // the ranked results
	Passages  []string         // the passages shown for the first result
}

// KindReport scores the questions of one kind (or all of them). A metric
// is nil when no question of the kind can be scored by it.
type KindReport struct {
	Kind      string `json:"kind"`
	Questions int    `json:"questions"`
	// MRR10 is post-level MRR@10 over the questions with a relevant post.
	MRR10 *float64 `json:"mrr@10"`
	// Answer1 and Answer3: share of the questions with an answer phrase
	// whose phrase is in the first answer sentence, or one of the first
	// three; an abstention (answered:false) shows no sentence.
	Answer1 *float64 `json:"answer@1"`
	Answer3 *float64 `json:"answer@3"`
	// PassageAnswer1: the phrase is in a passage shown for the first
	// search result.
	PassageAnswer1 *float64 `json:"passage_answer@1"`
	// Answered is the share of answerable questions answered:true.
	Answered *float64 `json:"answered"`
	// AbstainPrecision is the share of abstentions that were on
	// unanswerable questions, AbstainRecall the share of unanswerable
	// questions abstained on.
	AbstainPrecision *float64 `json:"abstain_precision"`
	AbstainRecall    *float64 `json:"abstain_recall"`
}

// AnswersReport is the `eval --questions` answer report: per kind (in
// order of first appearance in the file) and overall.
type AnswersReport struct {
	Mode    string       `json:"mode"`
	Kinds   []KindReport `json:"kinds"`
	Overall KindReport   `json:"overall"`
	// AskP50MS and AskP99MS are the wall-clock latencies of the Ask calls.
	AskP50MS float64 `json:"ask_p50_ms"`
	AskP99MS float64 `json:"ask_p99_ms"`
}

// HasAnswers reports whether any question carries an answer phrase or a
// kind, so that the answer report applies.
func HasAnswers(qs []Question) bool {
	return slices.ContainsFunc(qs, func(q Question) bool { return q.Answer != "" || q.Kind != "" })
}

// ScoreAnswers scores outcomes[i], what qs[i] got.
func ScoreAnswers(qs []Question, outcomes []AnswerOutcome) AnswersReport {
	var kinds []string
	byKind := map[string][]int{}
	for i, q := range qs {
		k := q.Kind
		if k == "" {
			k = "other"
		}
		if _, ok := byKind[k]; !ok {
			kinds = append(kinds, k)
		}
		byKind[k] = append(byKind[k], i)
	}
	all := make([]int, len(qs))
	for i := range all {
		all[i] = i
	}
	var rep AnswersReport
	for _, k := range kinds {
		rep.Kinds = append(rep.Kinds, scoreKind(k, byKind[k], qs, outcomes))
	}
	rep.Overall = scoreKind("all", all, qs, outcomes)
	return rep
}

func scoreKind(kind string, idx []int, qs []Question, outcomes []AnswerOutcome) KindReport {
	var (
		sub                                 []Question
		posts                               [][]semsearch.Post
		withAnswer, at1, at3, passage1      int
		answerable, answered                int
		unanswerable, abstainedRight, wrong int
	)
	for _, i := range idx {
		q, o := qs[i], AnswerOutcome{}
		if i < len(outcomes) {
			o = outcomes[i]
		}
		sub = append(sub, q)
		posts = append(posts, o.Posts)
		if q.Kind == Unanswerable {
			unanswerable++
			if !o.Answered {
				abstainedRight++
			}
			continue
		}
		answerable++
		if o.Answered {
			answered++
		} else {
			wrong++
		}
		if q.Answer == "" {
			continue
		}
		withAnswer++
		if len(o.Sentences) > 0 && AnswerIn(o.Sentences[0], q.Answer) {
			at1++
		}
		if slices.ContainsFunc(o.Sentences[:min(3, len(o.Sentences))], func(s string) bool { return AnswerIn(s, q.Answer) }) {
			at3++
		}
		if slices.ContainsFunc(o.Passages, func(s string) bool { return AnswerIn(s, q.Answer) }) {
			passage1++
		}
	}
	r := KindReport{Kind: kind, Questions: len(idx)}
	if pr := ScoreQuestions(sub, posts); pr.Queries > 0 {
		r.MRR10 = &pr.MRR10
	}
	r.Answer1 = ratio(at1, withAnswer)
	r.Answer3 = ratio(at3, withAnswer)
	r.PassageAnswer1 = ratio(passage1, withAnswer)
	r.Answered = ratio(answered, answerable)
	r.AbstainPrecision = ratio(abstainedRight, abstainedRight+wrong)
	r.AbstainRecall = ratio(abstainedRight, unanswerable)
	return r
}

func ratio(n, d int) *float64 {
	if d == 0 {
		return nil
	}
	v := float64(n) / float64(d)
	return &v
}

// EvaluateAnswers asks every question of qs (k results each) and scores
// the answers; see ScoreAnswers.
func EvaluateAnswers(ctx context.Context, qs []Question, mode semsearch.Mode, k int, eng AnswerEngine) (AnswersReport, error) {
	if mode == "" {
		mode = semsearch.ModeHybrid
	}
	if k == 0 {
		k = semsearch.DefaultK
	}
	cache := map[string]semsearch.Post{}
	outcomes := make([]AnswerOutcome, len(qs))
	took := make([]time.Duration, len(qs))
	for i, q := range qs {
		if err := ctx.Err(); err != nil {
			return AnswersReport{}, err
		}
		start := time.Now()
		a, err := eng.Ask(ctx, semsearch.Query{Text: q.Q, K: k, Mode: mode})
		took[i] = time.Since(start)
		if err != nil {
			return AnswersReport{}, fmt.Errorf("ask %q: %w", q.Q, err)
		}
		o := AnswerOutcome{Answered: a.Answered}
		for _, s := range a.Sentences {
			o.Sentences = append(o.Sentences, s.Text)
		}
		for j, r := range a.Results {
			p, ok := cache[r.ID]
			if !ok {
				if p, err = eng.Post(ctx, r.ID); err != nil {
					return AnswersReport{}, fmt.Errorf("post %s: %w", r.ID, err)
				}
				cache[r.ID] = p
			}
			o.Posts = append(o.Posts, p)
			if j == 0 {
				for _, ps := range r.Passages {
					o.Passages = append(o.Passages, ps.Text)
				}
			}
		}
		outcomes[i] = o
	}
	rep := ScoreAnswers(qs, outcomes)
	rep.Mode = string(mode)
	rep.AskP50MS, rep.AskP99MS = percentileMS(took, 0.5), percentileMS(took, 0.99)
	return rep, nil
}

// percentileMS is the nearest-rank percentile p of ds, in milliseconds.
func percentileMS(ds []time.Duration, p float64) float64 {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(math.Ceil(p*float64(len(s)))) - 1
	return float64(s[max(0, i)].Microseconds()) / 1000
}
