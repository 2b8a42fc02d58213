// Command tune scores search.Options variants on indexes built by
// `semsearch eval`, through the real search package, so fusion parameters
// can be compared without re-running (or re-embedding) anything: query
// embeddings are computed once per query and reused by every variant.
//
//	go run ./eval/tune --work ~/.cache/semsearch/eval/scifact-all-MiniLM-L6-v2 \
//	    --dataset ../shared/datasets/scifact [--k 100] [--set rrf|blend|SPEC,...]
//	go run ./eval/tune --work ~/.cache/semsearch/eval/seeds-all-MiniLM-L6-v2 \
//	    --questions ../shared/eval/seed_dev_questions.jsonl --set SPEC
//
// A SPEC is name:mode:fusion:rrfk:vectorweight:lexicalweight:mindepth:depthperk
// (an empty or zero field takes search's default). Output:
// one tab-separated line per variant: dataset, name, nDCG@10, MRR@10, R@10, R@100.
// The index must have been built with a local model found under --models.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/semsearch/semsearch"
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

func run() error {
	work := flag.String("work", "", "index directory built by `semsearch eval` (required)")
	dataset := flag.String("dataset", "", "BEIR-layout dataset directory")
	questions := flag.String("questions", "", "seed questions file (then --work is the seeds index)")
	models := flag.String("models", "models", "local model weights directory")
	set := flag.String("set", "default", "default, rrf, blend, or comma-separated SPECs")
	k := flag.Int("k", eval.Depth, "posts per query (the retrieval depth follows it)")
	flag.Parse()
	if *work == "" || (*dataset == "") == (*questions == "") {
		flag.Usage()
		return fmt.Errorf("need --work and exactly one of --dataset or --questions")
	}
	variants, err := parseSet(*set)
	if err != nil {
		return err
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
	emb := &memo{Embedder: m, vecs: map[string][]float32{}}

	name := "questions"
	var ds *eval.Dataset
	if *dataset != "" {
		if ds, err = eval.LoadBEIR(*dataset); err != nil {
			return err
		}
		name = ds.Name
	}
	for _, v := range variants {
		v.opts.MaxQueryRunes = semsearch.MaxTextRunes // test collections' queries are scored whole, as by `semsearch eval`
		s := search.NewWithOptions(st, emb, v.opts)
		var rep eval.Report
		if ds == nil {
			rep, err = eval.RunQuestions(ctx, *questions, v.mode, *k, questionEngine{s, st})
		} else {
			rep, err = scoreDataset(ctx, ds, s, v.mode, *k)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", v.name, err)
		}
		fmt.Printf("%s\t%s\t%.4f\t%.4f\t%.4f\t%.4f\n", name, v.name, rep.NDCG10, rep.MRR10, rep.Recall10, rep.Recall100)
	}
	return nil
}

func scoreDataset(ctx context.Context, ds *eval.Dataset, s *search.Searcher, mode semsearch.Mode, k int) (eval.Report, error) {
	run := map[string][]eval.ScoredDoc{}
	for _, q := range ds.Queries {
		if len(ds.Qrels[q.ID]) == 0 {
			continue
		}
		res, err := s.Search(ctx, semsearch.Query{Text: q.Text, K: k, Mode: mode})
		if err != nil {
			return eval.Report{}, fmt.Errorf("query %s: %w", q.ID, err)
		}
		for _, r := range res {
			run[q.ID] = append(run[q.ID], eval.ScoredDoc{ID: r.ID, Score: r.Score})
		}
	}
	return eval.ScoreRun(ds.Name, run, ds.Qrels), nil
}

type variant struct {
	name string
	mode semsearch.Mode
	opts search.Options
}

func parseSet(set string) ([]variant, error) {
	var specs []string
	switch set {
	case "default":
		specs = []string{"lexical:lexical::::::", "vector:vector::::::", "hybrid:hybrid::::::"}
	case "rrf":
		for _, rk := range []string{"5", "10", "20", "40", "60"} {
			for _, wl := range []string{"0.5", "0.75", "1", "1.5"} {
				specs = append(specs, fmt.Sprintf("rrf k=%s wl=%s:hybrid:rrf:%s:1:%s::", rk, wl, rk, wl))
			}
		}
	case "blend":
		for _, wl := range []string{"0.5", "0.7", "1", "1.5"} {
			specs = append(specs, fmt.Sprintf("blend wl=%s:hybrid:blend::1:%s:200:5", wl, wl))
		}
	default:
		specs = strings.Split(set, ",")
	}
	out := make([]variant, 0, len(specs))
	for _, spec := range specs {
		v, err := parseSpec(spec)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// parseSpec reads name:mode:fusion:rrfk:wv:wl:mindepth:depthperk;
// empty fields are zero (search's defaults).
func parseSpec(spec string) (variant, error) {
	f := strings.Split(spec, ":")
	if len(f) != 8 {
		return variant{}, fmt.Errorf("spec %q: want 8 ':'-separated fields", spec)
	}
	num := func(i int) float64 {
		x, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			return 0
		}
		return x
	}
	for i := 3; i < 8; i++ {
		if _, err := strconv.ParseFloat(f[i], 64); f[i] != "" && err != nil {
			return variant{}, fmt.Errorf("spec %q: field %d: %w", spec, i+1, err)
		}
	}
	return variant{name: f[0], mode: semsearch.Mode(f[1]), opts: search.Options{
		Fusion: search.Fusion(f[2]), RRFK: num(3), VectorWeight: num(4), LexicalWeight: num(5),
		MinDepth: int(num(6)), DepthPerK: int(num(7)),
	}}, nil
}

// memo embeds each query once for all variants.
type memo struct {
	semsearch.Embedder
	mu   sync.Mutex
	vecs map[string][]float32
}

func (e *memo) EmbedQuery(ctx context.Context, text string) ([]float32, error) {
	e.mu.Lock()
	v, ok := e.vecs[text]
	e.mu.Unlock()
	if !ok {
		var err error
		if v, err = e.Embedder.EmbedQuery(ctx, text); err != nil {
			return nil, err
		}
		e.mu.Lock()
		e.vecs[text] = v
		e.mu.Unlock()
	}
	return append([]float32(nil), v...), nil
}

// questionEngine adds stored posts to a Searcher for eval.RunQuestions.
type questionEngine struct {
	*search.Searcher
	store *index.Store
}

func (q questionEngine) Post(ctx context.Context, id string) (semsearch.Post, error) {
	return q.store.Post(ctx, id)
}
