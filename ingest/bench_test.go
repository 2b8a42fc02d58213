package ingest

import (
	"fmt"
	"strings"
	"testing"
)

func syntheticRSS(items int) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Bench</title><link>https://bench.example.com/</link>`)
	for i := range items {
		fmt.Fprintf(&b, `<item><title>Post %d</title><link>/p/%d</link><guid>https://bench.example.com/p/%d</guid><pubDate>Mon, 02 Jan 2006 15:04:05 GMT</pubDate><content:encoded><![CDATA[%s]]></content:encoded></item>`,
			i, i, i, syntheticHTML(2000))
	}
	b.WriteString(`</channel></rss>`)
	return []byte(b.String())
}

func syntheticHTML(size int) string {
	var b strings.Builder
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "<h2>Section %d</h2><p>Some <em>text</em> about fsync &amp; write-ahead logs, paragraph %d.</p><ul><li>one</li><li>two</li></ul><pre><code>x := %d\n</code></pre>", i, i, i)
	}
	return b.String()
}

func benchmarkParseRSS(b *testing.B, items int) {
	data := syntheticRSS(items)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		posts, err := Parse(data, "https://bench.example.com/feed.xml")
		if err != nil || len(posts) != items {
			b.Fatal(err, len(posts))
		}
	}
}

func BenchmarkParse_RSS_10(b *testing.B)   { benchmarkParseRSS(b, 10) }
func BenchmarkParse_RSS_100(b *testing.B)  { benchmarkParseRSS(b, 100) }
func BenchmarkParse_RSS_1000(b *testing.B) { benchmarkParseRSS(b, 1000) }

func benchmarkHTMLToText(b *testing.B, size int) {
	src := syntheticHTML(size)
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if htmlToText(src) == "" {
			b.Fatal("empty")
		}
	}
}

func BenchmarkHTMLToText_1K(b *testing.B)   { benchmarkHTMLToText(b, 1<<10) }
func BenchmarkHTMLToText_10K(b *testing.B)  { benchmarkHTMLToText(b, 10<<10) }
func BenchmarkHTMLToText_100K(b *testing.B) { benchmarkHTMLToText(b, 100<<10) }

func syntheticMarkdown(size int) string {
	var b strings.Builder
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "## Section %d\n\nSome _text_ about **fsync** &amp; [write-ahead logs](https://x.example/%d),\nparagraph %d.\n\n- one\n  - two `code`\n\n```go\nx := %d\n```\n\n", i, i, i, i)
	}
	return b.String()
}

func benchmarkMarkdownToText(b *testing.B, size int) {
	src := syntheticMarkdown(size)
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if markdownToText(src) == "" {
			b.Fatal("empty")
		}
	}
}

func BenchmarkMarkdownToText_1K(b *testing.B)   { benchmarkMarkdownToText(b, 1<<10) }
func BenchmarkMarkdownToText_10K(b *testing.B)  { benchmarkMarkdownToText(b, 10<<10) }
func BenchmarkMarkdownToText_100K(b *testing.B) { benchmarkMarkdownToText(b, 100<<10) }
