package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/spf13/cobra"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/app"
	"github.com/semsearch/semsearch/eval"
)

// The app is what the evaluation harness drives.
var (
	_ eval.Engine         = (*app.App)(nil)
	_ eval.QuestionEngine = (*app.App)(nil)
	_ eval.AnswerEngine   = (*app.App)(nil)
	_ eval.RelatedEngine  = (*app.App)(nil)
)

func newEvalCommand(env *cliEnv) *cobra.Command {
	var (
		asJSON                    bool
		dataset, qrels, questions string
		related                   string
		seeds, work, runOut, mode string
		k                         int
	)
	cmd := &cobra.Command{
		Use:   "eval (--dataset DIR | --questions FILE | --related FILE) [flags]",
		Short: "Measure retrieval quality on a BEIR-layout dataset, the seed questions or related-posts judgments",
		Long: `eval indexes a test collection (corpus.jsonl, queries.jsonl, qrels.tsv) in its own
work directory, runs every judged query and prints nDCG@10, MRR@10, Recall@10 and
Recall@100 as trec_eval computes them. The work directory is kept (default
$XDG_CACHE_HOME/semsearch/eval/<dataset>-<model>), so a second run embeds nothing.

With --questions, the index is the seed posts (--seeds, default ../seeds next to the
questions file), ingested like any source, and each question's "rel" titles or
phrases are matched against the posts returned.

With --related, the index is the seed posts too; each line names a target post and
the posts a reader would want next (by title or distinctive phrase, graded 2 or 1).
It prints nDCG@5, P@5 and the share of grade-2 posts in the top 5 for the related
ranking, beside a TF-IDF cosine "more like this" baseline over the same posts.
--data is not used by eval.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			given := 0
			for _, f := range []string{dataset, questions, related} {
				if f != "" {
					given++
				}
			}
			if given != 1 {
				return semsearch.Errorf(semsearch.EInvalid, "give exactly one of --dataset DIR, --questions FILE or --related FILE")
			}
			ctx := cmd.Context()
			if related != "" {
				rep, err := env.evalRelated(ctx, related, seeds, work)
				if err != nil {
					return err
				}
				if asJSON {
					return writeJSON(env.stdout, rep)
				}
				printRelatedReport(env.stdout, rep)
				return nil
			}
			var (
				rep  eval.Report
				arep *eval.AnswersReport
				err  error
			)
			if dataset != "" {
				rep, err = eval.Run(ctx, eval.Options{
					Dataset: dataset, Qrels: qrels, Mode: semsearch.Mode(mode), K: k,
					WorkDir: work, Model: env.modelName(), RunOut: runOut, Logger: env.log,
				}, func(ctx context.Context, dir string) (eval.Engine, error) {
					return env.openApp(ctx, evalIndex(dir))
				})
			} else {
				rep, arep, err = env.evalQuestions(ctx, questions, seeds, work, semsearch.Mode(mode), k)
			}
			if err != nil {
				return err
			}
			if asJSON && arep != nil {
				return writeJSON(env.stdout, struct {
					Posts   eval.Report         `json:"posts"`
					Answers *eval.AnswersReport `json:"answers"`
				}{rep, arep})
			}
			if asJSON {
				return writeJSON(env.stdout, rep)
			}
			printEvalReport(env.stdout, rep)
			if arep != nil {
				fmt.Fprintln(env.stdout)
				printAnswersReport(env.stdout, *arep)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&dataset, "dataset", "", "BEIR-layout dataset directory")
	f.StringVar(&qrels, "qrels", "qrels.tsv", "judgments file name inside the dataset directory")
	f.StringVar(&questions, "questions", "", "seed questions file (JSON lines {\"q\",\"rel\"})")
	f.StringVar(&related, "related", "", "related-posts judgments file (JSON lines {\"post\",\"related\"})")
	f.StringVar(&seeds, "seeds", "", "posts the questions or judgments are about (default: ../seeds next to the file)")
	f.StringVar(&work, "work", "", "index directory kept between runs (default: a per-dataset, per-model cache dir)")
	f.StringVar(&runOut, "run-out", "", "write the ranking as a TREC run file")
	f.StringVar(&mode, "mode", string(semsearch.ModeHybrid), "hybrid, vector or lexical")
	f.IntVarP(&k, "k", "k", eval.Depth, "hits per query (1..100)")
	f.BoolVar(&asJSON, "json", false, `print {"dataset","mode","ndcg@10","mrr@10","recall@10","recall@100","queries"}`+
		` (--related: {"dataset","systems":[{"system","ndcg@5","p@5","strong@5","self","empty","targets"}]})`)
	return cmd
}

// modelName names the embedding model in eval cache directories.
func (env *cliEnv) modelName() string {
	if env.flags.embedURL != "" {
		return env.flags.embedModel
	}
	return env.flags.model
}

// evalQuestions ingests the seed posts into their own work directory and
// scores the questions against them; when the questions carry answer
// phrases or kinds, it also asks each (k = 10 results) and scores the
// answers.
func (env *cliEnv) evalQuestions(ctx context.Context, questions, seeds, work string, mode semsearch.Mode, k int) (eval.Report, *eval.AnswersReport, error) {
	a, err := env.openSeeds(ctx, questions, seeds, work)
	if err != nil {
		return eval.Report{}, nil, err
	}
	defer a.Close()
	rep, err := eval.RunQuestions(ctx, questions, mode, k, a)
	if err != nil {
		return rep, nil, err
	}
	qs, err := eval.LoadQuestions(questions)
	if err != nil || !eval.HasAnswers(qs) {
		return rep, nil, err
	}
	arep, err := eval.EvaluateAnswers(ctx, qs, mode, semsearch.DefaultK, a)
	return rep, &arep, err
}

// evalRelated ingests the seed posts into their own work directory and
// scores the related ranking and the TF-IDF baseline against judgments.
func (env *cliEnv) evalRelated(ctx context.Context, judgments, seeds, work string) (eval.RelatedReport, error) {
	a, err := env.openSeeds(ctx, judgments, seeds, work)
	if err != nil {
		return eval.RelatedReport{}, err
	}
	defer a.Close()
	return eval.RunRelated(ctx, judgments, a)
}

// openSeeds opens the seed index in work (default: a per-model cache dir)
// and brings it up to date with seeds (default: ../seeds next to file).
func (env *cliEnv) openSeeds(ctx context.Context, file, seeds, work string) (*app.App, error) {
	if seeds == "" {
		seeds = filepath.Join(filepath.Dir(file), "..", "seeds")
	}
	if work == "" {
		var err error
		if work, err = eval.CacheDir("seeds", env.modelName()); err != nil {
			return nil, err
		}
	}
	a, err := env.openApp(ctx, evalIndex(work))
	if err != nil {
		return nil, err
	}
	ing, err := a.Ingest(ctx, []string{seeds}, app.IngestOptions{})
	if err == nil {
		for _, s := range ing.Sources {
			if s.Error != "" {
				err = fmt.Errorf("%s: %s", s.Source, s.Error)
				break
			}
		}
	}
	if err != nil {
		a.Close()
		return nil, fmt.Errorf("ingest seeds %s: %w", seeds, err)
	}
	return a, nil
}

func printRelatedReport(w io.Writer, r eval.RelatedReport) {
	fmt.Fprintf(w, "%-10s %8s %8s %9s %6s %6s %8s\n", "system", "nDCG@5", "P@5", "strong@5", "self", "empty", "targets")
	for _, s := range r.Systems {
		fmt.Fprintf(w, "%-10s %8.4f %8.4f %9.4f %6d %6d %8d\n", s.System, s.NDCG5, s.P5, s.Strong5, s.Self, s.Empty, s.Targets)
	}
}

func printEvalReport(w io.Writer, r eval.Report) {
	fmt.Fprintf(w, "%-12s %-8s %8s %8s %8s %8s %8s\n", "dataset", "mode", "nDCG@10", "MRR@10", "R@10", "R@100", "queries")
	fmt.Fprintf(w, "%-12s %-8s %8.4f %8.4f %8.4f %8.4f %8d\n", r.Dataset, r.Mode, r.NDCG10, r.MRR10, r.Recall10, r.Recall100, r.Queries)
}

func printAnswersReport(w io.Writer, r eval.AnswersReport) {
	fmt.Fprintf(w, "%-16s %5s %8s %8s %8s %9s %8s %8s %8s\n", "kind", "n", "MRR@10", "ans@1", "ans@3", "passage@1", "answered", "abst.P", "abst.R")
	for _, k := range append(r.Kinds, r.Overall) {
		fmt.Fprintf(w, "%-16s %5d %8s %8s %8s %9s %8s %8s %8s\n", k.Kind, k.Questions, metric(k.MRR10), metric(k.Answer1),
			metric(k.Answer3), metric(k.PassageAnswer1), metric(k.Answered), metric(k.AbstainPrecision), metric(k.AbstainRecall))
	}
	fmt.Fprintf(w, "ask latency: p50 %.1f ms, p99 %.1f ms\n", r.AskP50MS, r.AskP99MS)
}

func metric(v *float64) string {
	if v == nil {
		return "-"
	}
	return fmt.Sprintf("%.4f", *v)
}

// evalIndex points the app at an evaluation index. Test collections have
// queries longer than the API accepts (CISI's reach 1,400 characters): they
// are scored whole, as the reference BM25 scores them.
func evalIndex(dir string) func(*app.Config) {
	return func(c *app.Config) {
		c.DataDir = dir
		c.Search.MaxQueryRunes = semsearch.MaxTextRunes
		if c.Backend == app.BackendWeaviate {
			// One set of classes per evaluation index, beside the real one.
			c.Weaviate.Prefix += "Eval" + classSafe(filepath.Base(dir))
		}
	}
}

// classSafe keeps the letters and digits of s, upper-casing the first of
// each run, so that it can be part of a Weaviate class name.
func classSafe(s string) string {
	var b strings.Builder
	up := true
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9':
			if up {
				r = unicode.ToUpper(r)
			}
			b.WriteRune(r)
			up = false
		default:
			up = true
		}
	}
	return b.String()
}
