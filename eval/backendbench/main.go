// Command backendbench compares the two index backends on the same
// synthetic corpus on this machine: write throughput (PutMany, chunks/s) and
// the retrieval calls one hybrid search makes (VectorSearch + LexicalSearch
// at search's default depth, 200 each), p50/p99 over sequential queries.
// Query embedding is left out: it costs the same with either backend.
//
//	scripts/weaviate-cluster.sh run --nodes 1 -- go run ./eval/backendbench --chunks 10000,100000
//
// It needs SEMSEARCH_WEAVIATE_URL (the cluster script sets it). The corpus:
// posts of 10 chunks, 60 words each drawn Zipf-like from a 20,000-word
// vocabulary, 384-dimension vectors around 200 random centroids; queries are
// perturbed chunk vectors and 3 of a chunk's words.
package main

import (
	"context"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/index"
	"github.com/semsearch/semsearch/index/weaviate"
)

const dims = 384

type backend interface {
	PutMany(ctx context.Context, docs []index.Doc) error
	VectorSearch(ctx context.Context, vec []float32, n int, f semsearch.Filter) ([]semsearch.Hit, error)
	LexicalSearch(ctx context.Context, q string, n int, f semsearch.Filter, w semsearch.BM25Weights) ([]semsearch.Hit, error)
	Close() error
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "backendbench:", err)
		os.Exit(1)
	}
}

func run() error {
	sizes := flag.String("chunks", "10000", "corpus sizes in chunks, comma-separated")
	queries := flag.Int("queries", 200, "queries per backend and size")
	url := flag.String("weaviate-url", os.Getenv("SEMSEARCH_WEAVIATE_URL"), "Weaviate URL")
	flag.Parse()
	ctx := context.Background()
	fmt.Println("chunks\tbackend\twrite_chunks_per_s\tsearch_p50_ms\tsearch_p99_ms")
	for _, f := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 10 {
			return fmt.Errorf("--chunks %q", f)
		}
		docs, qs := corpus(n, *queries)
		dir, err := os.MkdirTemp("", "backendbench")
		if err != nil {
			return err
		}
		emb, err := index.Open(ctx, dir, "bench", dims)
		if err != nil {
			return err
		}
		wv, err := weaviate.Open(ctx, "bench", dims, weaviate.Options{URL: *url, Prefix: fmt.Sprintf("Bench%d", n), Timeout: 2 * time.Minute})
		if err != nil {
			return err
		}
		for _, b := range []struct {
			name string
			s    backend
		}{{"embedded", emb}, {"weaviate", wv}} {
			rate, err := load(ctx, b.s, docs)
			if err != nil {
				return fmt.Errorf("%s: %w", b.name, err)
			}
			p50, p99, err := search(ctx, b.s, qs)
			if err != nil {
				return fmt.Errorf("%s: %w", b.name, err)
			}
			fmt.Printf("%d\t%s\t%.0f\t%.1f\t%.1f\n", n, b.name, rate, p50, p99)
			b.s.Close()
		}
		os.RemoveAll(dir)
	}
	return nil
}

type query struct {
	vec  []float32
	text string
}

func corpus(n, nq int) ([]index.Doc, []query) {
	r := rand.New(rand.NewPCG(1, 2))
	vocab := make([]string, 20000)
	for i := range vocab {
		vocab[i] = fmt.Sprintf("w%x", i*7919%100003)
	}
	zipf := rand.NewZipf(r, 1.1, 1, uint64(len(vocab)-1))
	centroids := make([][]float32, 200)
	for i := range centroids {
		centroids[i] = randVec(r, nil, 1)
	}
	var docs []index.Doc
	var chunks []struct {
		vec   []float32
		words []string
	}
	for p := 0; len(chunks) < n; p++ {
		id := fmt.Sprintf("p%06d", p)
		d := index.Doc{Post: semsearch.Post{ID: id, Title: "post " + id, Text: "", ContentHash: id,
			Published: time.Date(2020+p%5, 1, 1, 0, 0, 0, 0, time.UTC), Tags: []string{fmt.Sprintf("t%d", p%20)}}}
		var text []string
		for c := 0; c < 10 && len(chunks) < n; c++ {
			words := make([]string, 60)
			for i := range words {
				words[i] = vocab[zipf.Uint64()]
			}
			t := strings.Join(words, " ")
			vec := randVec(r, centroids[r.IntN(len(centroids))], 0.6)
			d.Chunks = append(d.Chunks, semsearch.Chunk{ID: fmt.Sprintf("%s#%d", id, c), PostID: id, Ordinal: c, Text: t})
			d.Vecs = append(d.Vecs, vec)
			chunks = append(chunks, struct {
				vec   []float32
				words []string
			}{vec, words})
			text = append(text, t)
		}
		d.Post.Text = strings.Join(text, "\n\n")
		docs = append(docs, d)
	}
	qs := make([]query, nq)
	for i := range qs {
		c := chunks[r.IntN(len(chunks))]
		qs[i] = query{vec: randVec(r, c.vec, 0.3), text: strings.Join([]string{c.words[r.IntN(60)], c.words[r.IntN(60)], c.words[r.IntN(60)]}, " ")}
	}
	return docs, qs
}

// randVec returns a unit vector: around (normalised) plus noise of scale s.
func randVec(r *rand.Rand, around []float32, s float64) []float32 {
	v := make([]float32, dims)
	var sum float64
	for i := range v {
		x := r.NormFloat64() * s / math.Sqrt(dims)
		if around != nil {
			x += float64(around[i])
		}
		v[i] = float32(x)
		sum += x * x
	}
	for i := range v {
		v[i] /= float32(math.Sqrt(sum))
	}
	return v
}

func load(ctx context.Context, s backend, docs []index.Doc) (float64, error) {
	start := time.Now()
	chunks := 0
	for i := 0; i < len(docs); i += 50 {
		part := docs[i:min(i+50, len(docs))]
		if err := s.PutMany(ctx, part); err != nil {
			return 0, err
		}
		for _, d := range part {
			chunks += len(d.Chunks)
		}
	}
	return float64(chunks) / time.Since(start).Seconds(), nil
}

func search(ctx context.Context, s backend, qs []query) (p50, p99 float64, err error) {
	lat := make([]float64, 0, len(qs))
	for i, q := range qs {
		t0 := time.Now()
		if _, err := s.VectorSearch(ctx, q.vec, 200, semsearch.Filter{}); err != nil {
			return 0, 0, err
		}
		if _, err := s.LexicalSearch(ctx, q.text, 200, semsearch.Filter{}, semsearch.BM25Weights{}); err != nil {
			return 0, 0, err
		}
		if i >= 5 { // warm-up
			lat = append(lat, float64(time.Since(t0).Microseconds())/1000)
		}
	}
	slices.Sort(lat)
	return lat[len(lat)/2], lat[min(len(lat)-1, len(lat)*99/100)], nil
}
