package answer

import (
	"math"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/semsearch/semsearch"
)

// Features describe a candidate sentence.
type Features struct {
	Cosine  float64 // the local model's cosine between question and sentence
	Lexical float64 // IDF-weighted share of the question's terms in the sentence, [0, 1]
	Post    float64 // the post's search score relative to the best post's, [0, 1]
	Chunk   float64 // the chunk's score relative to its post's best chunk, [0, 1]
	Rank    float64 // the post's rank in the results, from 0
	Order   float64 // the chunk's rank within its post, from 0
	Words   float64 // the sentence's length in words
	// Prev and Next are the cosines of the sentences before and after it
	// in its chunk (0 when there is none, or it was not embedded): an
	// answer often follows the sentence that restates the question.
	Prev, Next float64
	// Window is the cosine of the sentence read after the one before it
	// (0 unless Weights.Window is set: it costs a second embedding).
	Window float64
	// Type is 1 when the sentence has the kind of answer the question
	// asks for: a reason for "why", a number for "how many/much", "what
	// share", "what did it cost"; else 0.
	Type float64
}

// Weights combine Features into a sentence's score.
type Weights struct {
	Cosine, Lexical, Post, Chunk, Prev, Next, Window, Type float64
}

// prescore is the score without the cosine, used to choose which
// sentences to embed.
func (w Weights) prescore(f Features) float64 {
	return w.Lexical*f.Lexical + w.Post*f.Post + w.Chunk*f.Chunk
}

func (w Weights) score(f Features) float64 {
	s := w.Cosine*f.Cosine + w.Prev*f.Prev + w.Next*f.Next + w.Window*f.Window + w.Type*f.Type + w.prescore(f)
	if f.Words > longSentence {
		s -= longPenalty * math.Log(f.Words/longSentence)
	}
	return s
}

// Very long "sentences" (unpunctuated lists, tables flattened to one
// line) are poor quotes: their score shrinks with the log of their length.
const (
	longSentence = 60
	longPenalty  = 0.1
)

// terms are the question's content words, crudely stemmed.
type terms []string

func questionTerms(q string) terms {
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

var suffixes = []string{"ing", "ed", "es", "s"}

func stem(w string) string {
	for _, s := range suffixes {
		if strings.HasSuffix(w, s) && utf8.RuneCountInString(w)-len(s) >= 3 {
			return strings.TrimSuffix(w, s)
		}
	}
	return w
}

func (ts terms) in(words []string, t string) bool {
	for _, w := range words {
		if w == t || (utf8.RuneCountInString(t) >= 3 && strings.HasPrefix(w, t)) {
			return true
		}
	}
	return false
}

// lexicalFeatures sets Features.Lexical: the share of the question's terms
// a sentence holds, each term weighted by its IDF over the candidates
// (a term in every candidate tells them apart least).
func lexicalFeatures(cands []Candidate, ts terms) {
	words := make([][]string, len(cands))
	df := map[string]int{}
	for i, c := range cands {
		words[i] = semsearch.Words(c.Text)
		for _, t := range ts {
			if ts.in(words[i], t) {
				df[t]++
			}
		}
	}
	n := float64(len(cands))
	idf := func(t string) float64 { return math.Log(1 + (n+1)/float64(df[t]+1)) }
	var total float64
	for _, t := range ts {
		total += idf(t)
	}
	if total == 0 {
		return
	}
	for i := range cands {
		var got float64
		for _, t := range ts {
			if ts.in(words[i], t) {
				got += idf(t)
			}
		}
		cands[i].Features.Lexical = got / total
	}
}

// ScoreWith is a sentence's score under w (the tuning harness re-ranks
// candidates with it).
func ScoreWith(w Weights, f Features) float64 { return w.score(f) }

// answerKind is the kind of answer a question asks for.
type answerKind int

const (
	anyAnswer answerKind = iota
	reason               // why ...?
	quantity             // how many / how much / what share / what did it cost ...?
)

var (
	reReasonQ   = regexp.MustCompile(`(?i)^\s*(why|what (makes|made|causes|caused)|how come)\b`)
	reQuantityQ = regexp.MustCompile(`(?i)\b(how (many|much|long|big|fast)|what (share|percent(age)?|fraction|size|number)|at what|what did .{1,40}cost)\b`)
	reReason    = regexp.MustCompile(`(?i)\b(because|since|due to|the (problem|reason|issue|catch) (is|was)|this means|as a result|so that|which means|otherwise)\b`)
	reNumber    = regexp.MustCompile(`\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|hundred|thousand|million|billion|half|twice)\b`)
)

func kindOf(question string) answerKind {
	switch {
	case reQuantityQ.MatchString(question):
		return quantity
	case reReasonQ.MatchString(question):
		return reason
	}
	return anyAnswer
}

// typeFeatures sets Features.Type for the question's kind of answer.
func typeFeatures(cands []Candidate, question string) {
	kind := kindOf(question)
	for i := range cands {
		t := strings.ToLower(cands[i].Text)
		switch {
		case kind == reason && reReason.MatchString(t), kind == quantity && reNumber.MatchString(t):
			cands[i].Features.Type = 1
		}
	}
}
