package ingest

import (
	"html"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/semsearch/semsearch"
)

// textBuilder assembles clean text as a sequence of blocks (headings,
// paragraphs, list items, code fences) separated by one blank line, the
// shape semsearch.Post.Text documents.
type textBuilder struct {
	blocks []string
}

// add appends one paragraph or list item; inline whitespace is collapsed
// and empty blocks are dropped. A paragraph that would read as a heading
// ("# of users") or a fence gets its marker escaped.
func (b *textBuilder) add(block string) {
	block = collapseSpace(dropControls(block))
	for strings.Contains(block, "```") { // would read as a code fence
		block = strings.ReplaceAll(block, "```", "``")
	}
	if block == "" || block == "-" || strings.Trim(block, "#- ") == "" {
		return
	}
	if _, _, ok := semsearch.HeadingLine(block); ok {
		block = `\` + block
	}
	b.blocks = append(b.blocks, block)
}

// addHeading appends a heading line of the given level (1–6).
func (b *textBuilder) addHeading(level int, text string) {
	text = collapseSpace(strings.ReplaceAll(dropControls(text), "```", "``"))
	if text == "" {
		return
	}
	level = min(max(level, 1), 6)
	b.blocks = append(b.blocks, strings.Repeat("#", level)+" "+text)
}

// addCode appends a fenced code block, keeping its lines as they are.
func (b *textBuilder) addCode(code, lang string) {
	code = strings.Trim(dropControls(strings.ReplaceAll(code, "\r\n", "\n")), "\n")
	lang = dropControls(lang)
	if strings.TrimSpace(code) == "" {
		return
	}
	// A ``` line inside the code would close the fence early.
	for strings.Contains(code, "```") {
		code = strings.ReplaceAll(code, "```", "` `")
	}
	lines := strings.Split(code, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRightFunc(l, unicode.IsSpace)
	}
	b.blocks = append(b.blocks, "```"+lang+"\n"+strings.Join(lines, "\n")+"\n```")
}

// addClean appends text that is already clean text (the output of another
// builder, as htmlToText returns it) as it is.
func (b *textBuilder) addClean(text string) {
	if text = strings.TrimSpace(text); text != "" {
		b.blocks = append(b.blocks, text)
	}
}

func (b *textBuilder) String() string { return finishText(strings.Join(b.blocks, "\n\n")) }

// finishText applies the final normalisation every Post.Text gets: NFC,
// invisible characters and control characters (but newline and tab)
// removed, trailing spaces trimmed, at most one blank line in a row. The
// builder drops controls too, before it looks for heading and fence
// markers, so a control character cannot hide one.
func finishText(s string) string {
	s = norm.NFC.String(s)
	s = strings.Map(func(r rune) rune {
		switch r {
		case '\u00a0', '\u2007', '\u202f':
			return ' '
		case '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad':
			return -1
		case '\r':
			return -1
		}
		return r
	}, s)
	s = dropControls(s)
	lines := strings.Split(s, "\n")
	out := lines[:0]
	blank := true
	for _, l := range lines {
		l = strings.TrimRightFunc(l, unicode.IsSpace)
		if l == "" {
			if blank {
				continue
			}
			blank = true
		} else {
			blank = false
		}
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

// collapseSpace turns every run of whitespace into one space and trims.
func collapseSpace(s string) string {
	if s == "" {
		return s
	}
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || r == '\u00a0'
	}), " ")
}

// cleanLine collapses whitespace, drops control characters and
// NFC-normalises a one-line value such as a title, tag or author.
func cleanLine(s string) string {
	return norm.NFC.String(collapseSpace(strings.Map(func(r rune) rune {
		switch r {
		case '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad':
			return -1
		}
		return r
	}, dropControls(s))))
}

// deriveTitle makes a title from the first sentence of text, cut at a word
// boundary near maxTitleRunes.
func deriveTitle(text string) string {
	const maxTitleRunes = 90
	var first string
	for _, l := range strings.Split(text, "\n") {
		if semsearch.IsFence(strings.TrimSpace(l)) {
			continue
		}
		if l = blockText(l); l != "" {
			first = l
			break
		}
	}
	if first == "" {
		return ""
	}
	// First sentence: up to ". ", "! " or "? ".
	for i, r := range first {
		if (r == '.' || r == '!' || r == '?') && i+1 < len(first) && first[i+1] == ' ' && i > 10 {
			first = first[:i+1]
			break
		}
	}
	first = strings.TrimSpace(first)
	runes := []rune(first)
	if len(runes) <= maxTitleRunes {
		return strings.TrimRight(first, ".")
	}
	cut := string(runes[:maxTitleRunes])
	if i := strings.LastIndexByte(cut, ' '); i > maxTitleRunes/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:—-") + "…"
}

// blockText is one block (or line) of clean text without its markup: a
// heading's title, a list item without "- ", a paragraph without the '\'
// that keeps it from reading as a heading.
func blockText(block string) string {
	block = strings.TrimSpace(block)
	if _, title, ok := semsearch.HeadingLine(block); ok {
		return title
	}
	if item, ok := strings.CutPrefix(block, "- "); ok {
		return strings.TrimSpace(item)
	}
	if rest, ok := strings.CutPrefix(block, `\`); ok {
		if _, _, heading := semsearch.HeadingLine(rest); heading {
			return rest
		}
	}
	return block
}

// decodeEntities decodes HTML character references in text that did not go
// through an HTML parser (Markdown, plain text, feed titles).
func decodeEntities(s string) string {
	if !strings.Contains(s, "&") {
		return s
	}
	return html.UnescapeString(s)
}
