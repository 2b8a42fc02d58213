// Command weaviatehybrid measures Weaviate's own hybrid search against
// ours: for each judged query of a BEIR dataset it asks Weaviate's hybrid
// operator (the local model's query vector, and the same stemmed words our
// lexical search sends, over the chunks' lexStem field; 200 chunks, each
// post ranked by its best chunk) for every fusion and alpha, and prints
// nDCG@10 per setting. Our own fusion on the same cluster is
// `semsearch eval --backend weaviate` (scripts/weaviate-parity.sh).
//
//	scripts/weaviate-cluster.sh run --nodes 1 -- bash -c 'scripts/weaviate-parity.sh &&
//	    for d in cranfield cisi med cacm npl time lisa scifact; do
//	        go run ./eval/weaviatehybrid --dataset ../shared/datasets/$d; done'
//
// The classes are the ones weaviate-parity.sh migrated (prefix
// SemsearchEval<Dataset>, still in the cluster after it). It needs
// SEMSEARCH_WEAVIATE_URL (the cluster script sets it).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	wv "github.com/weaviate/weaviate-go-client/v5/weaviate"
	"github.com/weaviate/weaviate-go-client/v5/weaviate/graphql"

	"github.com/semsearch/semsearch/embed/local"
	"github.com/semsearch/semsearch/eval"
	"github.com/semsearch/semsearch/index/weaviate"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "weaviatehybrid:", err)
		os.Exit(1)
	}
}

func run() error {
	dataset := flag.String("dataset", "", "BEIR-layout dataset directory (required)")
	prefix := flag.String("prefix", "", "class prefix (default: SemsearchEval<Dataset>, as weaviate-parity.sh migrates it)")
	models := flag.String("models", envOr("SEMSEARCH_MODELS", "models"), "local model weights directory")
	model := flag.String("model", "all-MiniLM-L6-v2", "local model the index was built with")
	depth := flag.Int("depth", 200, "chunks asked of each hybrid query")
	flag.Parse()
	if *dataset == "" {
		flag.Usage()
		return fmt.Errorf("need --dataset")
	}
	ds, err := eval.LoadBEIR(*dataset)
	if err != nil {
		return err
	}
	if *prefix == "" {
		name := filepath.Base(filepath.Clean(*dataset))
		*prefix = "SemsearchEval" + strings.ToUpper(name[:1]) + name[1:]
	}
	u, err := url.Parse(os.Getenv("SEMSEARCH_WEAVIATE_URL"))
	if err != nil || u.Host == "" {
		return fmt.Errorf("SEMSEARCH_WEAVIATE_URL %q is not a URL", os.Getenv("SEMSEARCH_WEAVIATE_URL"))
	}
	wc, err := wv.NewClient(wv.Config{Host: u.Host, Scheme: u.Scheme})
	if err != nil {
		return err
	}
	m, err := local.Open(*models, *model, local.Options{})
	if err != nil {
		return err
	}
	defer m.Close()
	ctx := context.Background()
	type query struct {
		id, words string
		vec       []float32
	}
	var qs []query
	for _, q := range ds.Queries {
		if _, ok := ds.Qrels[q.ID]; !ok {
			continue
		}
		v, err := m.EmbedQuery(ctx, q.Text)
		if err != nil {
			return err
		}
		qs = append(qs, query{q.ID, weaviate.BM25Query(q.Text), v})
	}
	class := *prefix + "Chunk"
	for _, fusion := range []graphql.FusionType{graphql.RelativeScore, graphql.Ranked} {
		for _, alpha := range []float32{0.3, 0.5, 0.7} {
			total := 0.0
			for _, q := range qs {
				h := (&graphql.HybridArgumentBuilder{}).WithQuery(q.words).WithVector(q.vec).WithAlpha(alpha).
					WithProperties([]string{"lexStem"}).WithFusionType(fusion)
				res, err := wc.GraphQL().Get().WithClassName(class).WithFields(graphql.Field{Name: "postId"}).
					WithHybrid(h).WithLimit(*depth).Do(ctx)
				if err != nil {
					return fmt.Errorf("query %s: %w", q.id, err)
				}
				if len(res.Errors) > 0 {
					return fmt.Errorf("query %s: %s", q.id, res.Errors[0].Message)
				}
				get, _ := res.Data["Get"].(map[string]any)
				raw, err := json.Marshal(get[class])
				if err != nil {
					return err
				}
				var rows []struct {
					PostID string `json:"postId"`
				}
				if err := json.Unmarshal(raw, &rows); err != nil {
					return err
				}
				var ranked []string
				seen := map[string]bool{}
				for _, r := range rows {
					if !seen[r.PostID] {
						seen[r.PostID] = true
						ranked = append(ranked, r.PostID)
					}
				}
				total += eval.NDCG(ranked, ds.Qrels[q.id], 10)
			}
			fmt.Printf("%s\t%s\talpha %.1f\tnDCG@10 %.4f\t%d queries\n", ds.Name, fusion, alpha, total/float64(len(qs)), len(qs))
		}
	}
	return nil
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
