package eval

import (
	"cmp"
	"math"
	"slices"
	"unicode/utf8"

	"github.com/semsearch/semsearch"
)

// TFIDF is the keyword "more like this" baseline of the related-posts
// evaluation: every post (title + clean text) as a TF-IDF vector, and
// related posts ranked by cosine similarity, as a keyword "related posts"
// plugin does. Terms are the words of the lexical index (semsearch.Words)
// longer than one character, stop words left out; weights are raw term
// frequency × ln(N/df), L2-normalised (Salton's tf·idf). On the seed
// judgments this scores nDCG@5 0.727, against 0.699 for scikit-learn's
// smoothed idf and 0.675–0.715 for sublinear tf: the baseline is the
// strongest of the plain variants.
type TFIDF struct {
	ids  []string
	hash []string             // content hash per post
	vecs []map[string]float64 // unit vectors
}

// NewTFIDF builds the baseline over posts.
func NewTFIDF(posts []semsearch.Post) *TFIDF {
	t := &TFIDF{}
	counts := make([]map[string]float64, len(posts))
	df := map[string]int{}
	for i, p := range posts {
		c := map[string]float64{}
		for _, w := range semsearch.Words(p.Title + "\n" + p.Text) {
			if utf8.RuneCountInString(w) > 1 && !semsearch.IsStopword(w) {
				c[w]++
			}
		}
		for w := range c {
			df[w]++
		}
		counts[i] = c
		t.ids = append(t.ids, p.ID)
		t.hash = append(t.hash, p.ContentHash)
	}
	n := float64(len(posts))
	for _, c := range counts {
		// Sums in a fixed term order, here and in Related: posts with the
		// same words get the same vector and the same scores, to the bit.
		words := make([]string, 0, len(c))
		for w := range c {
			words = append(words, w)
		}
		slices.Sort(words)
		var norm float64
		for _, w := range words {
			c[w] *= math.Log(n / float64(df[w]))
			norm += c[w] * c[w]
		}
		if norm > 0 { // else every term is in every post: the vector stays zero
			norm = math.Sqrt(norm)
			for w := range c {
				c[w] /= norm
			}
		}
		t.vecs = append(t.vecs, c)
	}
	return t
}

// Related returns the IDs of the k posts most similar to post id, best
// first (ties by ID), leaving out the post and exact copies of it (same
// content hash). An unknown id gives nil.
func (t *TFIDF) Related(id string, k int) []string {
	self := slices.Index(t.ids, id)
	if self < 0 {
		return nil
	}
	type hit struct {
		id    string
		score float64
	}
	q := t.vecs[self]
	terms := make([]string, 0, len(q))
	for w := range q {
		terms = append(terms, w)
	}
	slices.Sort(terms)
	var hits []hit
	for i, v := range t.vecs {
		if i == self || (t.hash[i] != "" && t.hash[i] == t.hash[self]) {
			continue
		}
		var s float64
		for _, w := range terms {
			s += q[w] * v[w]
		}
		hits = append(hits, hit{t.ids[i], s})
	}
	slices.SortFunc(hits, func(a, b hit) int {
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	})
	out := make([]string, 0, k)
	for _, h := range hits[:min(k, len(hits))] {
		out = append(out, h.id)
	}
	return out
}
