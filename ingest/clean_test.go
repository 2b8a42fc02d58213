package ingest

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/semsearch/semsearch"
	"golang.org/x/net/html"
)

func TestHTMLToText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"paragraphs", "<p>One\n  two</p><p>Three</p>", "One two\n\nThree"},
		{"headings keep level", "<h1>A</h1><h3>B <em>c</em></h3><p>d</p>", "# A\n\n### B c\n\nd"},
		{"lists", "<ul><li>x</li><li>y <b>z</b></li></ul><ol><li>n</li></ol>", "- x\n\n- y z\n\n- n"},
		{"nested list", "<ul><li>a<ul><li>b</li></ul></li></ul>", "- a\n\n- b"},
		{"code fence with lang", "<pre><code class=\"language-go\">if x {\n\treturn\n}\n</code></pre>", "```go\nif x {\n\treturn\n}\n```"},
		{"hash line in code is not a heading", "<pre># comment\nx</pre>", "```\n# comment\nx\n```"},
		{"entities decoded", "<p>a &amp; b &lt;c&gt; &mdash; &#8217; &nbsp;x</p>", "a & b <c> — ’ x"},
		{"scripts styles nav dropped", "<nav>menu</nav><script>x()</script><style>p{}</style><p>body</p><footer>foot</footer>", "body"},
		{"tracking pixel and iframe", "<p>text<img src=p.gif width=1 height=1></p><iframe src=x>f</iframe>", "text"},
		{"hidden", "<p hidden>h</p><p style=\"display: none\">n</p><p aria-hidden=true>a</p><p>v</p>", "v"},
		{"br splits", "<p>line one<br>line two</p>", "line one\n\nline two"},
		{"table rows", "<table><tr><th>k</th><th>v</th></tr><tr><td>a</td><td>1</td></tr></table>", "k | v\n\na | 1"},
		{"NFC", "<p>cafe\u0301</p>", "caf\u00e9"},
		{"zero width removed", "<p>a\u200bb\u00adc</p>", "abc"},
		{"inline fence neutralised", "<p>```not a fence</p>", "``not a fence"},
		{"empty", "<div> <span> </span></div>", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := htmlToText(tt.in); got != tt.want {
				t.Errorf("htmlToText(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestMarkdownToText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"wrapped paragraph joined", "one\ntwo\n\nthree", "one two\n\nthree"},
		{"atx and setext headings", "# A #\n\nB\n---\n\ntext", "# A\n\n## B\n\ntext"},
		{"list markers normalised", "* a\n+ b\n1. c\n2) d", "- a\n\n- b\n\n- c\n\n- d"},
		{"links images emphasis", "See [docs](http://x) ![img](i.png) **bold** *it* `code`", "See docs bold it `code`"},
		{"fence kept verbatim", "```sh\n# not heading\n  indented\n```", "```sh\n# not heading\n  indented\n```"},
		{"tilde fence", "~~~\nx\n~~~", "```\nx\n```"},
		{"rules and link defs dropped", "a\n\n---\n\n[1]: http://x\n\nb", "a\n\nb"},
		{"entities", "fish &amp; chips", "fish & chips"},
		{"escapes", `2 \* 3 \_x\_`, "2 * 3 _x_"},
		{"quote", "> quoted\n> more", "quoted more"},
		{"indented code block", "text\n\n    code line\n      # not heading\n\nafter", "text\n\n```\ncode line\n  # not heading\n```\n\nafter"},
		{"underscore and star emphasis", "_em_, *em*, **strong**, __strong__, ***both***", "em, em, strong, strong, both"},
		{"intraword underscores are text", "a snake_case_name and 2 * 3 * 4", "a snake_case_name and 2 * 3 * 4"},
		{"nested lists", "- a\n  - b\n    1. c\n- d", "- a\n\n- b\n\n- c\n\n- d"},
		{"list item with two paragraphs", "- a\n\n  more\n- b", "- a\n\nmore\n\n- b"},
		{"list item holding code", "1. run\n\n   ```sh\n   make\n   ```", "- run\n\n```sh\nmake\n```"},
		{"links keep their text", "[inline](http://x \"t\"), [ref][r], [collapsed][] and <https://a.example/p>\n\n[r]: http://y\n[collapsed]: http://z", "inline, ref, collapsed and https://a.example/p"},
		{"images dropped", "![alt text](i.png) after [![badge](b.svg)](http://x)", "after"},
		{"table rows", "| a | b |\n|---|:-:|\n| 1 | **2** |", "a | b\n\n1 | 2"},
		{"html block", "<div class=\"note\">\n<p>Inside <em>html</em></p>\n</div>\n\nafter", "Inside html\n\nafter"},
		{"html comment and script dropped", "<!-- hidden -->\n\n<script>x()</script>\n\nshown", "shown"},
		{"inline html tags dropped, lookalikes kept", "press <kbd>Ctrl</kbd>+<b>C</b>, a<br>b, Vec<T> and <!-- c -->done", "press Ctrl+C, a b, Vec<T> and done"},
		{"strikethrough", "~~old~~ new", "old new"},
		{"heading with markup", "## A *b* [c](d) `e`", "## A b c `e`"},
		{"quoted list", "> - a\n> - b", "- a\n\n- b"},
		{"hard line break", "a  \nb\\\nc", "a b c"},
		{"fence info", "```go title=x\nx\n```\n\n~~~{.py}\ny\n~~~", "```go\nx\n```\n\n```\ny\n```"},
		{"code span with backtick", "``a`b``", "`a`b`"},
		{"escaped entity stays", `\&amp; and &copy;`, "&amp; and ©"},
		{"controls dropped", "a\x1b[2Jb\x00c\a", "abc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := markdownToText(tt.in); got != tt.want {
				t.Errorf("markdownToText(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestSplitTextListing(t *testing.T) {
	long := func(s string) string { return s + strings.Repeat(" more words here", 20) + " and then it is cut mid" }
	tests := []struct {
		name    string
		in      string
		ok      bool
		titles  []string
		derived []bool
		dates   []string
	}{
		{"dated blocks", "First post\n2024-05-01\nSummary one.\nGo · Rust\n3 minutes\n2024-04-01\nUntitled entry text. More.\nGo\nSecond titled\n2024-03-01\nSummary three.\n",
			true, []string{"First post", "Untitled entry text", "Second titled"}, []bool{false, true, false}, []string{"2024-05-01", "2024-04-01", "2024-03-01"}},
		{"inline date summary", "Header\nTagline.\n\nAlpha\n2021-01-02Alpha summary.\n\nBeta\n2020-12-31Beta summary.\n",
			true, []string{"Alpha", "Beta"}, []bool{false, false}, []string{"2021-01-02", "2020-12-31"}},
		{"month-name dates", "One\nMarch 3, 2022\nText one.\n\nTwo\nFebruary 1, 2022\nText two.\n",
			true, []string{"One", "Two"}, []bool{false, false}, []string{"2022-03-03", "2022-02-01"}},
		{"cut-off excerpts", long("Alpha begins here.") + "\nComments\n" + long("Beta begins here.") + "\n",
			true, []string{"Alpha begins here", "Beta begins here"}, []bool{true, true}, nil},
		{"ordinary prose is not a listing", "A title\n\nJust a paragraph. Written on 2024-01-01 in passing.\n", false, nil, nil, nil},
		{"complete long lines are not excerpts", long("x") + ".\n" + long("y") + ".\n", false, nil, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			posts, ok := splitTextListing(tt.in)
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v", ok, tt.ok)
			}
			if len(posts) != len(tt.titles) {
				t.Fatalf("got %d posts, want %d: %+v", len(posts), len(tt.titles), posts)
			}
			for i, p := range posts {
				if p.Title != tt.titles[i] || p.TitleDerived != tt.derived[i] {
					t.Errorf("post %d: title %q derived %v, want %q %v", i, p.Title, p.TitleDerived, tt.titles[i], tt.derived[i])
				}
				if tt.dates != nil && p.Published.Format("2006-01-02") != tt.dates[i] {
					t.Errorf("post %d: date %v, want %s", i, p.Published, tt.dates[i])
				}
			}
		})
	}
	posts, _ := splitTextListing("First post\n2024-05-01\nSummary one.\nGo · Rust · Go\n3 minutes\n2024-04-01\nx y z.\n")
	if p := posts[0]; p.ReadingTime != "3 minutes" || strings.Join(p.Tags, ",") != "Go,Rust" || p.Text != "Summary one." {
		t.Errorf("first post: %+v", p)
	}
}

func TestSplitFrontMatter(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		ok      bool
		wantErr bool
		title   string
		date    string
		tags    []string
		authors []string
		body    string
	}{
		{name: "yaml", in: "---\ntitle: Hello\ndate: 2024-01-02T03:04:05Z\ntags: [a, b]\nauthor: Ann\n---\nbody\n", ok: true,
			title: "Hello", date: "2024-01-02", tags: []string{"a", "b"}, authors: []string{"Ann"}, body: "body\n"},
		{name: "yaml string tags and date", in: "---\ntitle: \"Q\"\ndate: 2023-12-31\ntags: x, y\n---\n", ok: true,
			title: "Q", date: "2023-12-31", tags: []string{"x", "y"}},
		{name: "toml", in: "+++\ntitle = \"T\"\ndate = 2022-02-02\ncategories = [\"c\"]\nauthors = [\"A\", \"B\"]\n+++\nrest", ok: true,
			title: "T", date: "2022-02-02", tags: []string{"c"}, authors: []string{"A", "B"}, body: "rest"},
		{name: "none", in: "# Just markdown\n", ok: false, body: "# Just markdown\n"},
		{name: "unterminated", in: "---\ntitle: x\n", ok: true, wantErr: true},
		{name: "bad yaml", in: "---\ntitle: [unclosed\n---\n", ok: true, wantErr: true},
		{name: "bad toml", in: "+++\ntitle = \n+++\n", ok: true, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fm, body, ok, err := splitFrontMatter([]byte(tt.in))
			if ok != tt.ok || (err != nil) != tt.wantErr {
				t.Fatalf("ok=%v err=%v", ok, err)
			}
			if err != nil {
				return
			}
			if fm.Title != tt.title || string(body) != tt.body {
				t.Errorf("title %q body %q", fm.Title, body)
			}
			if tt.date != "" && fm.Date.Format("2006-01-02") != tt.date {
				t.Errorf("date %v, want %s", fm.Date, tt.date)
			}
			if strings.Join(fm.Tags, ",") != strings.Join(tt.tags, ",") || strings.Join(fm.Authors, ",") != strings.Join(tt.authors, ",") {
				t.Errorf("tags %q authors %q", fm.Tags, fm.Authors)
			}
		})
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		in   string
		want Format
	}{
		{`<?xml version="1.0"?><rss version="2.0">`, FormatFeed},
		{"\ufeff<?xml version=\"1.0\"?>\n<!-- c --><feed xmlns=\"http://www.w3.org/2005/Atom\">", FormatFeed},
		{`<rdf:RDF xmlns:rdf="x">`, FormatFeed},
		{` {"version":"https://jsonfeed.org/version/1"}`, FormatFeed},
		{`<?xml version="1.0"?><opml version="2.0">`, FormatOPML},
		{"<!DOCTYPE html><html>", FormatHTML},
		{"<html><body>", FormatHTML},
		{"<div>fragment</div>", FormatHTML},
		{"---\ntitle: x\n---\n", FormatMarkdown},
		{"+++\ntitle = 'x'\n+++\n", FormatMarkdown},
		{"# Heading\n\ntext", FormatText},
		{"plain words", FormatText},
	}
	for _, tt := range tests {
		if got := Detect([]byte(tt.in)); got != tt.want {
			t.Errorf("Detect(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestCheckXML(t *testing.T) {
	deep := strings.Repeat("<a>", 201) + strings.Repeat("</a>", 201)
	flat := strings.Repeat("<a>x</a>", 10000)
	tests := []struct {
		name string
		in   string
		bad  bool
	}{
		{"entity", `<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>`, true},
		{"too deep", deep, true},
		{"200 deep is fine", strings.Repeat("<a>", 200) + strings.Repeat("</a>", 200), false},
		{"wide is fine", flat, false},
		{"self-closing does not nest", strings.Repeat("<a/>", 1000), false},
		{"markup in CDATA and comments ignored", "<x><![CDATA[" + strings.Repeat("<a>", 300) + "]]><!--" + strings.Repeat("<a>", 300) + "--></x>", false},
		{"external DOCTYPE allowed", `<!DOCTYPE rss PUBLIC "-//Netscape//DTD RSS 0.91//EN" "http://x/rss.dtd"><rss/>`, false},
	}
	for _, tt := range tests {
		err := checkXML([]byte(tt.in))
		if (err != nil) != tt.bad || (err != nil && !errors.Is(err, ErrUnsafeXML)) {
			t.Errorf("%s: err = %v, want bad=%v", tt.name, err, tt.bad)
		}
	}
}

func TestDeriveTitle(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Short sentence here. Then more.", "Short sentence here"},
		{"## Heading line\n\nbody", "Heading line"},
		{"e.g. an abbreviation at start is kept. Next.", "e.g. an abbreviation at start is kept"},
		{strings.Repeat("word ", 40), "word word word word word word word word word word word word word word word word word word…"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := deriveTitle(tt.in); got != tt.want {
			t.Errorf("deriveTitle(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// ID precedence: feed GUID, else canonical URL, else content hash; short
// GUIDs are scoped by their source.
func TestFinishPost_ID(t *testing.T) {
	tests := []struct {
		name, guid, url, source, want string
	}{
		{"url guid", "https://a.example/p/1", "https://a.example/x", "", "https://a.example/p/1"},
		{"tag uri guid", "tag:a.example,2024:1", "", "", "tag:a.example,2024:1"},
		{"short guid scoped", "42", "https://a.example/p", "https://a.example/feed", "https://a.example/feed#42"},
		{"url", "", "https://a.example/p", "", "https://a.example/p"},
	}
	for _, tt := range tests {
		p := semsearch.Post{Title: "T", Text: "x", URL: tt.url, Source: semsearch.Source{URL: tt.source}}
		finishPost(&p, tt.guid)
		if p.ID != tt.want {
			t.Errorf("%s: id %q, want %q", tt.name, p.ID, tt.want)
		}
	}
	p := semsearch.Post{Title: "T", Text: "x"}
	finishPost(&p, "")
	// sha256("T\nx")
	if p.ID != "sha256:"+p.ContentHash || p.ContentHash != "f88a6430b8d9124a12716a8968239053193554deb7d5a9c55a4d6628bcf3f9d8" {
		t.Errorf("hash id %q hash %q", p.ID, p.ContentHash)
	}
	q := semsearch.Post{Title: "T", Updated: time.Date(2024, 1, 2, 0, 0, 0, 0, time.FixedZone("x", 3600)), Summary: "only a summary"}
	finishPost(&q, "")
	if q.Text != "only a summary" || !q.Published.Equal(q.Updated) || q.Published.Location() != time.UTC {
		t.Errorf("fallbacks: %+v", q)
	}
}

func TestListingEntries(t *testing.T) {
	para := "<p>" + strings.Repeat("Long article prose about durable storage. ", 40) + "</p>"
	card := func(i int) string {
		return fmt.Sprintf(`<div class="card"><h3><a href="/p/%d">Post %d</a></h3><p>Short teaser %d.</p></div>`, i, i, i)
	}
	cards := card(1) + card(2) + card(3)
	tests := []struct {
		name string
		page string
		want int
	}{
		{"index of cards", "<html><body><main>" + cards + "</main></body></html>", 3},
		{"article with related cards", "<html><body><main><h1>Title</h1>" + para + "<section>" + cards + "</section></main></body></html>", 0},
		{"single article element", "<html><body><article><h1>Title</h1>" + para + "</article>" + cards + "</body></html>", 0},
		{"article elements", "<html><body><article><h2>A</h2><p>a</p></article><article><h2>B</h2><p>b</p></article></body></html>", 2},
	}
	for _, tt := range tests {
		doc, err := html.Parse(strings.NewReader(tt.page))
		if err != nil {
			t.Fatal(err)
		}
		if got := len(listingEntries(doc)); got != tt.want {
			t.Errorf("%s: %d entries, want %d", tt.name, got, tt.want)
		}
	}
}

// Paragraphs never read as headings or fences to the chunker.
func TestTextBuilder_EscapesMarkers(t *testing.T) {
	if got := htmlToText("<p># of users</p><li>## not a heading</li><h2># real</h2>"); got != "\\# of users\n\n- ## not a heading\n\n## # real" {
		t.Errorf("got %q", got)
	}
	if got := markdownToText("Text\n\n\\# literal"); got != "Text\n\n\\# literal" {
		t.Errorf("got %q", got)
	}
	// A control character dropped at ingest cannot unmask a marker.
	if got := htmlToText("<p>\a# bell</p><pre>`\a``\nx</pre>"); got != "\\# bell\n\n```\n` `\nx\n```" {
		t.Errorf("got %q", got)
	}
}
