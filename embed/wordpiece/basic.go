package wordpiece

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// normalize is BERT's text normalisation, in Hugging Face's order
// (BertNormalizer): clean text (drop NUL, U+FFFD and control/format chars,
// turn every whitespace char into ' '), put spaces around CJK ideographs, and,
// when lower is set, strip accents (NFD, drop non-spacing marks) then
// lower-case.
func normalize(text string, lower bool) string {
	var b strings.Builder
	b.Grow(len(text) + 8)
	ascii := true
	for _, r := range text {
		switch class(r) {
		case classRemoved:
			continue
		case classSpace:
			b.WriteByte(' ')
			continue
		}
		if r >= utf8.RuneSelf {
			ascii = false
			if isCJK(r) {
				b.WriteByte(' ')
				b.WriteRune(r)
				b.WriteByte(' ')
				continue
			}
		}
		b.WriteRune(r)
	}
	s := b.String()
	if !lower {
		return s
	}
	if !ascii {
		s = stripAccents(s)
	}
	return lowerString(s)
}

// stripAccents decomposes s (NFD) and drops the non-spacing marks.
func stripAccents(s string) string {
	d := norm.NFD.String(s)
	var b strings.Builder
	b.Grow(len(d))
	for _, r := range d {
		if !isMark(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func lowerString(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if to, ok := lower(r); ok {
			b.WriteString(to)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// splitWords is BERT's pre-tokenizer on normalised text: words are separated
// by whitespace, and every punctuation char is a word of its own. fn gets
// each word, a substring of s, in order.
func splitWords(s string, fn func(word string)) {
	start := -1
	for i, r := range s {
		switch class(r) {
		case classSpace:
			if start >= 0 {
				fn(s[start:i])
				start = -1
			}
		case classPunct:
			if start >= 0 {
				fn(s[start:i])
				start = -1
			}
			fn(s[i : i+utf8.RuneLen(r)])
		default:
			if start < 0 {
				start = i
			}
		}
	}
	if start >= 0 {
		fn(s[start:])
	}
}
