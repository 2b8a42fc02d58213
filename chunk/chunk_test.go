package chunk

import (
	"reflect"
	"strings"
	"testing"

	"github.com/semsearch/semsearch"
)

// words counts white-space separated words: an exact, simple counter for
// tests that reason about budgets.
func words(s string) int { return len(strings.Fields(s)) }

func TestSplit_Cases(t *testing.T) {
	type want struct {
		heading string
		text    string
	}
	tests := []struct {
		name  string
		title string
		text  string
		opts  Options
		want  []want
	}{
		{
			name:  "empty text gives the title",
			title: "Only a title",
			text:  "",
			want:  []want{{"", ""}},
		},
		{
			name:  "blank text gives the title",
			title: "Only a title",
			text:  " \n\n\t",
			want:  []want{{"", ""}},
		},
		{
			name: "short post is one chunk",
			text: "Hello world. Second sentence.",
			want: []want{{"", "Hello world. Second sentence."}},
		},
		{
			name: "sections split at headings",
			text: "Intro text.\n\n# Setup\n\nInstall it.\n\n## Disks\n\nFormat the disk.\n\n# Usage\n\nRun it.",
			want: []want{
				{"", "Intro text."},
				{"Setup", "# Setup\n\nInstall it."},
				{"Setup › Disks", "## Disks\n\nFormat the disk."},
				{"Usage", "# Usage\n\nRun it."},
			},
		},
		{
			name: "heading without body joins the next section",
			text: "# A\n\n## B\n\nBody of B.",
			want: []want{{"A › B", "# A\n\n## B\n\nBody of B."}},
		},
		{
			name: "trailing heading is kept",
			text: "Body.\n\n# End",
			want: []want{{"", "Body."}, {"End", "# End"}},
		},
		{
			name: "hash lines in a code fence are not headings",
			text: "# Shell\n\n```\n# a comment\nls -l\n```\n\nAfter.",
			want: []want{{"Shell", "# Shell\n\n```\n# a comment\nls -l\n```\n\nAfter."}},
		},
		{
			name: "sibling heading pops the deeper one",
			text: "# A\n\nx.\n\n### C\n\ny.\n\n## B\n\nz.",
			want: []want{{"A", "# A\n\nx."}, {"A › C", "### C\n\ny."}, {"A › B", "## B\n\nz."}},
		},
		{
			name: "paragraphs packed up to the budget, no overlap",
			text: "one two three.\n\nfour five six.\n\nseven eight nine.",
			opts: Options{MaxTokens: 6, OverlapTokens: -1, CountTokens: words},
			want: []want{
				{"", "one two three.\n\nfour five six."},
				{"", "seven eight nine."},
			},
		},
		{
			name: "long paragraph cut at sentences with overlap",
			text: "A b c. D e f. G h i. J k l.",
			opts: Options{MaxTokens: 6, OverlapTokens: 3, CountTokens: words},
			want: []want{
				{"", "A b c. D e f."},
				{"", "D e f. G h i."},
				{"", "G h i. J k l."},
			},
		},
		{
			name: "sentence longer than the budget cut at words",
			text: "a b c d e f g h",
			opts: Options{MaxTokens: 3, OverlapTokens: -1, CountTokens: words},
			want: []want{{"", "a b c"}, {"", "d e f"}, {"", "g h"}},
		},
		{
			name:  "title counts in the budget",
			title: "T",
			text:  "a b. c d.",
			opts:  Options{MaxTokens: 3, OverlapTokens: -1, CountTokens: words},
			want:  []want{{"", "a b."}, {"", "c d."}},
		},
		{
			name: "list items are blocks",
			text: "- one two\n- three four\n- five six",
			opts: Options{MaxTokens: 4, OverlapTokens: -1, CountTokens: words},
			want: []want{{"", "- one two"}, {"", "- three four"}, {"", "- five six"}},
		},
		{
			name: "overlap never crosses a heading",
			text: "# A\n\nx y. z w.\n\n# B\n\nq r.",
			opts: Options{MaxTokens: 5, OverlapTokens: 2, CountTokens: words},
			want: []want{{"A", "# A\n\nx y."}, {"A", "x y. z w."}, {"B", "# B\n\nq r."}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := semsearch.Post{ID: "p1", Title: tt.title, Text: tt.text}
			got := Split(p, tt.opts)
			var gotW []want
			for _, c := range got {
				gotW = append(gotW, want{c.Heading, c.Text})
			}
			if !reflect.DeepEqual(gotW, tt.want) {
				t.Fatalf("Split:\n got %q\nwant %q", gotW, tt.want)
			}
			checkInvariants(t, p, tt.opts, got)
		})
	}
}

func TestSplit_EmptyPostContext(t *testing.T) {
	tests := []struct {
		post semsearch.Post
		want string
	}{
		{semsearch.Post{ID: "a", Title: "Title"}, "Title"},
		{semsearch.Post{ID: "a", Summary: "Sum"}, "Sum"},
		{semsearch.Post{ID: "a"}, "a"},
	}
	for _, tt := range tests {
		got := Split(tt.post, Options{})
		if len(got) != 1 || got[0].Context != tt.want || got[0].Start != 0 || got[0].End != 0 || got[0].ID != "a#0" {
			t.Errorf("Split(%+v) = %+v, want one chunk with Context %q", tt.post, got, tt.want)
		}
	}
}

func TestSplit_Context(t *testing.T) {
	p := semsearch.Post{ID: "x", Title: "My Post", Text: "# Setup\n\nDo it."}
	got := Split(p, Options{})
	if len(got) != 1 {
		t.Fatalf("got %d chunks", len(got))
	}
	if want := "My Post\nSetup\n# Setup\n\nDo it."; got[0].Context != want {
		t.Errorf("Context = %q, want %q", got[0].Context, want)
	}
	p.Title = ""
	if want := "Setup\n# Setup\n\nDo it."; Split(p, Options{})[0].Context != want {
		t.Errorf("Context without title = %q, want %q", Split(p, Options{})[0].Context, want)
	}
}

func TestSplit_HugeTitleShortened(t *testing.T) {
	title := strings.Repeat("word ", 100)
	p := semsearch.Post{ID: "x", Title: title, Text: "Body text here."}
	got := Split(p, Options{MaxTokens: 20, CountTokens: words})
	if len(got) != 1 || got[0].Text != "Body text here." {
		t.Fatalf("got %+v", got)
	}
	if n := words(got[0].Context); n > 20 {
		t.Errorf("Context has %d tokens, budget 20", n)
	}
}

func TestChunkID(t *testing.T) {
	if got := ChunkID("https://a/b#c", 12); got != "https://a/b#c#12" {
		t.Errorf("ChunkID = %q", got)
	}
}

func TestEstimateTokens(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"", 0},
		{"   ", 0},
		{"hello", 2},                     // 1.3 → 2
		{"hello world", 3},               // 2.6 → 3
		{"hello, world.", 5},             // 2.6 + 2
		{"internationalization", 4},      // 20 runes: 3 × 1.3 = 3.9
		{"日本語", 4},                       // 3 × 1.3 = 3.9
		{"naïve café", 3},                // non-ASCII letters are word runes
		{strings.Repeat("a b ", 10), 26}, // 20 words
	}
	for _, tt := range tests {
		if got := EstimateTokens(tt.in); got != tt.want {
			t.Errorf("EstimateTokens(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestRuneBoundary(t *testing.T) {
	tests := []struct {
		text string
		i    int
		want int
	}{
		{"abc", 1, 1},
		{"a日b", 2, 1},              // inside a 3-byte rune
		{"a日b", 4, 4},              // after it
		{"\x92\x92\x92\x92", 2, 2}, // invalid bytes are their own runes
		{"😀", 3, 0},
		{"\xe3\x80x", 1, 1}, // truncated rune: decodes one byte at a time
	}
	for _, tt := range tests {
		if got := runeBoundary(tt.text, 0, tt.i); got != tt.want {
			t.Errorf("runeBoundary(%q, %d) = %d, want %d", tt.text, tt.i, got, tt.want)
		}
	}
}
