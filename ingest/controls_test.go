package ingest

import (
	"strings"
	"testing"

	"github.com/semsearch/semsearch"
)

func TestDropControls(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain kept", "a b\tc\nd é", "a b\tc\nd é"},
		{"clear screen CSI", "a\x1b[2Jb", "ab"},
		{"SGR colour", "\x1b[1;31mred\x1b[0m", "red"},
		{"OSC title with BEL", "x\x1b]0;owned\x07y", "xy"},
		{"OSC 8 hyperlink with ST", "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\", "click"},
		{"BEL NUL DEL", "a\x07b\x00c\x7fd", "abcd"},
		{"C1 CSI", "a\u009b2Jb", "ab"},
		{"C1 OSC with C1 ST", "a\u009d0;t\u009cb", "ab"},
		{"other C1 dropped", "a\u0085b\u0080c", "a bc"},
		{"two-byte escape", "a\x1bcb", "ab"},
		{"charset escape", "a\x1b(Bb", "ab"},
		{"lone ESC at end", "a\x1b", "a"},
		{"unterminated OSC loses its introducer", "a\x1b]0;t", "a0;t"},
		{"malformed CSI loses its introducer", "a\x1b[\u00e9", "a\u00e9"},
		{"carriage return vertical tab form feed become spaces", "a\rb\vc\fd", "a b c d"},
		{"invalid UTF-8", "a\xffb", "a\ufffdb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := dropControls(tt.in); got != tt.want {
				t.Errorf("dropControls(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// hostile holds the sequences a feed could use against a terminal: clear
// the screen, retitle the window, forge an OSC 8 link, ring the bell, NUL,
// and the one-byte C1 CSI.
const hostile = "\x1b[2J\x1b]0;retitled\x07\x1b]8;;https://evil.example/\x1b\\link\x1b]8;;\x1b\\\x07\x00\u009b31m"

// jsonHostile is hostile as JSON string escapes.
const jsonHostile = `\u001b[2J\u001b]0;retitled\u0007\u001b]8;;https://evil.example/\u001b\\link\u001b]8;;\u001b\\\u0007\u0000\u009b31m`

// Every format drops C0/C1 controls (but newline and tab) from every text
// field, escape sequences whole, so nothing a terminal acts on is stored.
func TestParse_DropsControls(t *testing.T) {
	long := strings.Repeat("Durable storage needs care with fsync and rename. ", 8)
	tests := []struct {
		name, data, base string
		title            string // "" skips the check
	}{
		{"json feed", `{"version":"https://jsonfeed.org/version/1.1","title":"Feed` + jsonHostile + `","items":[{"id":"1` + jsonHostile + `","title":"Title` + jsonHostile + `","content_text":"Body` + jsonHostile + ` text.\n\n` + "```" + `\ncode` + jsonHostile + `\n` + "```" + `","summary":"Sum` + jsonHostile + `","tags":["go` + jsonHostile + `"],"authors":[{"name":"Ann` + jsonHostile + `"}]}]}`,
			"https://x.example/feed.json", "Titlelink"},
		{"json feed html content", `{"version":"https://jsonfeed.org/version/1.1","items":[{"id":"1","title":"<b>T</b>` + jsonHostile + `","content_html":"<p>Body` + jsonHostile + `</p><pre>x` + jsonHostile + `</pre>"}]}`,
			"https://x.example/feed.json", "Tlink"},
		{"rss", "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Feed" + hostile + "</title><item><title>Title" + hostile + "</title><category>go" + hostile + "</category><author>ann" + hostile + "</author><description>Body" + hostile + "</description></item></channel></rss>",
			"https://x.example/feed", "Titlelink"},
		{"html page", "<html><head><title>Title" + hostile + "</title><meta name=author content=\"Ann" + hostile + "\"></head><body><article><h1>Title" + hostile + "</h1><p>" + long + hostile + "</p><pre>code" + hostile + "</pre></article></body></html>",
			"https://x.example/p", "Titlelink"},
		{"markdown with front matter", "---\ntitle: \"Title\\e[2J\\a\"\ntags: [\"go\\e]0;x\\a\"]\nauthor: \"Ann\\0\"\n---\nBody" + hostile + "\n\n## Sec" + hostile + "\n\n```\ncode" + hostile + "\n```\n",
			"file:///notes/a.md", "Title"},
		{"plain text", "Title" + hostile + "\n\nBody" + hostile + " text.\n",
			"file:///notes/a.txt", "Titlelink"},
		{"text listing", "First" + hostile + "\n2024-05-01\nSummary" + hostile + ".\nGo · Rust" + hostile + "\n2024-04-01\nSecond summary.\n",
			"file:///notes/index.txt", "Firstlink"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			posts, err := Parse([]byte(tt.data), tt.base)
			if err != nil {
				t.Fatal(err)
			}
			if tt.title != "" && posts[0].Title != tt.title {
				t.Errorf("title %q, want %q", posts[0].Title, tt.title)
			}
			for _, p := range posts {
				for field, v := range postFields(p) {
					for _, r := range v {
						if isControl(r) && !(field == "text" && (r == '\n' || r == '\t')) {
							t.Errorf("%s keeps control U+%04X: %q", field, r, v)
							break
						}
					}
					for _, junk := range []string{"[2J", "retitled", "evil.example", "31m"} {
						if strings.Contains(v, junk) {
							t.Errorf("%s keeps the rest of an escape sequence (%q): %q", field, junk, v)
						}
					}
				}
			}
		})
	}
}

// postFields names every string a post carries to a reader.
func postFields(p semsearch.Post) map[string]string {
	return map[string]string{
		"id": p.ID, "title": p.Title, "url": p.URL, "summary": p.Summary, "text": p.Text,
		"reading_time": p.ReadingTime, "source_title": p.Source.Title, "source_url": p.Source.URL,
		"authors": strings.Join(p.Authors, "|"), "tags": strings.Join(p.Tags, "|"),
	}
}
