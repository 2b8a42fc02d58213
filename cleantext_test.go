package semsearch

import "testing"

func TestHeadingLine(t *testing.T) {
	tests := []struct {
		line  string
		level int
		title string
		ok    bool
	}{
		{"# Title", 1, "Title", true},
		{"###### Six", 6, "Six", true},
		{"##\tTabbed", 2, "Tabbed", true},
		{"## Title ##", 2, "Title", true},
		{"## C#", 2, "C#", true},
		{"## ##", 2, "", true},
		{"####### Seven", 0, "", false},
		{"#hashtag", 0, "", false},
		{"##", 0, "", false},
		{"", 0, "", false},
		{"Title # not", 0, "", false},
	}
	for _, tt := range tests {
		level, title, ok := HeadingLine(tt.line)
		if level != tt.level || title != tt.title || ok != tt.ok {
			t.Errorf("HeadingLine(%q) = %d, %q, %v; want %d, %q, %v", tt.line, level, title, ok, tt.level, tt.title, tt.ok)
		}
	}
	if !IsFence("```go") || IsFence("`` not") {
		t.Error("IsFence")
	}
}
