package chunk

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Cut points are byte offsets just after non-space content ("ends"); the
// next passage starts at the following non-space rune.

// sentenceEnds returns the ends of the sentences in text[start:end]: after
// '.', '!', '?', '…' (or their full-width forms), with any closing quotes and
// brackets, followed by white space. end itself is always the last one.
func sentenceEnds(text string, start, end int) []int {
	var out []int
	for i := start; i < end; {
		r, w := utf8.DecodeRuneInString(text[i:end])
		i += w
		if !isTerminal(r) {
			continue
		}
		for i < end {
			r, w := utf8.DecodeRuneInString(text[i:end])
			if !isTerminal(r) && !strings.ContainsRune(`"')]»”’`, r) {
				break
			}
			i += w
		}
		if i < end {
			if r, _ := utf8.DecodeRuneInString(text[i:end]); unicode.IsSpace(r) {
				out = append(out, i)
			}
		}
	}
	return append(out, end)
}

func isTerminal(r rune) bool {
	switch r {
	case '.', '!', '?', '…', '。', '！', '？':
		return true
	}
	return false
}

// lineEnds returns the ends of the non-blank lines of text[start:end], right
// trimmed; used to cut code blocks.
func lineEnds(text string, start, end int) []int {
	var out []int
	for i := start; i < end; {
		j := strings.IndexByte(text[i:end], '\n')
		if j < 0 {
			j = end
		} else {
			j += i
		}
		if e := trimRightEnd(text, i, j); e > i {
			out = append(out, e)
		}
		i = j + 1
	}
	return out
}

// wordEnds returns the ends of the white-space separated words of
// text[start:end].
func wordEnds(text string, start, end int) []int {
	var out []int
	in := false
	for i := start; i < end; {
		r, w := utf8.DecodeRuneInString(text[i:end])
		sp := unicode.IsSpace(r)
		if in && sp {
			out = append(out, i)
		}
		in = !sp
		i += w
	}
	if in {
		out = append(out, end)
	}
	return out
}

// runeEnds returns the end of every non-space rune of text[start:end].
func runeEnds(text string, start, end int) []int {
	var out []int
	for i := start; i < end; {
		r, w := utf8.DecodeRuneInString(text[i:end])
		i += w
		if !unicode.IsSpace(r) {
			out = append(out, i)
		}
	}
	return out
}

// skipSpace returns the offset of the first non-space rune at or after i,
// or len(text).
func skipSpace(text string, i int) int {
	for i < len(text) {
		r, w := utf8.DecodeRuneInString(text[i:])
		if !unicode.IsSpace(r) {
			return i
		}
		i += w
	}
	return i
}

// trimRightEnd returns end moved back over trailing white space, not before
// start.
func trimRightEnd(text string, start, end int) int {
	for end > start {
		r, w := utf8.DecodeLastRuneInString(text[start:end])
		if !unicode.IsSpace(r) {
			break
		}
		end -= w
	}
	return end
}

// lastFit returns the largest i < n with ok(i), assuming ok holds for a
// prefix of 0..n-1, or -1 when ok(0) is false. It gallops then bisects, so
// it probes O(log answer) candidates and never one much beyond twice the
// answer: cheap when ok counts the tokens of a growing text. The returned
// index was always probed, so the result is right even when ok is not
// monotone.
func lastFit(n int, ok func(i int) bool) int {
	if n == 0 || !ok(0) {
		return -1
	}
	lo, hi := 0, n // ok(lo); hi is n or a known failure
	for step := 1; lo+step < n; step *= 2 {
		if !ok(lo + step) {
			hi = lo + step
			break
		}
		lo += step
	}
	for hi-lo > 1 {
		mid := int(uint(lo+hi) >> 1)
		if ok(mid) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo
}

// runeBoundary returns i, or i moved back to the start of the rune that
// decoding text from lo would find across i (invalid bytes decode one at a
// time, so they are boundaries). It never returns less than lo.
func runeBoundary(text string, lo, i int) int {
	if i >= len(text) || utf8.RuneStart(text[i]) {
		return i
	}
	for j := i - 1; j >= lo && j >= i-(utf8.UTFMax-1); j-- {
		if utf8.RuneStart(text[j]) {
			if _, w := utf8.DecodeRuneInString(text[j:]); j+w > i {
				return j
			}
			return i
		}
	}
	return i
}
