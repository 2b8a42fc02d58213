package local

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// syntheticIDs builds batch sequences of exactly seq ids ([CLS] ... [SEP]);
// scripts/bench-embed/ort_bench.py uses the same formula so both sides
// encode identical input.
func syntheticIDs(batch, seq int) [][]int32 {
	out := make([][]int32, batch)
	for b := range out {
		ids := make([]int32, seq)
		for j := range ids {
			ids[j] = int32(1000 + (j*7919+b*104729)%28000)
		}
		ids[0], ids[seq-1] = 101, 102
		out[b] = ids
	}
	return out
}

// peakRSS returns the process's peak resident set (VmHWM) in bytes, or 0.
func peakRSS() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// BenchmarkEmbed measures chunks/s of the encoder on synthetic ids at 128
// and 256 tokens, batch 1 and 32, for each model whose weights are present
// (BENCH_EMBED_MODELS, comma-separated, default both). It also reports the
// process's peak RSS and the weights' size, in MB.
func BenchmarkEmbed(b *testing.B) {
	names := []string{"all-MiniLM-L6-v2", "bge-small-en-v1.5"}
	if s := os.Getenv("BENCH_EMBED_MODELS"); s != "" {
		names = strings.Split(s, ",")
	}
	for _, name := range names {
		b.Run(name, func(b *testing.B) {
			m, err := loadDir(filepath.Join(modelsDirOrSkip(b, name), name), name, Options{})
			if err != nil {
				b.Fatal(err)
			}
			for _, seq := range []int{128, 256} {
				for _, batch := range []int{1, 32} {
					b.Run(fmt.Sprintf("seq%d/batch%d", seq, batch), func(b *testing.B) {
						ids := syntheticIDs(batch, seq)
						ctx := context.Background()
						if _, err := m.embedIDs(ctx, ids); err != nil { // warm the arena
							b.Fatal(err)
						}
						cpu0 := processCPU()
						b.ResetTimer()
						for b.Loop() {
							if _, err := m.embedIDs(ctx, ids); err != nil {
								b.Fatal(err)
							}
						}
						cpu := processCPU() - cpu0
						b.ReportMetric(float64(batch)*float64(b.N)/b.Elapsed().Seconds(), "chunks/s")
						if cpu > 0 {
							// Chunks per CPU-second of the whole process: less
							// sensitive than chunks/s to a busy machine.
							b.ReportMetric(float64(batch)*float64(b.N)/cpu, "chunks/cpu_s")
						}
						b.ReportMetric(float64(peakRSS())/(1<<20), "peakRSS_MB")
						b.ReportMetric(float64(m.enc.w.bytes())/(1<<20), "weights_MB")
					})
				}
			}
		})
	}
}

// BenchmarkEmbedQuery is the latency a search pays: one short question,
// tokenised, prefixed and encoded.
func BenchmarkEmbedQuery(b *testing.B) {
	for _, name := range []string{"all-MiniLM-L6-v2", "bge-small-en-v1.5"} {
		b.Run(name, func(b *testing.B) {
			m, err := loadDir(filepath.Join(modelsDirOrSkip(b, name), name), name, Options{})
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			q := "does a successful write call guarantee my data survives a power loss?"
			for b.Loop() {
				if _, err := m.EmbedQuery(ctx, q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
