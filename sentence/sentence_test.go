package sentence

import (
	"reflect"
	"strings"
	"testing"
)

func TestSplit(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"two sentences", "One is here. Two is there.", []string{"One is here.", "Two is there."}},
		{"question and exclamation", "Why? Because! Done", []string{"Why?", "Because!", "Done"}},
		{"abbreviation", "Use a tree, e.g. a rope. It works.", []string{"Use a tree, e.g. a rope.", "It works."}},
		{"decimal and domain", "Version 3.5 of example.com is out. Yes.", []string{"Version 3.5 of example.com is out.", "Yes."}},
		{"lower case after period", "It ends here. and goes on.", []string{"It ends here. and goes on."}},
		{"initials", "Written by J. R. Tolkien. Read it.", []string{"Written by J. R. Tolkien.", "Read it."}},
		{"quote closes", `He said "stop." Then left.`, []string{`He said "stop."`, "Then left."}},
		{"lines are blocks", "First line\nSecond line.", []string{"First line", "Second line."}},
		{"list items", "- one item\n- two. Three", []string{"one item", "two.", "Three"}},
		{"heading and code skipped", "# Title\n\nText.\n\n```\ncode. More code.\n# not a heading\n```\nAfter.", []string{"Text.", "After."}},
		{"no words", "...\n\n---", nil},
		{"unicode", "Ça marche. Über alles!", []string{"Ça marche.", "Über alles!"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, s := range Split(tt.text) {
				got = append(got, s.Text)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Split(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestSplit_Headings(t *testing.T) {
	got := Split("Intro.\n\n## Part one\n\nIn part one.\n\n### Deeper\n\nDeep.")
	want := []string{"", "Part one", "Deeper"}
	if len(got) != len(want) {
		t.Fatalf("%d sentences: %+v", len(got), got)
	}
	for i, s := range got {
		if s.Heading != want[i] {
			t.Errorf("sentence %d heading %q, want %q", i, s.Heading, want[i])
		}
	}
}

func FuzzSplit(f *testing.F) {
	for _, s := range []string{"One. Two.", "# H\n\n- a. b\n```\nx\n```", "e.g. J. “Q.” ok!", "\xff. \xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		prev := 0
		for _, s := range Split(text) {
			if s.Start < prev || s.End <= s.Start || s.End > len(text) {
				t.Fatalf("span %d..%d out of order or range (prev %d, len %d)", s.Start, s.End, prev, len(text))
			}
			if text[s.Start:s.End] != s.Text || strings.TrimSpace(s.Text) != s.Text {
				t.Fatalf("span text %q is not text[%d:%d] trimmed", s.Text, s.Start, s.End)
			}
			if strings.Contains(s.Text, "\n") {
				t.Fatalf("sentence %q crosses a line", s.Text)
			}
			prev = s.End
		}
	})
}

// TestSplit_CurlyQuotesStay: a closing curly quote (a multi-byte rune)
// stays with the sentence it ends, as a straight one does.
func TestSplit_CurlyQuotesStay(t *testing.T) {
	text := "He said “stop.” Then he left."
	var got []string
	for _, s := range Split(text) {
		got = append(got, text[s.Start:s.End])
	}
	if len(got) != 2 || got[0] != "He said “stop.”" {
		t.Errorf("Split(%q) = %q", text, got)
	}
}
