package chunk

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/semsearch/semsearch"
)

// checkInvariants asserts what Split promises for every post and options.
func checkInvariants(t testing.TB, p semsearch.Post, opts Options, got []semsearch.Chunk) {
	t.Helper()
	o := opts.withDefaults()
	if len(got) == 0 {
		t.Fatalf("no chunks for %q", p.Text)
	}
	if strings.TrimSpace(p.Text) == "" {
		if len(got) != 1 || got[0].Start != 0 || got[0].End != 0 || got[0].Text != "" {
			t.Fatalf("blank post: got %+v", got)
		}
		return
	}
	covered := make([]bool, len(p.Text))
	ids := map[string]bool{}
	for i, c := range got {
		if c.Ordinal != i || c.PostID != p.ID || c.ID != ChunkID(p.ID, i) || ids[c.ID] {
			t.Fatalf("chunk %d: bad identity %q/%q/%d", i, c.ID, c.PostID, c.Ordinal)
		}
		ids[c.ID] = true
		if c.Start < 0 || c.End > len(p.Text) || c.Start >= c.End {
			t.Fatalf("chunk %d: bad offsets %d..%d of %d", i, c.Start, c.End, len(p.Text))
		}
		if p.Text[c.Start:c.End] != c.Text {
			t.Fatalf("chunk %d: Text %q != text[%d:%d] %q", i, c.Text, c.Start, c.End, p.Text[c.Start:c.End])
		}
		if utf8.ValidString(p.Text) && !utf8.ValidString(c.Text) {
			t.Fatalf("chunk %d: cut inside a rune: %q", i, c.Text)
		}
		if strings.TrimSpace(c.Text) != c.Text {
			t.Fatalf("chunk %d: untrimmed text %q", i, c.Text)
		}
		if !strings.HasSuffix(c.Context, c.Text) {
			t.Fatalf("chunk %d: Context %q does not end with Text", i, c.Context)
		}
		if n := o.CountTokens(c.Context); n > o.MaxTokens && utf8.RuneCountInString(c.Text) > 1 {
			t.Fatalf("chunk %d: %d tokens > budget %d: %q", i, n, o.MaxTokens, c.Context)
		}
		if i > 0 && (c.Start <= got[i-1].Start || c.End <= got[i-1].End) {
			t.Fatalf("chunk %d [%d,%d) not after chunk %d [%d,%d)", i, c.Start, c.End, i-1, got[i-1].Start, got[i-1].End)
		}
		for j := c.Start; j < c.End; j++ {
			covered[j] = true
		}
	}
	for i := 0; i < len(p.Text); {
		r, w := utf8.DecodeRuneInString(p.Text[i:])
		if !unicode.IsSpace(r) && !covered[i] {
			t.Fatalf("byte %d (%q) of %q is in no chunk", i, r, p.Text)
		}
		i += w
	}
}

// randomPost builds clean text of the documented shape, with the hard
// cases: nested headings, fences with '#' lines, unclosed fences, giant
// words, sentences without spaces, multi-byte runes.
func randomPost(r *rand.Rand) semsearch.Post {
	vocab := []string{"the", "disk", "write", "fsync", "page", "cache", "a", "internationalization",
		"naïve", "日本語", "e.g.", "x", "don't", "(see", "below)", "Why?", "yes!", "end.", "—", "42"}
	sentence := func() string {
		n := 1 + r.IntN(25)
		w := make([]string, n)
		for i := range w {
			w[i] = vocab[r.IntN(len(vocab))]
		}
		return strings.Join(w, " ") + []string{".", "!", "?", "", "…"}[r.IntN(5)]
	}
	para := func() string {
		n := 1 + r.IntN(8)
		s := make([]string, n)
		for i := range s {
			s[i] = sentence()
		}
		return strings.Join(s, " ")
	}
	var b strings.Builder
	for range r.IntN(15) {
		switch k := r.IntN(10); {
		case k < 2:
			fmt.Fprintf(&b, "%s %s", strings.Repeat("#", 1+r.IntN(6)), sentence())
		case k < 3:
			b.WriteString("- " + sentence() + "\n- " + sentence())
		case k < 4:
			b.WriteString("```\n# not a heading\n" + para() + "\n  indented()\n")
			if r.IntN(4) > 0 {
				b.WriteString("```")
			}
		case k < 5:
			b.WriteString(strings.Repeat("x", r.IntN(3000)))
		default:
			b.WriteString(para())
		}
		b.WriteString([]string{"\n\n", "\n", "\n\n\n", " \n \n"}[r.IntN(4)])
	}
	return semsearch.Post{ID: "post", Title: []string{"", "A title", strings.Repeat("long ", 50)}[r.IntN(3)], Text: b.String()}
}

func TestSplit_Properties(t *testing.T) {
	counters := map[string]func(string) int{"estimate": nil, "words": words, "bytes": func(s string) int { return len(s) / 4 }}
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 400 {
		p := randomPost(r)
		for name, count := range counters {
			opts := Options{MaxTokens: []int{0, 8, 20, 64, 300}[r.IntN(5)], OverlapTokens: []int{0, -1, 4, 16}[r.IntN(4)], CountTokens: count}
			t.Run(fmt.Sprintf("%d/%s", i, name), func(t *testing.T) {
				got := Split(p, opts)
				checkInvariants(t, p, opts, got)
				again := Split(p, opts)
				for j := range got {
					if got[j] != again[j] {
						t.Fatalf("not deterministic at chunk %d", j)
					}
				}
			})
		}
	}
}

func FuzzSplit(f *testing.F) {
	for _, s := range []string{
		"", "# H\n\ntext", "```\n# x\n", "a. b. c.", "- a\n- b", "#no heading", "日本語。テキスト！",
		"\xff\xfe bad utf8 \xc3", "## A ##\n\n### \n\n####### seven",
	} {
		f.Add(s, 16, 4)
	}
	f.Fuzz(func(t *testing.T, text string, maxTokens, overlap int) {
		opts := Options{MaxTokens: maxTokens % 512, OverlapTokens: overlap % 64}
		p := semsearch.Post{ID: "f", Title: "T", Text: text}
		checkInvariants(t, p, opts, Split(p, opts))
	})
}

// TestSplit_GiantWordLinear guards against scanning a giant word to its end
// for every chunk cut from it (quadratic time).
func TestSplit_GiantWordLinear(t *testing.T) {
	p := semsearch.Post{ID: "g", Text: strings.Repeat("p", 1<<20)}
	calls := 0
	opts := Options{MaxTokens: 16, CountTokens: func(s string) int { calls++; return len(s) / 4 }}
	got := Split(p, opts)
	checkInvariants(t, p, opts, got)
	if per := calls / len(got); per > 64 {
		t.Errorf("%d counter calls per chunk over %d chunks: want a bounded number", per, len(got))
	}
	bytes := 0
	opts.CountTokens = func(s string) int { bytes += len(s); return len(s) / 4 }
	Split(p, opts)
	if per := bytes / len(got); per > 64*16*16 {
		t.Errorf("counted %d bytes per chunk: want about a window's worth", per)
	}
}
