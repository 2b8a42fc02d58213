package semsearch

import (
	"strings"
	"unicode"
)

// The word syntax shared by the lexical index (which builds queries from
// it) and search (which highlights with it).

// Words splits text into lower-cased words: maximal runs of letters,
// digits and combining marks.
func Words(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsNumber(r) || unicode.Is(unicode.Mn, r))
	})
}

// IsStopword reports whether w (lower case) is a common English function
// word that carries no topic: such words are left out of lexical queries and
// highlights.
func IsStopword(w string) bool { return stopwords[w] }

var stopwords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`a about above after again against all am an and any are as at be
		because been before being below between both but by can could did do does doing down during
		each few for from further had has have having he her here hers herself him himself his how i
		if in into is it its itself just me more most my myself no nor not of off on once only or
		other our ours ourselves out over own same she should so some such than that the their
		theirs them themselves then there these they this those through to too under until up very
		was we were what when where which while who whom why will with would you your yours yourself
		yourselves s t don`) {
		m[w] = true
	}
	return m
}()
