// Command tune fits the answer stage on the dev questions: it scores every
// candidate sentence of every question once (all of them embedded), then
// searches sentence weights for answer@1 (printing the best, and
// answer.DefaultWeights with a few answer-type weights, for comparison) and
// fits the confidence calibration (a logistic regression with a
// non-negative slope) for answer.DefaultWeights, printing the Go literal
// for answer.DefaultCalibration.
//
//	go run ./answer/tune --work /tmp/seeds-index --models models \
//	    --questions ../shared/eval/seed_answer_questions.jsonl [--dump]
//
// --work is an index of the seed posts built by `semsearch eval --questions`.
package main

import (
	"context"
	"flag"
	"fmt"
	"math"
	"os"
	"sort"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/answer"
	"github.com/semsearch/semsearch/embed/local"
	"github.com/semsearch/semsearch/eval"
	"github.com/semsearch/semsearch/index"
	"github.com/semsearch/semsearch/search"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "tune:", err)
		os.Exit(1)
	}
}

// question is one dev question's candidates, scored once.
type question struct {
	q     eval.Question
	cands []answer.Candidate
	right []bool // cands[i] holds the answer phrase
}

func run() error {
	work := flag.String("work", "", "seed index directory (required)")
	questions := flag.String("questions", "", "answer questions file (required)")
	models := flag.String("models", "models", "local model weights directory")
	dump := flag.Bool("dump", false, "print each question's best candidates")
	chunks := flag.Int("chunks", 0, "chunks per post (0: the default)")
	posts := flag.Int("posts", 0, "posts quoted from (0: the default)")
	flag.Parse()
	if *work == "" || *questions == "" {
		flag.Usage()
		return fmt.Errorf("need --work and --questions")
	}
	ctx := context.Background()
	st, err := index.Open(ctx, *work, "", 0)
	if err != nil {
		return err
	}
	defer st.Close()
	model, _ := st.Model()
	m, err := local.Open(*models, model, local.Options{})
	if err != nil {
		return err
	}
	defer m.Close()
	qs, err := eval.LoadQuestions(*questions)
	if err != nil {
		return err
	}
	a := answer.New(search.New(st, m), st, m, answer.Options{MaxEmbedded: 1000, ChunksPerPost: *chunks, Posts: *posts,
		Weights: answer.Weights{Cosine: 1, Window: 1}}) // Window set: every feature computed
	var all []question
	for _, q := range qs {
		sc, err := a.Score(ctx, semsearch.Query{Text: q.Q, K: semsearch.DefaultK})
		if err != nil {
			return err
		}
		qq := question{q: q, cands: sc.Sentences}
		for _, c := range sc.Sentences {
			qq.right = append(qq.right, q.Answer != "" && eval.AnswerIn(c.Text, q.Answer))
		}
		all = append(all, qq)
	}
	pool := 0
	for _, q := range all {
		for _, r := range q.right {
			if r {
				pool++
				break
			}
		}
	}
	fmt.Printf("questions with the answer among the candidates: %d of %d\n", pool, len(all))
	var un, ans []float64
	for _, q := range all {
		best := 0.0
		for _, c := range q.cands {
			best = max(best, c.Features.Cosine)
		}
		if q.q.Kind == eval.Unanswerable {
			un = append(un, best)
		} else {
			ans = append(ans, best)
		}
	}
	sort.Float64s(un)
	sort.Float64s(ans)
	fmt.Printf("best sentence cosine: unanswerable %.3f\n  answerable %.3f\n", un, ans)

	best, bestAt1 := answer.DefaultWeights, -1.0
	for _, wl := range []float64{-0.4, -0.2, -0.1, 0, 0.1, 0.3} {
		for _, wp := range []float64{0, 0.1, 0.2, 0.4, 0.8} {
			for _, wc := range []float64{0, 0.1, 0.2, 0.4} {
				for _, wprev := range []float64{0, 0.2, 0.4} {
					for _, wwin := range []float64{0, 0.5, 1, 2} {
						for _, wcos := range []float64{0, 0.5, 1} {
							if wcos == 0 && wwin == 0 {
								continue
							}
							for _, wtype := range []float64{0, 0.05, 0.1, 0.2} {
								w := answer.Weights{Cosine: wcos, Lexical: wl, Post: wp, Chunk: wc, Prev: wprev, Window: wwin, Type: wtype}
								if at1 := answerAt1(all, w); at1 > bestAt1+1e-9 {
									best, bestAt1 = w, at1
								}
							}
						}
					}
				}
			}
		}
	}
	fmt.Printf("default weights %+v: answer@1 %.4f\n", answer.DefaultWeights, answerAt1(all, answer.DefaultWeights))
	fmt.Printf("best weights    %+v: answer@1 %.4f\n", best, bestAt1)
	for _, wt := range []float64{0.05, 0.1, 0.2, 0.3} {
		w := answer.DefaultWeights
		w.Type = wt
		fmt.Printf("default weights, Type %.2f: answer@1 %.4f\n", wt, answerAt1(all, w))
	}
	if *dump {
		dumpAll(all, answer.DefaultWeights)
	}
	// The calibration is fitted for the weights in use.
	return fitCalibration(all, answer.DefaultWeights)
}

// rerank orders a question's candidates under w, best first (indexes).
func rerank(q question, w answer.Weights) []int {
	idx := make([]int, len(q.cands))
	s := make([]float64, len(q.cands))
	for i, c := range q.cands {
		idx[i] = i
		s[i] = answer.ScoreWith(w, c.Features)
	}
	sort.SliceStable(idx, func(a, b int) bool { return s[idx[a]] > s[idx[b]] })
	return idx
}

func answerAt1(all []question, w answer.Weights) float64 {
	n, hit := 0, 0
	for _, q := range all {
		if q.q.Answer == "" {
			continue
		}
		n++
		if idx := rerank(q, w); len(idx) > 0 && q.right[idx[0]] {
			hit++
		}
	}
	return float64(hit) / float64(max(1, n))
}

func dumpAll(all []question, w answer.Weights) {
	for _, q := range all {
		fmt.Printf("\n[%s] %s\n  want: %s\n", q.q.Kind, q.q.Q, q.q.Answer)
		for j, i := range rerank(q, w) {
			c := q.cands[i]
			mark := " "
			if q.right[i] {
				mark = "*"
			}
			if j < 3 || q.right[i] {
				fmt.Printf("  %s %2d %.3f cos %.3f lex %.2f post %.2f chunk %.2f | %.90s\n", mark, j, answer.ScoreWith(w, c.Features),
					c.Features.Cosine, c.Features.Lexical, c.Features.Post, c.Features.Chunk, c.Text)
			}
		}
	}
}

// fitCalibration fits P(shown sentences hold the answer) = σ(b + s·cos)
// on each question's best cosine (unanswerable questions are negatives)
// by gradient descent on the log loss, the slope kept non-negative, and
// puts the abstention threshold midway between the best unanswerable
// question and the next answerable one above it.
func fitCalibration(all []question, w answer.Weights) error {
	type row struct {
		cos        float64
		y          float64
		answerable bool
	}
	var rows []row
	for _, q := range all {
		idx := rerank(q, w)
		r := row{answerable: q.q.Kind != eval.Unanswerable}
		for j, i := range idx {
			r.cos = max(r.cos, q.cands[i].Features.Cosine)
			if j < 3 && q.right[i] {
				r.y = 1
			}
		}
		rows = append(rows, r)
	}
	var b, s float64
	for iter := 0; iter < 50000; iter++ {
		var gb, gs float64
		for _, r := range rows {
			p := 1 / (1 + math.Exp(-(b + s*r.cos)))
			gb += p - r.y
			gs += (p - r.y) * r.cos
		}
		n := float64(len(rows))
		b -= 1.0 * gb / n
		s = max(0, s-1.0*gs/n)
	}
	cal := answer.Calibration{Bias: b, Slope: s}
	var un, ans []float64
	for _, r := range rows {
		if r.answerable {
			ans = append(ans, r.cos)
		} else {
			un = append(un, r.cos)
		}
	}
	sort.Float64s(un)
	sort.Float64s(ans)
	maxUn := 0.0
	if len(un) > 0 {
		maxUn = un[len(un)-1]
	}
	th := maxUn + 0.01
	for _, c := range ans {
		if c > maxUn {
			th = (maxUn + c) / 2
			break
		}
	}
	cal.Threshold = cal.Confidence(th)
	answered := 0
	for _, c := range ans {
		if cal.Confidence(c) >= cal.Threshold {
			answered++
		}
	}
	fmt.Printf("answered %d of %d answerable at cosine %.3f (confidence %.3f)\n", answered, len(ans), th, cal.Threshold)
	fmt.Printf("DefaultWeights = %#v\n", w)
	fmt.Printf("DefaultCalibration = answer.Calibration{Bias: %.3f, Slope: %.3f, Threshold: %.3f}\n", cal.Bias, cal.Slope, cal.Threshold)
	return nil
}
