package search

// Related-posts benchmarks on the indexes of bench_test.go (posts of
// chunksPerPost random 384-d chunks, Zipf words): one post's list (warm:
// the corpus is built), the corpus build a first call or a change costs,
// and the lists of every post of the index (what an export precomputes).

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/semsearch/semsearch/index"
)

func openBenchRelated(b *testing.B, n int) (*Searcher, *index.Store, []string) {
	b.Helper()
	bi := benchIndexOf(b, n)
	ctx := context.Background()
	st, err := index.Open(ctx, bi.dir, benchModel, benchDims)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	ids, err := st.PostIDs(ctx)
	if err != nil {
		b.Fatal(err)
	}
	// Random vectors relate nothing: keep every post, so that the passages
	// of k results are fetched as they would be.
	s := NewWithOptions(st, &fixedEmbedder{}, Options{Related: RelatedOptions{MinScore: -1}})
	return s, st, ids
}

func benchRelated(b *testing.B, n int) {
	s, _, ids := openBenchRelated(b, n)
	ctx := context.Background()
	if _, err := s.Related(ctx, ids[0], 10); err != nil { // builds the corpus
		b.Fatal(err)
	}
	reportLatency(b, func(i int) error {
		_, err := s.Related(ctx, ids[i%len(ids)], 10)
		return err
	})
}

func BenchmarkRelated_1k(b *testing.B)   { benchRelated(b, 1_000) }
func BenchmarkRelated_10k(b *testing.B)  { benchRelated(b, 10_000) }
func BenchmarkRelated_100k(b *testing.B) { benchRelated(b, 100_000) }

// BenchmarkRelated_Build_10k is the first call on a 10k-chunk index: the
// corpus (centring terms, every post's bag of words) is built, then used.
func BenchmarkRelated_Build_10k(b *testing.B) {
	_, st, ids := openBenchRelated(b, 10_000)
	ctx := context.Background()
	reportLatency(b, func(i int) error {
		s := NewWithOptions(st, &fixedEmbedder{}, Options{Related: RelatedOptions{MinScore: -1}})
		_, err := s.Related(ctx, ids[i%len(ids)], 10)
		return err
	})
}

// BenchmarkRelated_All_10k computes the related lists (k=10) of every post
// of a 10k-chunk index, from a cold corpus, one post after another.
func BenchmarkRelated_All_10k(b *testing.B) {
	_, st, ids := openBenchRelated(b, 10_000)
	ctx := context.Background()
	for b.Loop() {
		start := time.Now()
		s := NewWithOptions(st, &fixedEmbedder{}, Options{Related: RelatedOptions{MinScore: -1}})
		for _, id := range ids {
			if _, err := s.Related(ctx, id, 10); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(time.Since(start).Seconds(), "s/all")
		b.ReportMetric(float64(len(ids)), "posts")
	}
}

// BenchmarkRelated_Memory_10k reports the heap the related corpus of a
// 10k-chunk index holds beyond the index itself (its vectors are shared).
func BenchmarkRelated_Memory_10k(b *testing.B) {
	_, st, ids := openBenchRelated(b, 10_000)
	ctx := context.Background()
	var heap float64
	for b.Loop() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		s := NewWithOptions(st, &fixedEmbedder{}, Options{})
		if _, err := s.Related(ctx, ids[0], 10); err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		heap = float64(after.HeapAlloc-before.HeapAlloc) / (1 << 20)
		runtime.KeepAlive(s)
	}
	b.ReportMetric(heap, "heap-MB")
}
