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
