package eval

import (
	"context"
	"fmt"
	"sort"
)

// SearchFunc returns the ids of the k best documents for text, best first.
type SearchFunc func(ctx context.Context, text string, k int) ([]string, error)

// Depth is the number of hits asked for per query: enough for Recall@100.
const Depth = 100

// Evaluate runs every scored query of ds through search (k = Depth) and
// scores the rankings in the order search returns them. Report.Mode is left
// empty for the caller. An error from search stops the evaluation.
func Evaluate(ctx context.Context, ds *Dataset, search SearchFunc) (Report, error) {
	run := make(map[string][]string)
	for _, q := range ds.Queries {
		if !scored(ds.Qrels[q.ID]) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return Report{}, err
		}
		ids, err := search(ctx, q.Text, Depth)
		if err != nil {
			return Report{}, fmt.Errorf("evaluate %s: query %s: %w", ds.Name, q.ID, err)
		}
		run[q.ID] = ids
	}
	return Score(ds.Name, run, ds.Qrels), nil
}

// Score computes the report of a run (query id → ranked document ids) against
// judgments. Queries with no relevant judgment are skipped; a scored query
// missing from the run counts 0.
func Score(dataset string, run map[string][]string, qrels Qrels) Report {
	acc := accumulator{r: Report{Dataset: dataset}}
	qids := make([]string, 0, len(qrels))
	for q := range qrels {
		qids = append(qids, q)
	}
	sort.Strings(qids) // a fixed summation order: reports are reproducible to the last bit
	for _, q := range qids {
		judged := qrels[q]
		if !scored(judged) {
			continue
		}
		ids := dedupe(run[q])
		acc.add(NDCG(ids, judged, 10), ReciprocalRank(ids, judged, 10),
			Recall(ids, judged, 10), Recall(ids, judged, 100))
	}
	return acc.report()
}

// ScoreRun is Score for a run with scores: hits are first put in trec_eval's
// order (SortTREC) so the figures match trec_eval on the same run file.
// The run's slices are sorted in place.
func ScoreRun(dataset string, run map[string][]ScoredDoc, qrels Qrels) Report {
	ids := make(map[string][]string, len(run))
	for q, hits := range run {
		SortTREC(hits)
		for _, h := range hits {
			ids[q] = append(ids[q], h.ID)
		}
	}
	return Score(dataset, ids, qrels)
}

func scored(judged map[string]int) bool {
	for _, g := range judged {
		if g > 0 {
			return true
		}
	}
	return false
}
