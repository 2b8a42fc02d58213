// Package deeplink builds links that land on a passage of a post: the
// post's URL with a URL text fragment (#:~:text=…, as specified by the WICG
// "URL Fragment Text Directives" draft that Chromium, Safari and Firefox
// implement), so a browser scrolls to and highlights the passage.
package deeplink

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/semsearch/semsearch"
)

// Words taken for a text directive's start and end: enough to be
// distinctive, short enough to survive small differences between the clean
// text and the rendered page.
const (
	wholeWords  = 10 // a passage line of at most this many words is matched whole
	edgeWords   = 5  // else its first and last words, as textStart,textEnd
	prefixWords = 3  // words before textStart when textStart is not unique
)

// Link returns pageURL with a text directive for text[start:end], the
// passage's byte range in the post's clean text (semsearch.Post.Text, as
// semsearch.Chunk.Start/End give it). An existing #fragment is kept (the
// directive follows it, as the spec allows). It returns pageURL unchanged
// when pageURL is empty, the range is invalid, or the passage has no words.
func Link(pageURL, text string, start, end int) string {
	if pageURL == "" {
		return ""
	}
	d := Directive(text, start, end)
	if d == "" {
		return pageURL
	}
	if strings.Contains(pageURL, "#") {
		return pageURL + ":~:" + d
	}
	return pageURL + "#:~:" + d
}

// Directive returns the text directive ("text=[prefix-,]start[,end]") for
// text[start:end], or "" when there is none to make. Browsers match it
// case-insensitively on word boundaries within blocks of the rendered page,
// so textStart is taken from the passage's first line and textEnd from its
// last (lines of clean text are blocks), heading marks and code fences
// left out; a prefix is added when textStart occurs more than once.
func Directive(text string, start, end int) string {
	if start < 0 || end > len(text) || start >= end {
		return ""
	}
	lines := blockLines(text[start:end])
	if len(lines) == 0 {
		return ""
	}
	first := strings.Fields(lines[0])
	last := strings.Fields(lines[len(lines)-1])
	var textStart, textEnd string
	switch {
	case len(lines) == 1 && len(first) <= wholeWords:
		textStart = strings.Join(first, " ")
	case len(lines) == 1:
		textStart = strings.Join(first[:edgeWords], " ")
		textEnd = strings.Join(first[len(first)-edgeWords:], " ")
	default:
		textStart = strings.Join(first[:min(edgeWords, len(first))], " ")
		textEnd = strings.Join(last[max(0, len(last)-edgeWords):], " ")
	}
	var b strings.Builder
	b.WriteString("text=")
	if occurrences(text, textStart) > 1 {
		if p := prefixBefore(text, start, textStart); p != "" {
			b.WriteString(Encode(p))
			b.WriteString("-,")
		}
	}
	b.WriteString(Encode(textStart))
	if textEnd != "" {
		b.WriteString(",")
		b.WriteString(Encode(textEnd))
	}
	return b.String()
}

// blockLines returns the passage's non-empty lines as a reader sees them:
// heading marks dropped, code fences skipped.
func blockLines(passage string) []string {
	var out []string
	for _, line := range strings.Split(passage, "\n") {
		t := strings.TrimSpace(line)
		if t == "" || semsearch.IsFence(t) {
			continue
		}
		if _, title, ok := semsearch.HeadingLine(t); ok {
			t = title
		}
		t = strings.TrimLeft(t, "-*• ")
		if strings.TrimSpace(t) != "" {
			out = append(out, t)
		}
	}
	return out
}

// occurrences counts case-insensitive matches of words (joined by single
// spaces) in text with its white space folded.
func occurrences(text, words string) int {
	if words == "" {
		return 0
	}
	return strings.Count(fold(text), fold(words))
}

func fold(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

// prefixBefore returns up to prefixWords words of the line before
// text[start:] that precede the passage's first word, or "".
func prefixBefore(text string, start int, textStart string) string {
	lineStart := strings.LastIndexByte(text[:start], '\n') + 1
	before := strings.Fields(text[lineStart:start])
	if len(before) == 0 {
		return "" // the passage starts its block: a prefix would cross it
	}
	return strings.Join(before[max(0, len(before)-prefixWords):], " ")
}

// Encode percent-encodes a directive term: every byte but ASCII letters,
// digits and ".~_!$'()*+;=:@/?" (legal in a fragment), so the directive's
// own delimiters '-', ',' and '&' — and '%', '#', spaces and non-ASCII —
// are always encoded, as the spec requires.
func Encode(term string) string {
	var b strings.Builder
	for i := 0; i < len(term); i++ {
		c := term[i]
		if c < utf8.RuneSelf && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(".~_!$'()*+;=:@/?", c) >= 0) {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}
