// Package sentence splits a post's clean text (semsearch.Post.Text) into
// sentences with their byte offsets, the unit an answer quotes and a
// passage is centred on.
package sentence

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/semsearch/semsearch"
)

// Span is one sentence: Text is text[Start:End] of the text split, trimmed
// of surrounding white space. Heading is the section heading it falls
// under ("" before the first heading).
type Span struct {
	Start, End int
	Text       string
	Heading    string
}

// abbreviations end with a period without ending a sentence (lower case,
// without the period).
var abbreviations = map[string]bool{
	"e.g": true, "i.e": true, "etc": true, "vs": true, "cf": true, "mr": true, "mrs": true,
	"ms": true, "dr": true, "prof": true, "st": true, "fig": true, "no": true, "approx": true,
	"al": true, "inc": true, "ltd": true, "jr": true, "sr": true, "eq": true, "sec": true,
}

// Split returns the sentences of clean text in order. Each line is a block
// (a paragraph or list item): a sentence never crosses a line. Headings and
// code (fenced lines) are not sentences; a heading sets the Heading of the
// sentences after it. A list item's "- " mark is left out.
func Split(text string) []Span {
	var out []Span
	heading := ""
	inFence := false
	for pos := 0; pos < len(text); {
		end := strings.IndexByte(text[pos:], '\n')
		if end < 0 {
			end = len(text)
		} else {
			end += pos
		}
		line := text[pos:end]
		switch {
		case semsearch.IsFence(line):
			inFence = !inFence
		case inFence:
		default:
			if _, title, ok := semsearch.HeadingLine(line); ok {
				heading = title
				break
			}
			out = appendLine(out, text, pos, end, heading)
		}
		pos = end + 1
	}
	return out
}

// appendLine splits text[start:end], one line, into sentences.
func appendLine(out []Span, text string, start, end int, heading string) []Span {
	line := text[start:end]
	// A list item's mark is not part of its sentence.
	trimmed := strings.TrimLeft(line, " \t")
	for _, mark := range []string{"- ", "* ", "• "} {
		if strings.HasPrefix(trimmed, mark) {
			start += len(line) - len(trimmed) + len(mark)
			break
		}
	}
	from := start
	for i := start; i < end; {
		r, n := utf8.DecodeRuneInString(text[i:])
		i += n
		if r != '.' && r != '!' && r != '?' {
			continue
		}
		// Closing quotes and brackets stay with the sentence they end.
		for i < end {
			q, qn := utf8.DecodeRuneInString(text[i:end])
			if !strings.ContainsRune(`"')]”’»`, q) {
				break
			}
			i += qn
		}
		if i < end {
			if next, _ := utf8.DecodeRuneInString(text[i:end]); !unicode.IsSpace(next) {
				continue // "3.5", "example.com", "e.g.,"
			}
		}
		if r == '.' && !endsSentence(text[from:i], text[i:end]) {
			continue
		}
		out = appendSpan(out, text, from, i, heading)
		from = i
	}
	return appendSpan(out, text, from, end, heading)
}

// endsSentence reports whether the period ending before (a sentence so far)
// ends it, given the rest of the line after.
func endsSentence(before, after string) bool {
	fields := strings.Fields(before)
	if len(fields) == 0 {
		return false
	}
	last := strings.ToLower(strings.TrimRight(strings.TrimLeft(fields[len(fields)-1], `"'([“‘`), "."))
	if abbreviations[last] {
		return false
	}
	if utf8.RuneCountInString(last) == 1 && unicode.IsUpper([]rune(fields[len(fields)-1])[0]) {
		return false // an initial: "J. R. R. Tolkien"
	}
	next := strings.TrimLeft(after, " \t")
	if next == "" {
		return true
	}
	r, _ := utf8.DecodeRuneInString(next)
	return !unicode.IsLower(r) // "... and so on. then" is one sentence
}

func appendSpan(out []Span, text string, start, end int, heading string) []Span {
	seg := text[start:end]
	trimmed := strings.TrimLeftFunc(seg, unicode.IsSpace)
	start += len(seg) - len(trimmed)
	end = start + len(strings.TrimRightFunc(trimmed, unicode.IsSpace))
	if start >= end || !hasWord(text[start:end]) {
		return out
	}
	return append(out, Span{Start: start, End: end, Text: text[start:end], Heading: heading})
}

func hasWord(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0
}
