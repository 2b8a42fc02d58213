package chunk

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/semsearch/semsearch"
)

// benchPost returns a post of about size bytes of prose under headings.
func benchPost(size int) semsearch.Post {
	r := rand.New(rand.NewPCG(7, 7))
	var b strings.Builder
	for b.Len() < size {
		if r.IntN(8) == 0 {
			fmt.Fprintf(&b, "## Section %d\n\n", b.Len())
		}
		p := randomPost(r)
		b.WriteString(p.Text)
	}
	return semsearch.Post{ID: "bench", Title: "A benchmark post", Text: b.String()}
}

func BenchmarkSplit(b *testing.B) {
	for _, size := range []int{1 << 10, 10 << 10, 100 << 10} {
		p := benchPost(size)
		b.Run(fmt.Sprintf("%dKiB", size>>10), func(b *testing.B) {
			b.SetBytes(int64(len(p.Text)))
			chunks := 0
			for b.Loop() {
				chunks += len(Split(p, Options{}))
			}
			b.ReportMetric(float64(chunks)/b.Elapsed().Seconds(), "chunks/s")
		})
	}
}

func BenchmarkEstimateTokens(b *testing.B) {
	s := benchPost(4 << 10).Text
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		EstimateTokens(s)
	}
}
