package search

import (
	"html"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestHighlight(t *testing.T) {
	tests := []struct {
		name, text, query string
		window            int
		want              string
	}{
		{"simple", "Power loss and fsync", "power", -1, "<mark>Power</mark> loss and fsync"},
		{"case and stem", "Writes are written; the writer writes", "writing", -1,
			"<mark>Writes</mark> are <mark>written</mark>; the <mark>writer</mark> <mark>writes</mark>"},
		{"word boundary", "cat concatenate cat's", "cat", -1, "<mark>cat</mark> concatenate <mark>cat</mark>&#39;s"},
		{"short term exact only", "go gopher going", "go", -1, "<mark>go</mark> gopher going"},
		{"stopwords skipped", "the cat and the hat", "the and cat", -1, "the <mark>cat</mark> and the hat"},
		{"escaping", `<script>alert("x")</script> & cat`, "script cat", -1,
			`&lt;<mark>script</mark>&gt;alert(&#34;x&#34;)&lt;/<mark>script</mark>&gt; &amp; <mark>cat</mark>`},
		{"query markup is text", "a <b> tag", "<b>", -1, "a &lt;<mark>b</mark>&gt; tag"},
		{"no terms", "<i>plain</i>", "", -1, "&lt;i&gt;plain&lt;/i&gt;"},
		{"unicode", "Über größe Straße", "straße", -1, "Über größe <mark>Straße</mark>"},
		{"window", strings.Repeat("lorem ipsum ", 50) + "needle " + strings.Repeat("dolor sit ", 50), "needle", 60,
			"…lorem ipsum <mark>needle</mark> dolor sit dolor sit dolor sit dolor…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plain, marked := highlight(tt.text, queryTerms(tt.query), tt.window)
			if marked != tt.want {
				t.Fatalf("highlight =\n%q\nwant\n%q", marked, tt.want)
			}
			checkHighlight(t, plain, marked)
		})
	}
}

// checkHighlight asserts the invariants: only <mark> tags are raw markup,
// and removing them and unescaping gives the plain text.
func checkHighlight(t *testing.T, plain, marked string) {
	t.Helper()
	stripped := strings.ReplaceAll(strings.ReplaceAll(marked, "<mark>", ""), "</mark>", "")
	if strings.ContainsAny(stripped, "<>\"'") {
		t.Fatalf("raw markup outside <mark> in %q", marked)
	}
	if html.UnescapeString(stripped) != plain {
		t.Fatalf("unescaped highlight %q != plain %q", html.UnescapeString(stripped), plain)
	}
	if strings.Count(marked, "<mark>") != strings.Count(marked, "</mark>") {
		t.Fatalf("unbalanced marks in %q", marked)
	}
}

func FuzzHighlight(f *testing.F) {
	f.Add("Power <b>loss</b> & fsync", "power loss", 40)
	f.Add("日本語のテキスト with mixed 文字", "mixed", 10)
	f.Add("\xff\xfe broken utf8", "broken", 5)
	f.Fuzz(func(t *testing.T, text, query string, window int) {
		if !utf8.ValidString(text) {
			text = strings.ToValidUTF8(text, "�")
		}
		plain, marked := highlight(text, queryTerms(query), window%1000)
		if !utf8.ValidString(plain) || !utf8.ValidString(marked) {
			t.Fatalf("invalid UTF-8 out of %q", text)
		}
		checkHighlight(t, plain, marked)
	})
}
