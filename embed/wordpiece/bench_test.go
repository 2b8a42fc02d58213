package wordpiece

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/semsearch/semsearch/internal/testenv"
)

// benchTokenizer loads the real vocab when `make model` has run, else the
// tiny one (the numbers are then only indicative).
func benchTokenizer(b *testing.B) *Tokenizer {
	p := filepath.Join(testenv.ModelsDir(b), "all-MiniLM-L6-v2", "vocab.txt")
	if _, err := os.Stat(p); err != nil {
		return tiny(b, true)
	}
	tok, err := Load(p, true)
	if err != nil {
		b.Fatal(err)
	}
	return tok
}

func benchText(words int) string {
	base := strings.Fields("Does a successful write call guarantee that my data survives a power loss? " +
		"The kernel's page cache, fsync(2), and the disk's volatile write-cache all matter; naïve " +
		"assumptions about durability break under load, as post-mortems of PostgreSQL and SQLite show.")
	var sb strings.Builder
	for i := 0; i < words; i++ {
		sb.WriteString(base[i%len(base)])
		sb.WriteByte(' ')
	}
	return sb.String()
}

func BenchmarkTokenizer_Encode(b *testing.B) {
	tok := benchTokenizer(b)
	for _, n := range []int{10, 100, 1000} {
		text := benchText(n)
		b.Run(fmt.Sprintf("words=%d", n), func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				tok.Encode(text, 512)
			}
		})
	}
}

func BenchmarkTokenizer_Count(b *testing.B) {
	tok := benchTokenizer(b)
	for _, n := range []int{10, 100, 1000} {
		text := benchText(n)
		b.Run(fmt.Sprintf("words=%d", n), func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				tok.Count(text)
			}
		})
	}
}
