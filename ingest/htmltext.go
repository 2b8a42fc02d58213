package ingest

import (
	"regexp"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// maxHTMLDepth bounds the walker's recursion on pathological documents;
// anything nested deeper is dropped.
const maxHTMLDepth = 256

// skippedElements never contribute text: code, chrome, embedded media and
// forms.
var skippedElements = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true,
	atom.Nav: true, atom.Aside: true, atom.Footer: true, atom.Form: true,
	atom.Button: true, atom.Select: true, atom.Input: true, atom.Textarea: true,
	atom.Iframe: true, atom.Object: true, atom.Embed: true, atom.Svg: true,
	atom.Math: true, atom.Canvas: true, atom.Video: true, atom.Audio: true,
	atom.Img: true, atom.Picture: true, atom.Source: true, atom.Map: true,
	atom.Head: true, atom.Title: true, atom.Meta: true, atom.Link: true,
	atom.Dialog: true,
}

// blockElements end the current paragraph when they start and end.
var blockElements = map[atom.Atom]bool{
	atom.P: true, atom.Div: true, atom.Section: true, atom.Article: true,
	atom.Main: true, atom.Header: true, atom.Blockquote: true, atom.Figure: true,
	atom.Figcaption: true, atom.Ul: true, atom.Ol: true, atom.Dl: true,
	atom.Dt: true, atom.Dd: true, atom.Table: true, atom.Thead: true,
	atom.Tbody: true, atom.Tfoot: true, atom.Hr: true, atom.Address: true,
	atom.Details: true, atom.Summary: true, atom.Body: true, atom.Html: true,
	atom.Center: true, atom.Caption: true, atom.Fieldset: true,
}

// htmlWalker turns a parsed HTML tree into structured clean text.
type htmlWalker struct {
	out     textBuilder
	inline  strings.Builder
	prefix  string // "- " for a list item being collected
	heading int    // level of the heading being collected, 0 if none
}

// htmlToText cleans an HTML fragment or document into Post.Text form.
func htmlToText(src string) string {
	if strings.ContainsAny(src, "\x1b\x00") {
		src = string(dropEscapesAndNUL([]byte(src)))
	}
	nodes, err := html.ParseFragment(strings.NewReader(src), &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body})
	if err != nil {
		return ""
	}
	var w htmlWalker
	for _, n := range nodes {
		w.walk(n, 0)
	}
	w.flush()
	return w.out.String()
}

// nodeToText cleans an already parsed subtree.
func nodeToText(n *html.Node) string {
	var w htmlWalker
	w.walk(n, 0)
	w.flush()
	return w.out.String()
}

func (w *htmlWalker) flush() {
	text := collapseSpace(w.inline.String())
	w.inline.Reset()
	switch {
	case text == "":
	case w.heading > 0:
		w.out.addHeading(w.heading, text)
	default:
		w.out.add(w.prefix + text)
	}
	w.prefix, w.heading = "", 0
}

func hidden(n *html.Node) bool {
	for _, a := range n.Attr {
		switch a.Key {
		case "hidden":
			return true
		case "aria-hidden":
			if a.Val == "true" {
				return true
			}
		case "style":
			s := strings.ReplaceAll(strings.ToLower(a.Val), " ", "")
			if strings.Contains(s, "display:none") || strings.Contains(s, "visibility:hidden") {
				return true
			}
		case "role":
			if a.Val == "navigation" {
				return true
			}
		}
	}
	return false
}

func (w *htmlWalker) walk(n *html.Node, depth int) {
	if depth > maxHTMLDepth {
		return
	}
	switch n.Type {
	case html.TextNode:
		w.inline.WriteString(n.Data)
		return
	case html.ElementNode:
	case html.DocumentNode:
		w.children(n, depth)
		return
	default:
		return
	}
	if skippedElements[n.DataAtom] || hidden(n) {
		return
	}
	switch n.DataAtom {
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		w.flush()
		w.heading = int(n.Data[1] - '0')
		w.children(n, depth)
		w.flush()
	case atom.Li:
		w.flush()
		w.prefix = "- "
		w.children(n, depth)
		w.flush()
	case atom.Pre:
		w.flush()
		w.out.addCode(preText(n), codeLang(n))
	case atom.Br:
		w.flush()
	case atom.Tr:
		w.flush()
		var cells []string
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.DataAtom == atom.Td || c.DataAtom == atom.Th {
				if t := collapseSpace(textContent(c)); t != "" {
					cells = append(cells, t)
				}
			}
		}
		w.out.add(strings.Join(cells, " | "))
	default:
		block := blockElements[n.DataAtom]
		if block {
			w.flush()
		}
		w.children(n, depth)
		if block {
			w.flush()
		} else if n.DataAtom == atom.Td || n.DataAtom == atom.Th {
			w.inline.WriteByte(' ')
		}
	}
}

func (w *htmlWalker) children(n *html.Node, depth int) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.walk(c, depth+1)
	}
}

// preText is the raw text of a <pre>, whitespace preserved, <br> as newline.
func preText(n *html.Node) string {
	var b strings.Builder
	var rec func(*html.Node, int)
	rec = func(n *html.Node, depth int) {
		if depth > maxHTMLDepth {
			return
		}
		switch {
		case n.Type == html.TextNode:
			b.WriteString(n.Data)
		case n.Type == html.ElementNode && n.DataAtom == atom.Br:
			b.WriteByte('\n')
		case n.Type == html.ElementNode && (n.DataAtom == atom.Script || n.DataAtom == atom.Style):
		default:
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				rec(c, depth+1)
			}
		}
	}
	rec(n, 0)
	return b.String()
}

// codeLang reads a "language-go" / "lang-go" class from <pre> or its <code>.
func codeLang(n *html.Node) string {
	for _, el := range []*html.Node{n, n.FirstChild} {
		if el == nil || el.Type != html.ElementNode {
			continue
		}
		for _, cls := range strings.Fields(attr(el, "class")) {
			for _, p := range []string{"language-", "lang-"} {
				if l, ok := strings.CutPrefix(cls, p); ok && l != "" && !strings.ContainsAny(l, "`\n") {
					return l
				}
			}
		}
	}
	return ""
}

// textContent concatenates the text under n, skipping scripts and styles.
func textContent(n *html.Node) string {
	var b strings.Builder
	var rec func(*html.Node, int)
	rec = func(n *html.Node, depth int) {
		if depth > maxHTMLDepth {
			return
		}
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
			return
		}
		if n.Type == html.ElementNode && skippedElements[n.DataAtom] {
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			rec(c, depth+1)
		}
		if n.Type == html.ElementNode && blockElements[n.DataAtom] {
			b.WriteByte(' ')
		}
	}
	rec(n, 0)
	return b.String()
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// htmlMarkers are tags that only real HTML content has: closing tags of
// common elements, <p> and <br>. Opening tags alone are not enough, as
// Markdown often mentions "<table>" or "<stdio.h>" in prose.
var htmlMarkers = regexp.MustCompile(`(?i)</(?:p|div|li|ul|ol|h[1-6]|a|pre|blockquote|em|strong|code|span|td|tr|table|section|article|b|i|figure|body|html)\s*>|<br\s*/?>|<p(?:\s[^>]*)?>|<img\s`)

// looksLikeHTML reports whether s is HTML content rather than plain text
// or Markdown.
func looksLikeHTML(s string) bool {
	return htmlMarkers.MatchString(s)
}
