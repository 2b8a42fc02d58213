// Command hnswcmp measures an HNSW graph (github.com/coder/hnsw v0.6.1)
// beside the int8 scan of index/vecindex on the same synthetic vectors, for
// the choice recorded in docs/BENCHMARKS.md ("Vector fast path"). It is its
// own module so that the graph library stays out of semsearch's go.mod.
//
//	cd bench/hnswcmp && go run . [-sizes 10000,100000] [-queries 100] [-ef 20,200] [-real DIR]
//
// -real names the directory `go run ./eval/vecdump` writes (embeddings of
// the test collections' chunks and queries).
package main

import (
	"cmp"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/coder/hnsw"

	"github.com/semsearch/semsearch/index/vecindex"
	"github.com/semsearch/semsearch/internal/synthvec"
	"github.com/semsearch/semsearch/internal/vecmath"
)

func main() {
	sizes := flag.String("sizes", "10000,100000", "synthetic index sizes (\"\" for none)")
	nq := flag.Int("queries", 100, "queries per cell")
	efs := flag.String("ef", "20,200", "HNSW EfSearch values to query with")
	real := flag.String("real", "", "directory of real-text vectors from eval/vecdump")
	flag.Parse()
	const dims = 384
	fmt.Printf("%-9s %8s | %-22s %9s %8s %8s %8s\n", "dataset", "vectors", "index", "build s", "B/vec", "p50 ms", "recall@10")
	for _, s := range strings.FieldsFunc(*sizes, func(r rune) bool { return r == ',' }) {
		n, err := strconv.Atoi(s)
		if err != nil {
			fmt.Fprintln(os.Stderr, "hnswcmp: bad size", s)
			os.Exit(2)
		}
		cdata, cq := synthvec.Clustered(uint64(n), n, *nq, dims)
		cell("clustered", cdata, cq, *efs)
		cell("uniform", synthvec.Uniform(uint64(n), n, dims), synthvec.Uniform(uint64(n)+1, *nq, dims), *efs)
	}
	if *real != "" {
		data, queries, err := readReal(*real)
		if err != nil {
			fmt.Fprintln(os.Stderr, "hnswcmp:", err)
			os.Exit(1)
		}
		cell("real", data, queries[:min(*nq, len(queries))], *efs)
	}
}

// readReal reads meta.json, vectors.f32 and queries.f32 from dir.
func readReal(dir string) (data, queries [][]float32, err error) {
	raw, err := os.ReadFile(filepath.Join(dir, "meta.json"))
	if err != nil {
		return nil, nil, err
	}
	var meta struct{ Dims, Vectors, Queries int }
	if err := json.Unmarshal(raw, &meta); err != nil {
		return nil, nil, err
	}
	read := func(name string, n int) ([][]float32, error) {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		if len(b) != 4*meta.Dims*n {
			return nil, fmt.Errorf("%s: %d bytes, want %d vectors of %d dims", name, len(b), n, meta.Dims)
		}
		out := make([][]float32, n)
		for i := range out {
			v := make([]float32, meta.Dims)
			for d := range v {
				v[d] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*(i*meta.Dims+d):]))
			}
			out[i] = v
		}
		return out, nil
	}
	if data, err = read("vectors.f32", meta.Vectors); err != nil {
		return nil, nil, err
	}
	queries, err = read("queries.f32", meta.Queries)
	return data, queries, err
}

func heap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func cell(name string, data, queries [][]float32, efs string) {
	n := len(data)
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("c%07d", i)
	}
	truth := make([][]string, len(queries))
	for qi, q := range queries {
		type sc struct {
			id string
			s  float32
		}
		all := make([]sc, n)
		for i, v := range data {
			all[i] = sc{ids[i], vecmath.Dot(q, v)}
		}
		slices.SortFunc(all, func(a, b sc) int { // equal scores by ID, as the index ranks them
			if c := cmp.Compare(b.s, a.s); c != 0 {
				return c
			}
			return cmp.Compare(a.id, b.id)
		})
		for _, a := range all[:10] {
			truth[qi] = append(truth[qi], a.id)
		}
	}
	row := func(index string, build time.Duration, bytes float64, query func(q []float32) []string) {
		var lat []time.Duration
		var rec float64
		for qi, q := range queries {
			t0 := time.Now()
			got := query(q)
			lat = append(lat, time.Since(t0))
			in := map[string]bool{}
			for _, g := range got {
				in[g] = true
			}
			for _, w := range truth[qi] {
				if in[w] {
					rec += 0.1
				}
			}
		}
		slices.Sort(lat)
		fmt.Printf("%-9s %8d | %-22s %9.2f %8.0f %8.3f %8.3f\n", name, n, index, build.Seconds(), bytes,
			float64(lat[len(lat)/2].Microseconds())/1000, rec/float64(len(queries)))
	}

	h0 := heap()
	t0 := time.Now()
	x := vecindex.New(len(data[0]), vecindex.Options{})
	if err := x.AddMany(ids, data); err != nil {
		panic(err)
	}
	build := time.Since(t0)
	row("int8 scan + rescore", build, float64(heap()-h0)/float64(n), func(q []float32) []string {
		var out []string
		for _, r := range x.Query(q, 10, nil) {
			out = append(out, r.ID)
		}
		return out
	})
	runtime.KeepAlive(x)
	x = nil

	h0 = heap()
	g := hnsw.NewGraph[string]()
	g.Distance = hnsw.CosineDistance
	t0 = time.Now()
	for i := range data {
		g.Add(hnsw.MakeNode(ids[i], data[i]))
	}
	build = time.Since(t0)
	bytes := float64(heap()-h0) / float64(n)
	for _, e := range strings.Split(efs, ",") {
		ef, _ := strconv.Atoi(e)
		g.EfSearch = ef
		row(fmt.Sprintf("hnsw M=16 ef=%d", ef), build, bytes, func(q []float32) []string {
			var out []string
			for _, nd := range g.Search(q, 10) {
				out = append(out, nd.Key)
			}
			return out
		})
	}
	runtime.KeepAlive(g)
}
