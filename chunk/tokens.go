package chunk

import (
	"unicode"
)

// EstimateTokens is the default token counter: a cheap, allocation-free
// estimate of what a subword tokenizer (BERT WordPiece, BPE) produces.
//
// A word (a run of letters, digits and combining marks) costs 1.3 tokens per
// started 8 runes, so ordinary words cost 1.3 and long identifiers more; every
// punctuation or symbol rune costs 1; every CJK ideograph or kana costs 1.3
// (those scripts have no spaces). The result is rounded up. The estimate only
// grows when text is appended or prepended, which the chunker relies on to
// search for cut points.
func EstimateTokens(s string) int {
	tenths := 0
	wordRunes := 0
	flush := func() {
		if wordRunes > 0 {
			tenths += 13 * ((wordRunes + 7) / 8)
			wordRunes = 0
		}
	}
	for _, r := range s {
		switch {
		case r < 0x80 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'):
			wordRunes++
		case r == ' ' || r == '\n' || r == '\t' || r == '\r':
			flush()
		case r < 0x80:
			flush()
			tenths += 10
		case isIdeographic(r):
			flush()
			tenths += 13
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
			wordRunes++
		case unicode.IsSpace(r):
			flush()
		default:
			flush()
			tenths += 10
		}
	}
	flush()
	return (tenths + 9) / 10
}

func isIdeographic(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana)
}
