package eval

// Report is the outcome of one evaluation; its JSON is the `eval --json`
// body: {"dataset","mode","ndcg@10","mrr@10","recall@10","recall@100","queries"}.
// Scores are means over the scored queries, in [0, 1].
type Report struct {
	Dataset   string  `json:"dataset"`
	Mode      string  `json:"mode"`
	NDCG10    float64 `json:"ndcg@10"`
	MRR10     float64 `json:"mrr@10"`
	Recall10  float64 `json:"recall@10"`
	Recall100 float64 `json:"recall@100"`
	Queries   int     `json:"queries"`
}

// accumulator sums per-query scores into a Report.
type accumulator struct{ r Report }

func (a *accumulator) add(ndcg, rr, r10, r100 float64) {
	a.r.NDCG10 += ndcg
	a.r.MRR10 += rr
	a.r.Recall10 += r10
	a.r.Recall100 += r100
	a.r.Queries++
}

func (a *accumulator) report() Report {
	r := a.r
	if n := float64(r.Queries); n > 0 {
		r.NDCG10 /= n
		r.MRR10 /= n
		r.Recall10 /= n
		r.Recall100 /= n
	}
	return r
}
