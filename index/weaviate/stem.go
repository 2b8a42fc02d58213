package weaviate

import (
	"strings"
	"unicode"

	"github.com/kljensen/snowball/english"
	"golang.org/x/text/unicode/norm"

	"github.com/semsearch/semsearch"
)

// Weaviate's tokenizers neither stem nor fold diacritics; the embedded
// index's FTS5 tokenizer ("porter unicode61 remove_diacritics 2") does both,
// and lexical quality depends on it (on CISI, nDCG@10 fell from 0.44 to 0.38
// without). So the chunk class carries stemmed copies of title, heading and
// text ("…Stem", whitespace-tokenized), written by semsearch, and BM25 runs
// over them with the query stemmed the same way (English Snowball, close to
// FTS5's Porter).

// lexWeights are the field weights baked into lexStem.
var lexWeights = semsearch.DefaultBM25Weights()

// lexField is one chunk's lexical field: the stemmed title repeated
// lexWeights.Title times, the heading lexWeights.Heading times, then the
// text. BM25 over it is FTS5's bm25(title, heading, text weights): the term
// frequency is the weighted sum over the columns and the document frequency
// counts chunks, where Weaviate's BM25F over separate boosted properties
// normalises each property's length on its own (measured: CISI lexical
// nDCG@10 0.297 with BM25F against FTS5's 0.339). Queries with other
// weights fall back to BM25F over the …Stem properties.
func lexField(title, heading, text string) string {
	var parts []string
	rep := func(s string, n float64) {
		if s == "" {
			return
		}
		for i := 0; i < int(n+0.5); i++ {
			parts = append(parts, s)
		}
	}
	rep(stemText(title), lexWeights.Title)
	rep(stemText(heading), lexWeights.Heading)
	rep(stemText(text), lexWeights.Text)
	return strings.Join(parts, " ")
}

// stemText returns the words of s (semsearch.Words: lower-cased runs of
// letters, digits and marks), diacritics removed, each stemmed, joined by
// spaces.
func stemText(s string) string {
	words := semsearch.Words(s)
	for i, w := range words {
		words[i] = stemWord(w)
	}
	return strings.Join(words, " ")
}

func stemWord(w string) string {
	w = foldDiacritics(w)
	if w == "" {
		return w
	}
	return english.Stem(w, true)
}

// foldDiacritics drops combining marks after canonical decomposition
// ("café" → "cafe"), as remove_diacritics does.
func foldDiacritics(w string) string {
	ascii := true
	for i := 0; i < len(w); i++ {
		if w[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return w
	}
	var b strings.Builder
	for _, r := range norm.NFD.String(w) {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}
