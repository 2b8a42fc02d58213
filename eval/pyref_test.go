package eval

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/semsearch/semsearch/internal/testenv"
)

// The reference evaluator in ../shared/tools scores runs with the metric code
// behind the BM25 figures in ../shared/datasets/README.md; these tests check
// that ours gives the same numbers on the same run file.

// sharedDir returns ../shared next to the repo root, skipping (or failing
// in CI) if it is absent.
func sharedDir(t *testing.T) string {
	t.Helper()
	return testenv.Shared(t)
}

func python(t *testing.T) string {
	t.Helper()
	py, err := exec.LookPath("python3")
	testenv.Need(t, err == nil, "python3 is not installed; it runs the reference evaluator")
	return py
}

// pyScores runs bm25_eval.py --json on one dataset with extra args and
// returns its figures.
func pyScores(t *testing.T, py, script, dataset string, args ...string) map[string]float64 {
	t.Helper()
	cmd := exec.Command(py, append([]string{script, dataset, "--json"}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s", cmd, err, stderr.String())
	}
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatalf("%s: output %q: %v", cmd, out, err)
	}
	got := map[string]float64{}
	for k, v := range m {
		if f, ok := v.(float64); ok {
			got[k] = f
		}
	}
	return got
}

func compareWithReference(t *testing.T, ours Report, ref map[string]float64) {
	t.Helper()
	pairs := []struct {
		name string
		ours float64
	}{
		{"nDCG@10", ours.NDCG10}, {"MRR@10", ours.MRR10},
		{"Recall@10", ours.Recall10}, {"Recall@100", ours.Recall100},
		{"queries", float64(ours.Queries)},
	}
	for _, p := range pairs {
		want, ok := ref[p.name]
		if !ok {
			t.Errorf("reference output has no %q: %v", p.name, ref)
			continue
		}
		if math.Abs(p.ours-want) > 1e-9 {
			t.Errorf("%s: ours %.12f, reference %.12f", p.name, p.ours, want)
		}
	}
}

// TestScoreRun_AgreesWithReference_Tiny scores a hand-made run with graded
// judgments, score ties (broken by doc id), a hit sharing the query's id and
// an unjudged query.
func TestScoreRun_AgreesWithReference_Tiny(t *testing.T) {
	script := filepath.Join(sharedDir(t), "tools", "bm25_eval.py")
	py := python(t)
	dir := t.TempDir()
	write(t, dir, "corpus.jsonl", `{"id":"1","title":"","text":"x"}`+"\n")
	write(t, dir, "queries.jsonl", `{"id":"1","text":"x"}`+"\n"+`{"id":"2","text":"y"}`+"\n")
	write(t, dir, "qrels.tsv", "query-id\tcorpus-id\tscore\n"+
		"1\t1\t2\n1\t7\t1\n1\t9\t3\n1\t30\t0\n"+
		"2\t4\t1\n2\t5\t1\n2\t6\t0\n"+
		"3\t8\t1\n")
	run := map[string][]ScoredDoc{
		"1": {{"30", 9}, {"1", 8}, {"12", 8}, {"7", 8}, {"9", 0.25}},
		"2": {{"6", 3}, {"11", 2}, {"10", 2}, {"2", 1.5}, {"3", 1.5}, {"13", 1}, {"14", 1},
			{"15", 0.5}, {"16", 0.5}, {"17", 0.4}, {"5", 0.3}, {"4", 0.2}},
	}
	runFile := filepath.Join(dir, "run.txt")
	var buf bytes.Buffer
	if err := WriteTRECRun(&buf, "test", run); err != nil {
		t.Fatal(err)
	}
	write(t, dir, "run.txt", buf.String())
	ds, err := LoadBEIR(dir)
	if err != nil {
		t.Fatal(err)
	}
	ours := ScoreRun(ds.Name, run, ds.Qrels)
	if ours.Queries != 3 || ours.NDCG10 == 0 || ours.NDCG10 == 1 {
		t.Fatalf("degenerate test run: %+v", ours)
	}
	compareWithReference(t, ours, pyScores(t, py, script, dir, "--run-in", runFile))
}

// TestScoreRun_AgreesWithReference_Cranfield scores the reference's own BM25
// run of Cranfield, with binary and with graded judgments.
func TestScoreRun_AgreesWithReference_Cranfield(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping the reference BM25 run (a few seconds of python)")
	}
	shared := sharedDir(t)
	script := filepath.Join(shared, "tools", "bm25_eval.py")
	dataset := filepath.Join(shared, "datasets", "cranfield")
	py := python(t)
	runFile := filepath.Join(t.TempDir(), "bm25.run")
	pyScores(t, py, script, dataset, "--depth", "100", "--run-out", runFile)
	f, err := os.Open(runFile)
	if err != nil {
		t.Fatal(err)
	}
	run, err := ReadTRECRun(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, qrels := range []string{"qrels.tsv", "qrels_graded.tsv"} {
		t.Run(qrels, func(t *testing.T) {
			ds, err := LoadBEIRQrels(dataset, qrels)
			if err != nil {
				t.Fatal(err)
			}
			ours := ScoreRun(ds.Name, copyRun(run), ds.Qrels)
			compareWithReference(t, ours, pyScores(t, py, script, dataset, "--qrels", qrels, "--run-in", runFile))
		})
	}
}

func copyRun(run map[string][]ScoredDoc) map[string][]ScoredDoc {
	out := make(map[string][]ScoredDoc, len(run))
	for q, hits := range run {
		out[q] = append([]ScoredDoc(nil), hits...)
	}
	return out
}
