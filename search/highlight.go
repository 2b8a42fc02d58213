package search

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/semsearch/semsearch"
)

// terms are the highlightable forms of a query's words: lower-cased, stop
// words dropped, each reduced to a crude stem ("writes" → "write",
// "writing" → "writ") that a text word must start with.
type terms []string

// suffixes stripped to make a stem, longest first; a stem keeps at least
// minStem letters.
var suffixes = []string{"ing", "ed", "es", "s"}

const minStem = 3

func queryTerms(q string) terms {
	var out terms
	seen := map[string]bool{}
	for _, w := range semsearch.Words(q) {
		if semsearch.IsStopword(w) || seen[w] {
			continue
		}
		seen[w] = true
		out = append(out, stem(w))
	}
	return out
}

func stem(w string) string {
	for _, s := range suffixes {
		if strings.HasSuffix(w, s) && utf8.RuneCountInString(w)-len(s) >= minStem {
			return strings.TrimSuffix(w, s)
		}
	}
	return w
}

// match reports whether the text word w (lower case) is a form of a term:
// it equals the term, or starts with it when the term is a stem of at least
// minStem letters.
func (ts terms) match(w string) bool {
	for _, t := range ts {
		if w == t || (utf8.RuneCountInString(t) >= minStem && strings.HasPrefix(w, t)) {
			return true
		}
	}
	return false
}

type span struct{ start, end int } // byte offsets, end exclusive

// wordSpans returns the byte spans of the words of s (runs of letters,
// digits and marks, as semsearch.Words sees them).
func wordSpans(s string) []span {
	var out []span
	start := -1
	for i, r := range s {
		in := unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsNumber(r) || unicode.Is(unicode.Mn, r)
		switch {
		case in && start < 0:
			start = i
		case !in && start >= 0:
			out = append(out, span{start, i})
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, span{start, len(s)})
	}
	return out
}

// highlight returns text trimmed to about window bytes around its first
// match (window ≤ 0: never trimmed) and the same text HTML-escaped with
// every matching word wrapped in <mark>…</mark>. Only the <mark> tags are
// raw HTML. A trimmed side is marked with "…".
func highlight(text string, ts terms, window int) (plain, marked string) {
	plain, marked, _, _ = highlightRange(text, ts, window)
	return plain, marked
}

// highlightRange is highlight that also returns the byte range of text the
// window shows, [from, to).
func highlightRange(text string, ts terms, window int) (plain, marked string, from, to int) {
	return highlightAround(text, ts, window, span{-1, -1})
}

// highlightAround is highlightRange with the window on the sentence at
// text[focus.start:focus.end] instead of the first match: it starts at
// the sentence and shows all of it (up to twice the window) and what
// follows. A negative focus.start means the first match.
func highlightAround(text string, ts terms, window int, focus span) (plain, marked string, from, to int) {
	words := wordSpans(text)
	var hits []span
	if len(ts) > 0 {
		for _, w := range words {
			if ts.match(strings.ToLower(text[w.start:w.end])) {
				hits = append(hits, w)
			}
		}
	}
	from, to = 0, len(text)
	if window > 0 && len(text) > window && focus.start >= 0 {
		from = focus.start
		to = min(len(text), max(from+window, min(focus.end, from+2*window)))
		if to == len(text) && to-from < window {
			from = max(0, to-window)
		}
		from, to = snapToWords(text, words, from, to)
	} else if window > 0 && len(text) > window {
		anchor := 0
		if len(hits) > 0 {
			anchor = hits[0].start
		}
		// Show a little context before the first match, then fill the window.
		from = max(0, anchor-window/4)
		to = min(len(text), from+window)
		if to == len(text) {
			from = max(0, to-window)
		}
		from, to = snapToWords(text, words, from, to)
	}
	var p, m strings.Builder
	if from > 0 {
		p.WriteString("…")
		m.WriteString("…")
	}
	pos := from
	for _, h := range hits {
		if h.start < from || h.end > to {
			continue
		}
		m.WriteString(html.EscapeString(text[pos:h.start]))
		m.WriteString("<mark>")
		m.WriteString(html.EscapeString(text[h.start:h.end]))
		m.WriteString("</mark>")
		pos = h.end
	}
	m.WriteString(html.EscapeString(text[pos:to]))
	p.WriteString(text[from:to])
	if to < len(text) {
		p.WriteString("…")
		m.WriteString("…")
	}
	return strings.TrimSpace(p.String()), strings.TrimSpace(m.String()), from, to
}

// snapToWords moves from forward and to backward so that neither cuts a
// word in half (nor a UTF-8 sequence); the window never becomes empty.
func snapToWords(text string, words []span, from, to int) (int, int) {
	for from > 0 && from < len(text) && !utf8.RuneStart(text[from]) {
		from--
	}
	for to < len(text) && !utf8.RuneStart(text[to]) {
		to--
	}
	f, t := from, to
	for _, w := range words {
		if w.start < f && f < w.end {
			f = w.end
		}
		if w.start < t && t < w.end {
			t = w.start
		}
	}
	if t <= f { // one giant word: cut it
		return from, to
	}
	// Do not start or end the window on blanks: the ellipsis goes next to a word.
	// Whole runes: a byte such as 0x85 inside a multi-byte rune would read
	// as U+0085 (a space) and split it.
	for f < t {
		r, n := utf8.DecodeRuneInString(text[f:t])
		if !unicode.IsSpace(r) {
			break
		}
		f += n
	}
	for t > f {
		r, n := utf8.DecodeLastRuneInString(text[f:t])
		if !unicode.IsSpace(r) {
			break
		}
		t -= n
	}
	return f, t
}
