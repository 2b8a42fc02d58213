package chunk

import (
	"strings"
	"unicode"

	"github.com/semsearch/semsearch"
)

// blockKind is the kind of one structural block of clean text.
type blockKind int

const (
	kindParagraph blockKind = iota // also list items
	kindCode                       // a ``` fenced block, fences included
	kindHeading
)

// block is a paragraph, list item, code block or heading line; start and end
// are byte offsets of its content with surrounding white space trimmed.
type block struct {
	kind       blockKind
	start, end int
	level      int    // headings: 1–6
	title      string // headings: the text after the '#'s
}

// section is a run of blocks under one heading path. Headings with no body
// before the next heading join the section that follows them, so a section
// always starts at its first block and holds body text unless it is the
// trailing headings of a post.
type section struct {
	start, end int
	heading    string // path of the nearest headings, joined by HeadingSep
	blocks     []block
}

// parseBlocks splits clean text (the format documented on semsearch.Post)
// into blocks. A heading line, a list item ("- ", "* ", "+ ") and a fence
// each start a new block even without a blank line before them.
func parseBlocks(text string) []block {
	var (
		out    []block
		cur    *block // open paragraph or code block
		inCode bool
	)
	closeCur := func() {
		if cur != nil {
			out = append(out, *cur)
			cur = nil
		}
	}
	for off := 0; off < len(text); {
		lineEnd := strings.IndexByte(text[off:], '\n')
		next := len(text)
		if lineEnd < 0 {
			lineEnd = len(text)
		} else {
			lineEnd += off
			next = lineEnd + 1
		}
		line := text[off:lineEnd]
		trimmed := strings.TrimSpace(line)
		cs := off + len(line) - len(strings.TrimLeftFunc(line, unicode.IsSpace)) // content start
		ce := cs + len(trimmed)
		if trimmed == "" {
			cs, ce = off, off
		}
		switch {
		case inCode:
			if trimmed != "" {
				cur.end = ce
			}
			if semsearch.IsFence(trimmed) {
				inCode = false
				closeCur()
			}
		case trimmed == "":
			closeCur()
		case semsearch.IsFence(trimmed):
			closeCur()
			cur = &block{kind: kindCode, start: cs, end: ce}
			inCode = true
		default:
			if level, title, ok := semsearch.HeadingLine(trimmed); ok {
				closeCur()
				out = append(out, block{kind: kindHeading, start: cs, end: ce, level: level, title: title})
				break
			}
			if cur != nil && !isListItem(trimmed) {
				cur.end = ce
				break
			}
			closeCur()
			cur = &block{kind: kindParagraph, start: cs, end: ce}
		}
		off = next
	}
	closeCur()
	return out
}

func isListItem(trimmed string) bool {
	return len(trimmed) >= 2 && strings.ContainsRune("-*+", rune(trimmed[0])) && (trimmed[1] == ' ' || trimmed[1] == '\t')
}

// parseSections groups blocks into sections. It returns none for blank text.
func parseSections(text string) []section {
	blocks := parseBlocks(text)
	type open struct {
		level int
		title string
	}
	var (
		out   []section
		stack []open
		cur   section
		body  bool // cur has a non-heading block
	)
	path := func() string {
		titles := make([]string, 0, len(stack))
		for _, h := range stack {
			if h.title != "" {
				titles = append(titles, h.title)
			}
		}
		return strings.Join(titles, HeadingSep)
	}
	for _, b := range blocks {
		if b.kind == kindHeading {
			if body {
				out = append(out, cur)
				cur, body = section{}, false
			}
			for len(stack) > 0 && stack[len(stack)-1].level >= b.level {
				stack = stack[:len(stack)-1]
			}
			stack = append(stack, open{b.level, b.title})
		} else {
			body = true
		}
		if len(cur.blocks) == 0 {
			cur.start = b.start
		}
		cur.blocks = append(cur.blocks, b)
		cur.end = b.end
		cur.heading = path()
	}
	if len(cur.blocks) > 0 {
		out = append(out, cur)
	}
	return out
}
