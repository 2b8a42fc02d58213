package eval

import (
	"math"
	"sort"
)

// ScoredDoc is one hit of a run: a document id and the system's score.
type ScoredDoc struct {
	ID    string
	Score float64
}

// SortTREC orders hits the way trec_eval reads a run: score descending,
// ties by document id in descending string order. It sorts in place.
func SortTREC(hits []ScoredDoc) {
	sort.SliceStable(hits, func(i, j int) bool {
		if hits[i].Score != hits[j].Score {
			return hits[i].Score > hits[j].Score
		}
		return hits[i].ID > hits[j].ID
	})
}

// NDCG is nDCG@k as trec_eval's ndcg_cut and pytrec_eval compute it: gain =
// the judged grade, discount log2(rank+1), ideal DCG from the k best grades
// among all judged documents of the query. 0 when nothing is relevant.
func NDCG(ranked []string, judged map[string]int, k int) float64 {
	var dcg float64
	for i, id := range top(ranked, k) {
		if g := judged[id]; g > 0 {
			dcg += float64(g) / math.Log2(float64(i+2))
		}
	}
	grades := make([]int, 0, len(judged))
	for _, g := range judged {
		if g > 0 {
			grades = append(grades, g)
		}
	}
	sort.Sort(sort.Reverse(sort.IntSlice(grades)))
	var idcg float64
	for i, g := range top(grades, k) {
		idcg += float64(g) / math.Log2(float64(i+2))
	}
	if idcg == 0 {
		return 0
	}
	return dcg / idcg
}

// ReciprocalRank is 1/rank of the first relevant (grade > 0) document in
// the top k, else 0; its mean over queries is MRR@k.
func ReciprocalRank(ranked []string, judged map[string]int, k int) float64 {
	for i, id := range top(ranked, k) {
		if judged[id] > 0 {
			return 1 / float64(i+1)
		}
	}
	return 0
}

// Recall is the share of the relevant (grade > 0) documents found in the
// top k. 0 when nothing is relevant.
func Recall(ranked []string, judged map[string]int, k int) float64 {
	rel := 0
	for _, g := range judged {
		if g > 0 {
			rel++
		}
	}
	if rel == 0 {
		return 0
	}
	found := 0
	for _, id := range top(ranked, k) {
		if judged[id] > 0 {
			found++
		}
	}
	return float64(found) / float64(rel)
}

func top[T any](s []T, k int) []T {
	if len(s) > k {
		return s[:k]
	}
	return s
}

// dedupe keeps the first occurrence of each id (trec_eval rejects a run
// that repeats a document for a query; a post-level search never should).
// It returns a new slice.
func dedupe(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
