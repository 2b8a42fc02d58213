package ingest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/semsearch/semsearch/internal/testenv"
)

// addTestdata seeds a fuzz corpus with the repo's own testdata files.
func addTestdata(f *testing.F, pattern string) {
	f.Helper()
	addFiles(f, filepath.Join(testenv.RepoRoot(f), "testdata", pattern))
}

// addFiles adds every file matching the glob as a seed input.
func addFiles(f *testing.F, glob string) {
	f.Helper()
	files, _ := filepath.Glob(glob)
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
}

// checkText asserts the Post.Text shape on any cleaner output.
func checkText(t *testing.T, text string) {
	t.Helper()
	if !utf8.ValidString(text) {
		t.Fatalf("invalid UTF-8: %q", text)
	}
	if strings.Contains(text, "\n\n\n") || strings.TrimSpace(text) != text {
		t.Fatalf("whitespace not normalised: %q", text)
	}
	for _, r := range text {
		if isControl(r) && r != '\n' && r != '\t' {
			t.Fatalf("control U+%04X left: %q", r, text)
		}
	}
}

func FuzzSplitTextListing(f *testing.F) {
	f.Add([]byte("Title\n2024-01-02\nSummary text.\nA · B\n3 minutes\n2024-01-01\nUntitled summary.\n"))
	f.Add([]byte("Blog\n\nOne\n2021-04-18Summary one.\n\nTwo\n2021-03-25Summary two.\n"))
	f.Add([]byte(strings.Repeat(strings.Repeat("word ", 50)+"cut mid\n", 3)))
	addTestdata(f, "notes/*.txt")
	f.Fuzz(func(t *testing.T, data []byte) {
		posts, ok := splitTextListing(string(data))
		if !ok && len(posts) > 0 {
			t.Fatal("posts returned with ok=false")
		}
		for _, p := range posts {
			if p.Title == "" && p.Text == "" {
				t.Fatal("empty post")
			}
			if len(p.ContentHash) != 64 || p.ID == "" {
				t.Fatalf("unfinished post %+v", p)
			}
			checkText(t, p.Text)
		}
	})
}

func FuzzHTMLToText(f *testing.F) {
	f.Add("<h2>T</h2><p>a &amp; b</p><ul><li>x<li>y</ul><pre><code class=language-go>x := 1\n</code></pre>")
	f.Add("<script>alert(1)</script><nav>menu</nav><p hidden>h</p><table><tr><td>a<td>b</table>")
	f.Add(strings.Repeat("<div>", 1000) + "deep")
	f.Add("<pre>```\n# not a heading\n```</pre>")
	f.Fuzz(func(t *testing.T, src string) {
		text := htmlToText(src)
		checkText(t, text)
		// Code fences must stay balanced so the chunker can trust them.
		if strings.Count(text, "```")%2 != 0 {
			t.Fatalf("unbalanced fences: %q", text)
		}
	})
}

func FuzzMarkdownToText(f *testing.F) {
	addTestdata(f, "notes/*.md")
	f.Add([]byte("# T\n\n_em_ *em* **b** [l](u) ![i](p)\n\n- a\n  - b\n\n    indented\n\n```go\n# x\n```\n"))
	f.Add([]byte("| a | b |\n|---|---|\n| 1 | 2 |\n\n<div>\n<p>h</p>\n</div>\n\n> q\n> - l\n"))
	f.Add([]byte("~~~\n```\n~~~\n\n`` ` `` \\# x \x1b[2J\x00 &amp; <T>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		text := markdownToText(string(data))
		checkText(t, text)
		// Code fences must stay balanced so the chunker can trust them.
		if strings.Count(text, "```")%2 != 0 {
			t.Fatalf("unbalanced fences: %q", text)
		}
	})
}

func FuzzParse(f *testing.F) {
	addTestdata(f, "feeds/*")
	addTestdata(f, "pages/*")
	addFiles(f, "testdata/broken/*")
	addTestdata(f, "notes/*")
	f.Add([]byte(`{"version":"https://jsonfeed.org/version/1.1","items":[{"id":"1","content_text":"x"}]}`))
	f.Add([]byte(`<rss version="2.0"><channel><item><title>t</title></item></channel></rss>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		posts, err := Parse(data, "https://example.com/feed")
		if err != nil && len(posts) > 0 {
			t.Fatal("posts and error together")
		}
		if err == nil && len(posts) == 0 {
			t.Fatal("no posts and no error")
		}
		for _, p := range posts {
			if p.ID == "" || len(p.ContentHash) != 64 {
				t.Fatalf("unfinished post %+v", p)
			}
			checkText(t, p.Text)
		}
	})
}

func FuzzParseOPML(f *testing.F) {
	addTestdata(f, "*.opml")
	f.Add([]byte(`<opml><body><outline xmlUrl="a"/><outline><outline url="b"/></outline></body></opml>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		feeds, err := parseOPML(data)
		if err == nil && len(feeds) == 0 {
			t.Fatal("no feeds and no error")
		}
		seen := map[string]bool{}
		for _, fd := range feeds {
			if fd.URL == "" || seen[fd.URL] {
				t.Fatalf("empty or duplicate feed %q", fd.URL)
			}
			seen[fd.URL] = true
		}
	})
}

func FuzzSplitFrontMatter(f *testing.F) {
	addTestdata(f, "notes/*.md")
	f.Add([]byte("---\ntitle: x\ntags: a, b\ndate: 2024-01-02\n---\nbody"))
	f.Add([]byte("+++\ntitle = \"x\"\n+++\nbody"))
	f.Add([]byte("---\nunterminated"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fm, body, ok, err := splitFrontMatter(data)
		if err != nil {
			return
		}
		if !ok && len(body) != len(data) && len(body) != len(strings.TrimPrefix(string(data), "\ufeff")) {
			t.Fatalf("body changed without front matter")
		}
		if ok && len(body) > len(data) {
			t.Fatal("body longer than input")
		}
		_ = fm
	})
}

func FuzzCheckXML(f *testing.F) {
	addFiles(f, "testdata/broken/*.xml")
	f.Add([]byte("<a><b/><!-- <c> --><![CDATA[<d>]]></a>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = checkXML(data)
		if out, err := xmlToUTF8(data); err == nil && !utf8.Valid(out) {
			t.Fatal("xmlToUTF8 returned invalid UTF-8")
		}
	})
}
