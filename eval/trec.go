package eval

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// WriteTRECRun writes results in the standard 6-column TREC run format,
// "qid Q0 docid rank score runName", one line per hit, queries in id order
// and hits in the given order with 1-based ranks. Scores are written in full
// (shortest exact decimal) so trec_eval sees the same ties we do. Ids must
// not be empty or contain white space (the format has no quoting).
func WriteTRECRun(w io.Writer, runName string, results map[string][]ScoredDoc) error {
	if runName == "" || strings.ContainsAny(runName, " \t\n") {
		return fmt.Errorf("write run: bad run name %q", runName)
	}
	qids := make([]string, 0, len(results))
	for q := range results {
		qids = append(qids, q)
	}
	sort.Strings(qids)
	bw := bufio.NewWriter(w)
	for _, q := range qids {
		for i, h := range results[q] {
			if strings.ContainsAny(q+h.ID, " \t\n") || q == "" || h.ID == "" {
				return fmt.Errorf("write run: query %q: id %q is empty or has white space", q, h.ID)
			}
			fmt.Fprintf(bw, "%s Q0 %s %d %s %s\n", q, h.ID, i+1,
				strconv.FormatFloat(h.Score, 'f', -1, 64), runName)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write run: %w", err)
	}
	return nil
}

// ReadTRECRun reads a TREC run file (qid Q0 docid rank score tag), keeping
// the hits of each query in file order.
func ReadTRECRun(r io.Reader) (map[string][]ScoredDoc, error) {
	run := map[string][]ScoredDoc{}
	sc := bufio.NewScanner(r)
	for line := 1; sc.Scan(); line++ {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		if len(f) < 5 {
			return nil, fmt.Errorf("read run: line %d: want 6 columns, got %d", line, len(f))
		}
		s, err := strconv.ParseFloat(f[4], 64)
		if err != nil {
			return nil, fmt.Errorf("read run: line %d: score %q: %w", line, f[4], err)
		}
		run[f[0]] = append(run[f[0]], ScoredDoc{ID: f[2], Score: s})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read run: %w", err)
	}
	return run, nil
}
