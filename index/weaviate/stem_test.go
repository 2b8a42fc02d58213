package weaviate

import (
	"strings"
	"testing"

	"github.com/semsearch/semsearch"
)

func TestStemText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Writes and WRITING, written", "write and write written"},
		{"Café résumé", "cafe resum"},
		{"", ""},
		{"a-b c_d 42", "a b c d 42"},
	} {
		if got := stemText(tc.in); got != tc.want {
			t.Errorf("stemText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// A stem counts once per distinct query word it comes from, as in FTS5's
// OR of quoted words; a repeated word counts once (index.QueryTerms dedupes).
func TestStemTermsKeepsAStemPerWord(t *testing.T) {
	for _, tc := range []struct{ q, want string }{
		{"write writes writing", "write write write"},
		{"write write", "write"},
		{"the cat", "cat"},
		{"the", "the"},
		{"?!", ""},
	} {
		if got := BM25Query(tc.q); got != tc.want {
			t.Errorf("BM25Query(%q) = %q, want %q", tc.q, got, tc.want)
		}
	}
}

func FuzzStemText(f *testing.F) {
	f.Add("Writes and WRITING")
	f.Add("Café\u0301 \xff")
	f.Fuzz(func(t *testing.T, s string) {
		out := stemText(s)
		if n, max := len(strings.Fields(out)), len(semsearch.Words(s)); n > max {
			t.Fatalf("%d stems from %d words", n, max)
		}
		for _, r := range out {
			if r < ' ' {
				t.Fatalf("control character in %q", out)
			}
		}
	})
}
