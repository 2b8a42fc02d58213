package search

import "testing"

func TestDisplayText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"## A write is not a commit\n\nWhen write() returns...", "A write is not a commit\n\nWhen write() returns..."},
		{"plain # not a heading", "plain # not a heading"},
		{"####### seven is not a heading", "####### seven is not a heading"},
		{"```sh\n# a shell comment\nls\n```\nafter", "# a shell comment\nls\nafter"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := displayText(tt.in); got != tt.want {
			t.Errorf("displayText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestDisplay_MapsBack checks that every byte of the display text maps to
// the same byte of the clean text it came from.
func TestDisplay_MapsBack(t *testing.T) {
	for _, in := range []string{
		"## A write is not a commit\n\nWhen write() returns...",
		"```sh\n# a shell comment\nls\n```\nafter\n",
		"# T\n```\ncode\n```\n## H2\ntext é\n",
		"",
		"\n\n",
	} {
		d, orig := display(in)
		if d != displayText(in) {
			t.Fatalf("display(%q) = %q, displayText %q", in, d, displayText(in))
		}
		if len(orig) != len(d)+1 || orig[len(d)] != len(in) {
			t.Fatalf("display(%q): %d offsets for %d bytes, last %v", in, len(orig), len(d), orig)
		}
		for i := 0; i < len(d); i++ {
			if in[orig[i]] != d[i] {
				t.Errorf("display(%q): byte %d %q maps to %d %q", in, i, d[i], orig[i], in[orig[i]])
			}
		}
	}
}
