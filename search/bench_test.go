package search

// Benchmarks at 1k/10k/100k (and, with BENCH_1M=1, 1M) chunks of 384-d
// random unit vectors: query latency through the full search path with
// either vector index (fast, the default, and exact, chromem-go) beside a
// bare chromem-go query on the same vectors, start-up and RSS (Open of an
// existing index in a child process), memory per 10k chunks and ingest
// throughput without embedding. `make bench` (scripts/bench.sh) runs them
// and prints one table. Each size's index is built once per test process,
// in a temporary directory removed by TestMain.

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	chromem "github.com/philippgille/chromem-go"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/index"
)

const (
	benchDims      = 384
	benchModel     = "bench-random"
	chunksPerPost  = 20
	wordsPerChunk  = 60
	benchVocabSize = 20000
)

var bench struct {
	root  string // dir of every built index
	temp  bool   // root is removed at exit
	mu    sync.Mutex
	built map[int]*benchIndex
}

type benchIndex struct {
	dir  string
	vecs [][]float32 // every chunk vector, in insertion order (nil at 1M)
}

// bench1M skips b unless BENCH_1M=1 (`make bench` sets it): the 1M-chunk
// index takes minutes to build, 2.7 GB of disk and 2-3 GB of memory.
func bench1M(b *testing.B) {
	if os.Getenv("BENCH_1M") != "1" {
		b.Skip("set BENCH_1M=1 for the 1M-chunk benchmarks")
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	if bench.temp {
		os.RemoveAll(bench.root)
	}
	os.Exit(code)
}

func randUnit(r *rand.Rand, dims int) []float32 {
	v := make([]float32, dims)
	var sum float64
	for i := range v {
		v[i] = float32(r.NormFloat64())
		sum += float64(v[i]) * float64(v[i])
	}
	n := float32(math.Sqrt(sum))
	for i := range v {
		v[i] /= n
	}
	return v
}

// benchWord returns a word of a Zipf-distributed vocabulary, so that the
// lexical index has realistic posting-list lengths.
func benchWord(z *rand.Zipf) string { return fmt.Sprintf("w%05d", z.Uint64()) }

// benchPosts generates n chunks grouped into posts of chunksPerPost.
func benchPosts(seed uint64, n int, fn func(p semsearch.Post, cs []semsearch.Chunk, vs [][]float32) error) ([][]float32, error) {
	r := rand.New(rand.NewPCG(seed, 1))
	z := rand.NewZipf(r, 1.1, 2, benchVocabSize-1)
	var all [][]float32
	for start := 0; start < n; start += chunksPerPost {
		id := fmt.Sprintf("post-%d-%06d", seed, start/chunksPerPost)
		p := semsearch.Post{
			ID: id, Title: benchWord(z) + " " + benchWord(z), URL: "https://bench.test/" + id,
			Authors: []string{fmt.Sprintf("author%d", start%7)}, Tags: []string{fmt.Sprintf("tag%d", start%5)},
			Published:   time.Date(2020, 1, 1+start%365, 0, 0, 0, 0, time.UTC),
			Source:      semsearch.Source{Title: "Bench", URL: "https://bench.test/feed"},
			ContentHash: id,
		}
		var cs []semsearch.Chunk
		var vs [][]float32
		var text strings.Builder
		for i := 0; i < chunksPerPost && start+i < n; i++ {
			words := make([]string, wordsPerChunk)
			for j := range words {
				words[j] = benchWord(z)
			}
			t := strings.Join(words, " ")
			cs = append(cs, semsearch.Chunk{ID: fmt.Sprintf("%s#%d", id, i), PostID: id, Ordinal: i, Text: t})
			vs = append(vs, randUnit(r, benchDims))
			text.WriteString(t + "\n\n")
		}
		p.Text = text.String()
		if err := fn(p, cs, vs); err != nil {
			return nil, err
		}
		all = append(all, vs...)
	}
	return all, nil
}

// benchIndexOf builds (once per process) an index of n chunks.
func benchIndexOf(b *testing.B, n int) *benchIndex {
	b.Helper()
	bench.mu.Lock()
	defer bench.mu.Unlock()
	if bi := bench.built[n]; bi != nil {
		return bi
	}
	if bench.built == nil {
		bench.built = map[int]*benchIndex{}
		// SEMSEARCH_BENCH_DIR keeps the built indexes across runs (the
		// 100k build takes about a minute); by default they are temporary.
		bench.root = os.Getenv("SEMSEARCH_BENCH_DIR")
		if bench.root == "" {
			root, err := os.MkdirTemp("", "semsearch-bench-")
			if err != nil {
				b.Fatal(err)
			}
			bench.root, bench.temp = root, true
		}
	}
	ctx := context.Background()
	dir := filepath.Join(bench.root, fmt.Sprint(n))
	st, err := index.Open(ctx, dir, benchModel, benchDims)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	stats, err := st.Stats(ctx)
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	var batch []index.Doc
	flush := func() error {
		err := st.PutMany(ctx, batch)
		batch = batch[:0]
		return err
	}
	vecs, err := benchPosts(uint64(n), n, func(p semsearch.Post, cs []semsearch.Chunk, vs [][]float32) error {
		if stats.Chunks == n { // kept from an earlier run: only regenerate the vectors
			return nil
		}
		if batch = append(batch, index.Doc{Post: p, Chunks: cs, Vecs: vs}); len(batch) == 50 {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("built a %d-chunk index in %v", n, time.Since(start).Round(time.Millisecond))
	if n >= 1_000_000 {
		vecs = nil // only the start-up and search benchmarks run at 1M: spare 1.5 GB
	}
	bi := &benchIndex{dir: dir, vecs: vecs}
	bench.built[n] = bi
	return bi
}

// fixedEmbedder returns precomputed query vectors in turn, so the search
// path is measured without an embedding model.
type fixedEmbedder struct {
	mu   sync.Mutex
	vecs [][]float32
	i    int
}

func (e *fixedEmbedder) Model() string { return benchModel }
func (e *fixedEmbedder) Dims() int     { return benchDims }
func (e *fixedEmbedder) EmbedPassages(ctx context.Context, texts []string) ([][]float32, error) {
	return nil, fmt.Errorf("fixedEmbedder embeds queries only")
}
func (e *fixedEmbedder) EmbedQuery(ctx context.Context, text string) ([]float32, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.i++
	return e.vecs[e.i%len(e.vecs)], nil
}

// benchQueries returns query vectors and three-word query texts. The words
// are drawn uniformly from vocabulary ranks 50..5000: in real text the most
// frequent words are stop words, which lexical search drops.
func benchQueries(n int) ([][]float32, []string) {
	r := rand.New(rand.NewPCG(99, 7))
	word := func() string { return fmt.Sprintf("w%05d", 50+r.IntN(4950)) }
	vecs := make([][]float32, n)
	texts := make([]string, n)
	for i := range n {
		vecs[i] = randUnit(r, benchDims)
		texts[i] = word() + " " + word() + " " + word()
	}
	return vecs, texts
}

// reportLatency times each call of fn and reports p50 and p99 in ms.
func reportLatency(b *testing.B, fn func(i int) error) {
	b.Helper()
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; b.Loop(); i++ {
		t0 := time.Now()
		if err := fn(i); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(len(lat)), "cpu-ms/op")
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}

func benchSearch(b *testing.B, n int, mode semsearch.Mode, vectors index.NewVectorIndex) {
	bi := benchIndexOf(b, n)
	ctx := context.Background()
	st, err := index.OpenWith(ctx, bi.dir, benchModel, benchDims, index.Options{Vectors: vectors})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	qv, qt := benchQueries(256)
	s := New(st, &fixedEmbedder{vecs: qv})
	reportLatency(b, func(i int) error {
		rs, err := s.Search(ctx, semsearch.Query{Text: qt[i%len(qt)], K: 10, Mode: mode})
		if err == nil && len(rs) == 0 && mode != semsearch.ModeLexical { // a small corpus may lack a query's words
			err = fmt.Errorf("no results")
		}
		return err
	})
}

// benchChromem queries a bare chromem collection holding the same vectors
// for the same number of chunks the Searcher asks for (its depth, 200 at
// k=10).
func benchChromem(b *testing.B, n int) {
	bi := benchIndexOf(b, n)
	ctx := context.Background()
	coll, err := chromem.NewDB().CreateCollection("bench", nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	docs := make([]chromem.Document, len(bi.vecs))
	for i, v := range bi.vecs {
		docs[i] = chromem.Document{ID: fmt.Sprint(i), Embedding: v}
	}
	if err := coll.AddDocuments(ctx, docs, runtime.GOMAXPROCS(0)); err != nil {
		b.Fatal(err)
	}
	depth := New(nil, nil).depth(10)
	qv, _ := benchQueries(256)
	reportLatency(b, func(i int) error {
		_, err := coll.QueryEmbedding(ctx, qv[i%len(qv)], depth, nil, nil)
		return err
	})
}

var (
	fast  = index.NewFastIndex
	exact = index.NewChromemIndex
)

func BenchmarkSearch_Vector_1k(b *testing.B)   { benchSearch(b, 1_000, semsearch.ModeVector, fast) }
func BenchmarkSearch_Vector_10k(b *testing.B)  { benchSearch(b, 10_000, semsearch.ModeVector, fast) }
func BenchmarkSearch_Vector_100k(b *testing.B) { benchSearch(b, 100_000, semsearch.ModeVector, fast) }
func BenchmarkSearch_Vector_1M(b *testing.B) {
	bench1M(b)
	benchSearch(b, 1_000_000, semsearch.ModeVector, fast)
}
func BenchmarkSearch_Hybrid_1k(b *testing.B)   { benchSearch(b, 1_000, semsearch.ModeHybrid, fast) }
func BenchmarkSearch_Hybrid_10k(b *testing.B)  { benchSearch(b, 10_000, semsearch.ModeHybrid, fast) }
func BenchmarkSearch_Hybrid_100k(b *testing.B) { benchSearch(b, 100_000, semsearch.ModeHybrid, fast) }
func BenchmarkSearch_Hybrid_1M(b *testing.B) {
	bench1M(b)
	benchSearch(b, 1_000_000, semsearch.ModeHybrid, fast)
}
func BenchmarkSearch_Lexical_1k(b *testing.B)   { benchSearch(b, 1_000, semsearch.ModeLexical, fast) }
func BenchmarkSearch_Lexical_10k(b *testing.B)  { benchSearch(b, 10_000, semsearch.ModeLexical, fast) }
func BenchmarkSearch_Lexical_100k(b *testing.B) { benchSearch(b, 100_000, semsearch.ModeLexical, fast) }
func BenchmarkSearch_Lexical_1M(b *testing.B) {
	bench1M(b)
	benchSearch(b, 1_000_000, semsearch.ModeLexical, fast)
}
func BenchmarkSearchExact_Vector_1k(b *testing.B) { benchSearch(b, 1_000, semsearch.ModeVector, exact) }
func BenchmarkSearchExact_Vector_10k(b *testing.B) {
	benchSearch(b, 10_000, semsearch.ModeVector, exact)
}
func BenchmarkSearchExact_Vector_100k(b *testing.B) {
	benchSearch(b, 100_000, semsearch.ModeVector, exact)
}
func BenchmarkSearchExact_Hybrid_1k(b *testing.B) { benchSearch(b, 1_000, semsearch.ModeHybrid, exact) }
func BenchmarkSearchExact_Hybrid_10k(b *testing.B) {
	benchSearch(b, 10_000, semsearch.ModeHybrid, exact)
}
func BenchmarkSearchExact_Hybrid_100k(b *testing.B) {
	benchSearch(b, 100_000, semsearch.ModeHybrid, exact)
}
func BenchmarkChromem_Query_1k(b *testing.B)   { benchChromem(b, 1_000) }
func BenchmarkChromem_Query_10k(b *testing.B)  { benchChromem(b, 10_000) }
func BenchmarkChromem_Query_100k(b *testing.B) { benchChromem(b, 100_000) }

// BenchmarkOpen_100k measures start-up in this process: opening an
// existing 100k-chunk index, which loads every vector into memory.
func BenchmarkOpen_100k(b *testing.B) {
	bi := benchIndexOf(b, 100_000)
	ctx := context.Background()
	cpu0 := cpuTime()
	for b.Loop() {
		st, err := index.Open(ctx, bi.dir, benchModel, benchDims)
		if err != nil {
			b.Fatal(err)
		}
		st.Close()
	}
	// CPU time (all threads) next to wall time: on a busy machine the
	// wall time measures the neighbours too.
	b.ReportMetric(float64((cpuTime()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
}

// BenchmarkStartup opens an existing index in a fresh child process (this
// test binary running TestStartupChild) with each vector index and reports
// the child's start-up (index.OpenWith) wall and CPU ms, its RSS once open
// and its peak RSS (VmRSS, VmHWM), so nothing the benchmark itself holds
// is counted; of b.N children, the one that started fastest.
func BenchmarkStartup_10k(b *testing.B)  { benchStartup(b, 10_000) }
func BenchmarkStartup_100k(b *testing.B) { benchStartup(b, 100_000) }
func BenchmarkStartup_1M(b *testing.B) {
	bench1M(b)
	benchStartup(b, 1_000_000)
}

func benchStartup(b *testing.B, n int) {
	bi := benchIndexOf(b, n)
	for _, kind := range []string{"fast", "exact"} {
		b.Run(kind, func(b *testing.B) {
			var best startupResult // the fastest start-up of the b.N children
			for b.Loop() {
				var r startupResult
				cmd := exec.Command(os.Args[0], "-test.run=^TestStartupChild$", "-test.count=1")
				cmd.Env = append(os.Environ(), "SEMSEARCH_STARTUP_CHILD="+kind+":"+bi.dir)
				out, err := cmd.Output()
				if err != nil {
					b.Fatalf("startup child: %v\n%s", err, out)
				}
				line, ok := strings.CutPrefix(lastLine(string(out), "startup-result: "), "startup-result: ")
				if !ok || json.Unmarshal([]byte(line), &r) != nil {
					b.Fatalf("startup child printed no result:\n%s", out)
				}
				if best.WallMS == 0 || r.WallMS < best.WallMS {
					best = r
				}
			}
			b.ReportMetric(best.WallMS, "startup-ms")
			b.ReportMetric(best.CPUMS, "startup-cpu-ms")
			b.ReportMetric(best.RSSMB, "rss-MB")
			b.ReportMetric(best.HWMMB, "peak-rss-MB")
		})
	}
}

type startupResult struct{ WallMS, CPUMS, RSSMB, HWMMB float64 }

func lastLine(out, prefix string) string {
	lines := strings.Split(out, "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.HasPrefix(lines[i], prefix) {
			return lines[i]
		}
	}
	return ""
}

// TestStartupChild is BenchmarkStartup's child: with
// SEMSEARCH_STARTUP_CHILD=kind:dir it opens the index in dir with that
// vector index and prints the figures; otherwise it does nothing.
func TestStartupChild(t *testing.T) {
	spec := os.Getenv("SEMSEARCH_STARTUP_CHILD")
	if spec == "" {
		return
	}
	kind, dir, _ := strings.Cut(spec, ":")
	vectors := fast
	if kind == "exact" {
		vectors = exact
	}
	cpu0, t0 := cpuTime(), time.Now()
	st, err := index.OpenWith(context.Background(), dir, benchModel, benchDims, index.Options{Vectors: vectors})
	if err != nil {
		t.Fatal(err)
	}
	wall, cpu := time.Since(t0), cpuTime()-cpu0
	defer st.Close()
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	kb := func(key string) float64 {
		for _, l := range strings.Split(string(status), "\n") {
			if v, ok := strings.CutPrefix(l, key+":"); ok {
				f, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
				return f
			}
		}
		return 0
	}
	res, _ := json.Marshal(startupResult{
		WallMS: float64(wall.Microseconds()) / 1000, CPUMS: float64(cpu.Microseconds()) / 1000,
		RSSMB: kb("VmRSS") / 1024, HWMMB: kb("VmHWM") / 1024,
	})
	fmt.Printf("startup-result: %s\n", res)
}

// cpuTime is the process's user+system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkMemory_10k reports the heap an open 10k-chunk index holds and
// the size of its database file.
func BenchmarkMemory_10k(b *testing.B) {
	bi := benchIndexOf(b, 10_000)
	ctx := context.Background()
	var heap float64
	for b.Loop() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		st, err := index.Open(ctx, bi.dir, benchModel, benchDims)
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		heap = float64(after.HeapAlloc-before.HeapAlloc) / (1 << 20)
		runtime.KeepAlive(st)
		st.Close()
	}
	b.ReportMetric(heap, "heap-MB")
	b.ReportMetric(dbSize(b, bi.dir), "db-MB")
}

func dbSize(b *testing.B, dir string) float64 {
	var total int64
	for _, suffix := range []string{"", "-wal"} {
		if fi, err := os.Stat(filepath.Join(dir, index.FileName+suffix)); err == nil {
			total += fi.Size()
		}
	}
	return float64(total) / (1 << 20)
}

// BenchmarkPut measures ingest throughput without embedding: Put of
// precomputed vectors, one transaction (and fsync) per post of
// chunksPerPost chunks.
func BenchmarkPut(b *testing.B) { benchPut(b, 1) }

// BenchmarkPutMany_50 is BenchmarkPut with 50 posts per transaction.
func BenchmarkPutMany_50(b *testing.B) { benchPut(b, 50) }

func benchPut(b *testing.B, batch int) {
	ctx := context.Background()
	st, err := index.Open(ctx, b.TempDir(), benchModel, benchDims)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	var docs []index.Doc
	benchPosts(7, 200*chunksPerPost, func(p semsearch.Post, cs []semsearch.Chunk, vs [][]float32) error {
		docs = append(docs, index.Doc{Post: p, Chunks: cs, Vecs: vs})
		return nil
	})
	chunks := 0
	start := time.Now()
	for i := 0; b.Loop(); i++ {
		from := (i * batch) % len(docs)
		part := docs[from:min(from+batch, len(docs))]
		if err := st.PutMany(ctx, part); err != nil {
			b.Fatal(err)
		}
		for _, d := range part {
			chunks += len(d.Chunks)
		}
	}
	b.ReportMetric(float64(chunks)/time.Since(start).Seconds(), "chunks/s")
}
