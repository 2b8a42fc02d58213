package vecindex

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	chromem "github.com/philippgille/chromem-go"

	"github.com/semsearch/semsearch/internal/synthvec"
	"github.com/semsearch/semsearch/internal/vecmath"
)

// BenchmarkVector is the side-by-side table of `make bench`: for each
// dataset and size, the fast index and a bare chromem-go collection over
// the same vectors, queried in turn with the same queries (so both see the
// same machine load), k=10, against an exact float32 scan as the truth.
//
// Sizes 10k and 100k always; 1M when BENCH_1M=1 (about 3 GB of memory and
// a few minutes). BENCH_QUERIES sets the queries per cell (default 100).
// The real-text cell runs when SEMSEARCH_BENCH_REAL names a vector file
// (see realVectors).
//
// Reported per cell: p50/p99 wall ms and CPU ms per query of each, recall@10
// (and recall@200 at k=200, the depth the search path asks for), build ms
// (vectors in memory → index) and bytes per vector each structure adds to
// the heap beyond the float32 vectors it shares.
func BenchmarkVector(b *testing.B) {
	const dims = 384
	nq := envInt("BENCH_QUERIES", 100)
	sizes := []int{10_000, 100_000}
	if os.Getenv("BENCH_1M") == "1" {
		sizes = append(sizes, 1_000_000)
	}
	for _, n := range sizes {
		label := strconv.Itoa(n/1000) + "k"
		if n >= 1_000_000 {
			label = strconv.Itoa(n/1_000_000) + "M"
		}
		b.Run("clustered/"+label, func(b *testing.B) {
			data, qs := synthvec.Clustered(uint64(n), n, nq, dims)
			benchCell(b, data, qs)
		})
		b.Run("uniform/"+label, func(b *testing.B) {
			data := synthvec.Uniform(uint64(n), n, dims)
			benchCell(b, data, synthvec.Uniform(uint64(n)+1, nq, dims))
		})
	}
	if path := os.Getenv("SEMSEARCH_BENCH_REAL"); path != "" {
		data, qs, err := realVectors(path)
		if err != nil {
			b.Fatal(err)
		}
		if len(qs) > nq {
			qs = qs[:nq]
		}
		b.Run(fmt.Sprintf("real/%dk", len(data)/1000), func(b *testing.B) { benchCell(b, data, qs) })
	}
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// heapBytes is the live heap after a full collection.
func heapBytes() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// timed is one call's wall and process CPU time.
func timed(fn func()) (wall, cpu time.Duration) {
	c0, t0 := cpuTime(), time.Now()
	fn()
	return time.Since(t0), cpuTime() - c0
}

// latencies summarises per-query times: p50, p99 and the mean CPU, in ms.
type latencies struct{ wall, cpu []time.Duration }

func (l *latencies) add(wall, cpu time.Duration) {
	l.wall = append(l.wall, wall)
	l.cpu = append(l.cpu, cpu)
}

func (l *latencies) report(b *testing.B, prefix string) float64 {
	w := slices.Clone(l.wall)
	slices.Sort(w)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	pct := func(p float64) float64 { return ms(w[min(len(w)-1, int(p*float64(len(w))))]) }
	var cpu time.Duration
	for _, c := range l.cpu {
		cpu += c
	}
	b.ReportMetric(pct(0.50), prefix+"p50-ms")
	b.ReportMetric(pct(0.99), prefix+"p99-ms")
	b.ReportMetric(ms(cpu)/float64(len(l.cpu)), prefix+"cpu-ms")
	return pct(0.50)
}

func benchCell(b *testing.B, data, queries [][]float32) {
	ctx := context.Background()
	n, dims := len(data), len(data[0])
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("c%07d", i)
	}
	truth := exactTruth(data, ids, queries, 200)

	h0 := heapBytes()
	var x *Index
	buildWall, _ := timed(func() {
		x = New(dims, Options{})
		if err := x.AddMany(ids, data); err != nil {
			b.Fatal(err)
		}
	})
	h1 := heapBytes()
	coll, err := chromem.NewDB().CreateCollection("bench", nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	chromemWall, _ := timed(func() {
		// As index.chromemIndex adds: AddDocument from one worker per CPU
		// (chromem's AddDocuments starts a goroutine per document).
		parallel(n, 256, runtime.GOMAXPROCS(0), func(lo, hi int) {
			for i := lo; i < hi; i++ {
				if err := coll.AddDocument(ctx, chromem.Document{ID: ids[i], Embedding: data[i]}); err != nil {
					panic(err)
				}
			}
		})
	})
	h2 := heapBytes()

	// Warm both up (page in, fill pools), then alternate query by query.
	for _, q := range queries[:min(3, len(queries))] {
		x.Query(q, 10, nil)
		if _, err := coll.QueryEmbedding(ctx, q, 10, nil, nil); err != nil {
			b.Fatal(err)
		}
	}
	var fast, fast200, chrom latencies
	var r10, r200, rc float64
	for b.Loop() {
		for i, q := range queries {
			var got, got200 []Result
			fast.add(timed(func() { got = x.Query(q, 10, nil) }))
			var res []chromem.Result
			chrom.add(timed(func() { res, err = coll.QueryEmbedding(ctx, q, 10, nil, nil) }))
			if err != nil {
				b.Fatal(err)
			}
			fast200.add(timed(func() { got200 = x.Query(q, 200, nil) }))
			r10 += recallIDs(ids10(got), truth[i][:10])
			r200 += recallIDs(ids10(got200), truth[i])
			cres := make([]string, len(res))
			for j, r := range res {
				cres[j] = r.ID
			}
			rc += recallIDs(cres, truth[i][:10])
		}
	}
	runs := float64(len(fast.wall))
	fp50 := fast.report(b, "")
	cp50 := chrom.report(b, "chromem-")
	fast200.report(b, "k200-")
	b.ReportMetric(r10/runs, "recall@10")
	b.ReportMetric(r200/runs, "recall@200")
	b.ReportMetric(rc/runs, "chromem-recall@10")
	b.ReportMetric(cp50/fp50, "speedup")
	b.ReportMetric(float64(buildWall.Milliseconds()), "build-ms")
	b.ReportMetric(float64(chromemWall.Milliseconds()), "chromem-build-ms")
	b.ReportMetric(float64(h1-h0)/float64(n), "B/vec")
	b.ReportMetric(float64(h2-h1)/float64(n), "chromem-B/vec")
	b.ReportMetric(float64(n), "vectors")
	runtime.KeepAlive(x)
	runtime.KeepAlive(coll)
}

func ids10(rs []Result) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}

func recallIDs(got, want []string) float64 {
	in := make(map[string]bool, len(got))
	for _, g := range got {
		in[g] = true
	}
	n := 0
	for _, w := range want {
		if in[w] {
			n++
		}
	}
	return float64(n) / float64(len(want))
}

// exactTruth is the exact top k of each query by float32 dot product (the
// same Dot the index re-scores with), ties by ID; queries run in parallel.
func exactTruth(data [][]float32, ids []string, queries [][]float32, k int) [][]string {
	out := make([][]string, len(queries))
	var wg sync.WaitGroup
	next := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for qi := range next {
				h := newCandHeap(k, ids)
				for r, v := range data {
					if s := vecmath.Dot(queries[qi], v); !h.full() || h.beats(s, int32(r)) {
						h.offer(s, int32(r))
					}
				}
				res := make([]Result, len(h.items))
				for i, c := range h.items {
					res[i] = Result{ID: ids[c.row], Score: c.score}
				}
				out[qi] = ids10(topK(res, k))
			}
		}()
	}
	for i := range queries {
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}
