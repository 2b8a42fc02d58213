package eval

import (
	"strings"

	"golang.org/x/text/unicode/norm"
)

// AnswerIn reports whether the answer phrase occurs in text, both compared
// after Unicode NFKC, lower-casing and folding runs of white space to one
// space. An empty phrase occurs nowhere.
func AnswerIn(text, phrase string) bool {
	p := fold(phrase)
	return p != "" && strings.Contains(fold(text), p)
}

// fold is the comparison form of AnswerIn.
func fold(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(norm.NFKC.String(s))), " ")
}
