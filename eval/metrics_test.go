package eval

import (
	"math"
	"reflect"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-12 }

func TestMetrics_HandComputed(t *testing.T) {
	// Eleven ids, the relevant one last: outside every top 10.
	late := []string{"n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8", "n9", "n10", "r"}
	tests := []struct {
		name                string
		ranked              []string
		judged              map[string]int
		ndcg, rr, r10, r100 float64
	}{
		{
			// DCG = 1/log2(2) + 2/log2(4) = 2; ideal grades 2,1,1:
			// 2 + 1/log2(3) + 1/2; relevant d never retrieved.
			name:   "graded",
			ranked: []string{"a", "b", "c"},
			judged: map[string]int{"a": 1, "c": 2, "d": 1},
			ndcg:   2 / (2 + 1/math.Log2(3) + 0.5), rr: 1, r10: 2.0 / 3, r100: 2.0 / 3,
		},
		{
			// A judged-irrelevant hit (grade 0) earns nothing.
			name:   "zero grade",
			ranked: []string{"x", "z", "y"},
			judged: map[string]int{"x": 0, "y": 1},
			ndcg:   0.5, rr: 1.0 / 3, r10: 1, r100: 1,
		},
		{
			name:   "beyond ten",
			ranked: late,
			judged: map[string]int{"r": 1},
			ndcg:   0, rr: 0, r10: 0, r100: 1,
		},
		{
			name:   "nothing relevant",
			ranked: []string{"a"},
			judged: map[string]int{"a": 0},
		},
		{
			name:   "empty run",
			judged: map[string]int{"a": 3},
		},
		{
			// Ideal DCG is cut at 10 too: 12 relevant, all retrieved in
			// order, is a perfect score.
			name:   "ideal cut",
			ranked: []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"},
			judged: map[string]int{"1": 1, "2": 1, "3": 1, "4": 1, "5": 1, "6": 1, "7": 1, "8": 1, "9": 1, "10": 1, "11": 1, "12": 1},
			ndcg:   1, rr: 1, r10: 10.0 / 12, r100: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NDCG(tt.ranked, tt.judged, 10); !near(got, tt.ndcg) {
				t.Errorf("NDCG = %v, want %v", got, tt.ndcg)
			}
			if got := ReciprocalRank(tt.ranked, tt.judged, 10); !near(got, tt.rr) {
				t.Errorf("ReciprocalRank = %v, want %v", got, tt.rr)
			}
			if got := Recall(tt.ranked, tt.judged, 10); !near(got, tt.r10) {
				t.Errorf("Recall@10 = %v, want %v", got, tt.r10)
			}
			if got := Recall(tt.ranked, tt.judged, 100); !near(got, tt.r100) {
				t.Errorf("Recall@100 = %v, want %v", got, tt.r100)
			}
		})
	}
}

func TestScore_QueriesAndIdenticalIDs(t *testing.T) {
	qrels := Qrels{
		"1": {"1": 1},          // the hit sharing the query's id must count
		"2": {"5": 0},          // no relevant judgment: not scored
		"3": {"7": 1, "8": 1},  // missing from the run: scores 0
		"4": {"9": 2, "10": 0}, // found second
	}
	run := map[string][]string{
		"1": {"1", "2"},
		"2": {"5"},
		"4": {"10", "9", "9"}, // a repeated hit is ignored
	}
	got := Score("toy", run, qrels)
	want := Report{
		Dataset:   "toy",
		NDCG10:    (1 + 0 + 1/math.Log2(3)) / 3,
		MRR10:     (1 + 0 + 0.5) / 3,
		Recall10:  (1 + 0 + 1) / 3.0,
		Recall100: (1 + 0 + 1) / 3.0,
		Queries:   3,
	}
	if got.Queries != want.Queries || got.Dataset != want.Dataset ||
		!near(got.NDCG10, want.NDCG10) || !near(got.MRR10, want.MRR10) ||
		!near(got.Recall10, want.Recall10) || !near(got.Recall100, want.Recall100) {
		t.Errorf("Score = %+v, want %+v", got, want)
	}
}

func TestSortTREC_Ties(t *testing.T) {
	hits := []ScoredDoc{{"a", 1}, {"b", 1}, {"c", 2}, {"10", 1}, {"9", 1}}
	SortTREC(hits)
	var ids []string
	for _, h := range hits {
		ids = append(ids, h.ID)
	}
	// Score descending, then id descending as strings ("9" > "10").
	if want := []string{"c", "b", "a", "9", "10"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("order = %v, want %v", ids, want)
	}
}
