package search

import (
	"math"
	"sort"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/sentence"
)

// candidateChunks is how many of a post's best chunks its passages are
// picked from.
const candidateChunks = 4

// sentenceCandidate is one sentence of a candidate chunk, located in the
// chunk's display text.
type sentenceCandidate struct {
	chunk int  // index into the post's candidate chunks
	focus span // the sentence in the chunk's display text
	score float64
	lex   float64 // the term part of score
}

// chunkView is a candidate chunk as shown: its display text and the map
// back to the clean text.
type chunkView struct {
	c     semsearch.Chunk
	prior float64 // the chunk's fused score relative to the post's best, in [0, 1]
	shown string
	orig  []int
	sents []sentence.Span
	words [][]string // the words of each sentence
}

func newChunkView(c semsearch.Chunk, prior float64) chunkView {
	v := chunkView{c: c, prior: prior, sents: sentence.Split(c.Text)}
	v.shown, v.orig = display(c.Text)
	for _, sp := range v.sents {
		v.words = append(v.words, semsearch.Words(sp.Text))
	}
	return v
}

// pickSentences scores the sentences of a post's candidate chunks for how
// well they answer the query: the IDF-weighted share of the query's terms
// they hold (document frequency over the sentences of every candidate of
// the response, df), plus a share of their chunk's own score, shrunk for
// sentences of fewer than six words. Best first.
func pickSentences(views []chunkView, ts terms, df map[string]int, nSentences int) []sentenceCandidate {
	var out []sentenceCandidate
	var total float64
	for _, t := range ts {
		total += idf(df[t], nSentences)
	}
	for ci, v := range views {
		for si, sp := range v.sents {
			words := v.words[si]
			var got float64
			for _, t := range ts {
				if containsTerm(words, t) {
					got += idf(df[t], nSentences)
				}
			}
			lex := 0.0
			if total > 0 {
				lex = got / total
			}
			score := (lex + sentencePrior*v.prior) * math.Min(1, float64(len(words))/6)
			out = append(out, sentenceCandidate{chunk: ci, focus: displaySpan(v.orig, sp.Start, sp.End), score: score, lex: lex})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].score > out[j].score })
	return out
}

// sentencePrior weighs a sentence's chunk score against its term overlap.
const sentencePrior = 0.3

func idf(df, n int) float64 { return math.Log(1 + float64(n+1)/float64(df+1)) }

func containsTerm(words []string, t string) bool {
	one := terms{t}
	for _, w := range words {
		if one.match(w) {
			return true
		}
	}
	return false
}

// countTerms adds to df, for each term, the sentences of the views that
// hold it, and returns how many sentences there were.
func countTerms(views []chunkView, ts terms, df map[string]int) int {
	n := 0
	for _, v := range views {
		for _, words := range v.words {
			n++
			for _, t := range ts {
				if containsTerm(words, t) {
					df[t]++
				}
			}
		}
	}
	return n
}

// displaySpan maps the clean-text range [start, end) of a chunk to its
// display text, through orig (see display).
func displaySpan(orig []int, start, end int) span {
	at := func(off int) int { return sort.SearchInts(orig, off) }
	s, e := at(start), at(end)
	if s >= len(orig)-1 {
		s = max(0, len(orig)-2)
	}
	return span{s, max(s, min(e, len(orig)-1))}
}

// overlaps reports whether a and b share a byte.
func overlaps(a, b span) bool { return a.start < b.end && b.start < a.end }
