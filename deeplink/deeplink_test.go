package deeplink

import (
	"net/url"
	"strings"
	"testing"
)

func TestEncode(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain words", "plain%20words"},
		{"a-b,c&d", "a%2Db%2Cc%26d"},
		{"100% #1", "100%25%20%231"},
		{"café", "caf%C3%A9"},
		{"what? (yes): ok!", "what?%20(yes):%20ok!"},
	}
	for _, tt := range tests {
		if got := Encode(tt.in); got != tt.want {
			t.Errorf("Encode(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if dec, err := url.PathUnescape(Encode(tt.in)); err != nil || dec != tt.in {
			t.Errorf("Encode(%q) does not round-trip: %q %v", tt.in, dec, err)
		}
	}
}

func TestLink(t *testing.T) {
	text := "# Durability\n\nA successful write only means the data reached the page cache.\n\n" +
		"## Fsync\n\nCall fsync on the file, then fsync the directory, or a crash can lose the new name entirely after all.\n\n" +
		"Note: the data reached the page cache.\n\nThe end."
	at := func(s string) (int, int) {
		i := strings.Index(text, s)
		if i < 0 {
			t.Fatalf("%q not in text", s)
		}
		return i, i + len(s)
	}
	tests := []struct {
		name, url, passage, want string
	}{
		{"short line whole", "https://ex.com/p", "The end.", "https://ex.com/p#:~:text=The%20end."},
		{"long line start,end", "https://ex.com/p", "Call fsync on the file, then fsync the directory, or a crash can lose the new name entirely after all.",
			"https://ex.com/p#:~:text=Call%20fsync%20on%20the%20file%2C,new%20name%20entirely%20after%20all."},
		{"heading marks dropped, range over blocks", "https://ex.com/p", "## Fsync\n\nCall fsync on the file, then fsync the directory, or a crash can lose the new name entirely after all.",
			"https://ex.com/p#:~:text=Fsync,new%20name%20entirely%20after%20all."},
		{"existing fragment kept", "https://ex.com/p#fsync", "The end.", "https://ex.com/p#fsync:~:text=The%20end."},
		{"not unique: prefix", "https://ex.com/p", "the data reached the page cache.", "https://ex.com/p#:~:text=Note:-,the%20data%20reached%20the%20page%20cache."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, e := at(tt.passage)
			if tt.name == "not unique: prefix" {
				s, e = at("Note: the data reached")
				s += len("Note: ")
				e = s + len(tt.passage)
			}
			if got := Link(tt.url, text, s, e); got != tt.want {
				t.Errorf("Link = %q\n want %q", got, tt.want)
			}
		})
	}
	for _, bad := range [][2]int{{-1, 3}, {5, 5}, {0, len(text) + 1}} {
		if got := Link("https://ex.com/p", text, bad[0], bad[1]); got != "https://ex.com/p" {
			t.Errorf("range %v: %q", bad, got)
		}
	}
	if got := Link("", text, 0, 5); got != "" {
		t.Errorf("no URL: %q", got)
	}
}

func FuzzDirective(f *testing.F) {
	f.Add("# T\n\nsome text here, and more-text & so on", 0, 20)
	f.Fuzz(func(t *testing.T, text string, start, end int) {
		d := Directive(text, start, end)
		if d == "" {
			return
		}
		if !strings.HasPrefix(d, "text=") || strings.ContainsAny(d[5:], " &#\n") {
			t.Fatalf("bad directive %q", d)
		}
	})
}
