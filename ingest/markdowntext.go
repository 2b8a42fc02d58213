package ingest

import (
	"bytes"
	"regexp"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
	"golang.org/x/net/html/atom"
)

// markdownParser is CommonMark plus GFM tables and strikethrough. A
// goldmark parser keeps no state between calls; it is safe for concurrent
// use and never modified after this.
var markdownParser = goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough)).Parser()

// markdownToText turns Markdown (or plain text, which is Markdown without
// markup) into Post.Text form by walking its CommonMark syntax tree:
// headings and code blocks (fenced or indented) kept, list items as "- "
// blocks, table rows as "a | b", HTML blocks through htmlToText, inline
// markup removed (link text and code spans kept, images dropped), wrapped
// lines joined.
func markdownToText(src string) string {
	source := dropEscapesAndNUL([]byte(src))
	doc := markdownParser.Parse(text.NewReader(source))
	w := mdWalker{src: source}
	w.block(doc, "")
	return w.b.String()
}

// mdWalker collects the blocks of one Markdown document.
type mdWalker struct {
	src []byte
	b   textBuilder
}

// block adds the blocks of n. prefix ("- ") goes before the first text
// block under n: a list item's marker.
func (w *mdWalker) block(n ast.Node, prefix string) string {
	switch n := n.(type) {
	case *ast.Paragraph, *ast.TextBlock:
		w.b.add(prefix + w.inline(n))
		return ""
	case *ast.Heading:
		w.b.addHeading(n.Level, w.inline(n))
		return ""
	case *ast.FencedCodeBlock:
		w.b.addCode(string(n.Lines().Value(w.src)), fenceLang(n.Language(w.src)))
		return prefix
	case *ast.CodeBlock:
		w.b.addCode(string(n.Lines().Value(w.src)), "")
		return prefix
	case *ast.HTMLBlock:
		raw := n.Lines().Value(w.src)
		if n.HasClosure() {
			raw = append(raw, n.ClosureLine.Value(w.src)...)
		}
		if t := htmlToText(string(raw)); t != "" {
			w.b.addClean(t)
		}
		return prefix
	case *ast.ThematicBreak:
		return prefix
	case *ast.ListItem:
		prefix = "- "
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			prefix = w.block(c, prefix)
		}
		return ""
	case *east.Table:
		for row := n.FirstChild(); row != nil; row = row.NextSibling() {
			var cells []string
			for c := row.FirstChild(); c != nil; c = c.NextSibling() {
				cells = append(cells, collapseSpace(w.inline(c)))
			}
			w.b.add(strings.Join(cells, " | "))
		}
		return prefix
	}
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		prefix = w.block(c, prefix)
	}
	return prefix
}

// inline is the plain text of n's inline children.
func (w *mdWalker) inline(n ast.Node) string {
	var sb strings.Builder
	w.inlineTo(&sb, n)
	return sb.String()
}

func (w *mdWalker) inlineTo(sb *strings.Builder, n ast.Node) {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Text:
			v := c.Segment.Value(w.src)
			if c.IsRaw() {
				sb.Write(v)
			} else {
				sb.WriteString(unescapeMarkdown(v))
			}
			if c.SoftLineBreak() || c.HardLineBreak() {
				sb.WriteByte(' ')
			}
		case *ast.String:
			if c.IsRaw() || c.IsCode() {
				sb.Write(c.Value)
			} else {
				sb.WriteString(unescapeMarkdown(c.Value))
			}
		case *ast.CodeSpan:
			sb.WriteByte('`')
			for t := c.FirstChild(); t != nil; t = t.NextSibling() {
				if t, ok := t.(*ast.Text); ok {
					sb.Write(bytes.ReplaceAll(t.Segment.Value(w.src), []byte("\n"), []byte(" ")))
				}
			}
			sb.WriteByte('`')
		case *ast.Image:
			// Alt text is mostly "image", "screenshot" or a file name; the
			// HTML path drops images too.
		case *ast.AutoLink:
			sb.Write(c.Label(w.src))
		case *ast.RawHTML:
			w.rawHTML(sb, c)
		default: // emphasis, links, strikethrough: their text
			w.inlineTo(sb, c)
		}
	}
}

// rawHTML drops an inline HTML tag or comment, but keeps what only looks
// like one: "Vec<T>" or "a <b> c" with an unknown element name are text.
func (w *mdWalker) rawHTML(sb *strings.Builder, n *ast.RawHTML) {
	var raw []byte
	for i := 0; i < n.Segments.Len(); i++ {
		s := n.Segments.At(i)
		raw = append(raw, s.Value(w.src)...)
	}
	if m := htmlTagName.FindSubmatch(raw); m != nil && atom.Lookup(bytes.ToLower(m[1])) == 0 {
		sb.Write(raw)
		return
	}
	if bytes.HasPrefix(bytes.ToLower(raw), []byte("<br")) {
		sb.WriteByte(' ')
	}
}

var (
	htmlTagName = regexp.MustCompile(`^</?([A-Za-z][A-Za-z0-9-]*)`)
	fenceLangRe = regexp.MustCompile(`^[\w+#.-]*`)
)

// fenceLang keeps the part of a fence's info string that names a language.
func fenceLang(info []byte) string {
	return string(fenceLangRe.Find(info))
}

// unescapeMarkdown resolves what CommonMark resolves in text: a backslash
// before ASCII punctuation makes it literal, and entity and numeric
// references are decoded (but not an escaped "\&amp;").
func unescapeMarkdown(v []byte) string {
	if bytes.IndexByte(v, '\\') < 0 {
		return decodeEntities(string(v))
	}
	var sb strings.Builder
	start := 0
	for i := 0; i+1 < len(v); i++ {
		if v[i] == '\\' && util.IsPunct(v[i+1]) {
			sb.WriteString(decodeEntities(string(v[start:i])))
			sb.WriteByte(v[i+1])
			i++
			start = i + 1
		}
	}
	sb.WriteString(decodeEntities(string(v[start:])))
	return sb.String()
}
