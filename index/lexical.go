package index

import (
	"context"
	"fmt"
	"strings"
	"unicode"

	"github.com/semsearch/semsearch"
)

// BM25Weights weight the FTS5 columns in BM25 scoring. A zero value means
// DefaultBM25Weights().
type BM25Weights struct {
	Title, Heading, Text float64
}

// DefaultBM25Weights favour a term in the post title or the section heading
// over one in the body.
func DefaultBM25Weights() BM25Weights { return BM25Weights{Title: 3, Heading: 2, Text: 1} }

// maxQueryTerms bounds the FTS expression built from one user query.
const maxQueryTerms = 64

// LexicalSearch returns up to n chunks ranked by FTS5 BM25 for the words of
// q among the chunks of posts matching f, best first (Score = -bm25, higher
// is better). q is plain user text, never FTS syntax: it is split into
// words, each quoted, and OR-ed, so any string is safe. A query with no
// words gives an empty result.
func (s *Store) LexicalSearch(ctx context.Context, q string, n int, f semsearch.Filter, w BM25Weights) ([]Hit, error) {
	if n <= 0 {
		return nil, semsearch.Errorf(semsearch.EInvalid, "the number of results must be positive, got %d", n)
	}
	expr := FTSQuery(q)
	if expr == "" {
		return nil, nil
	}
	if w == (BM25Weights{}) {
		w = DefaultBM25Weights()
	}
	if err := s.sync(ctx); err != nil { // the filters read the catalog in memory
		return nil, err
	}
	if !filterActive(f) {
		return s.lexical(ctx, expr, n, w)
	}
	// Filtered: rank a growing prefix of the matches until n of them pass.
	for limit := 8 * n; ; limit *= 4 {
		hits, err := s.lexical(ctx, expr, limit, w)
		if err != nil {
			return nil, err
		}
		kept := s.keep(hits, f, n)
		if len(kept) == n || len(hits) < limit {
			return kept, nil
		}
	}
}

// lexical ranks the matches of expr and returns the best limit. BM25 is
// computed on the FTS table alone; only the best rows are joined to chunks.
func (s *Store) lexical(ctx context.Context, expr string, limit int, w BM25Weights) ([]Hit, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT c.id, c.post_id, f.score FROM
		(SELECT rowid, bm25(chunks_fts, ?, ?, ?) AS score FROM chunks_fts WHERE chunks_fts MATCH ?
			ORDER BY score, rowid LIMIT ?) AS f
		JOIN chunks c ON c.pk = f.rowid ORDER BY f.score, c.pk`, w.Title, w.Heading, w.Text, expr, limit)
	if err != nil {
		return nil, fmt.Errorf("lexical query: %w", err)
	}
	defer rows.Close()
	var hits []Hit
	for rows.Next() {
		var h Hit
		if err := rows.Scan(&h.ChunkID, &h.PostID, &h.Score); err != nil {
			return nil, fmt.Errorf("lexical query: %w", err)
		}
		h.Score = -h.Score
		hits = append(hits, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("lexical query: %w", err)
	}
	return hits, nil
}

// keep returns the first n hits whose post matches f.
func (s *Store) keep(hits []Hit, f semsearch.Filter, n int) []Hit {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var kept []Hit
	for _, h := range hits {
		if pm := s.posts[h.PostID]; pm != nil && matches(&pm.post, f) {
			kept = append(kept, h)
			if len(kept) == n {
				break
			}
		}
	}
	return kept
}

// FTSQuery turns user text into a safe FTS5 expression: the distinct
// lower-cased words of q (runs of letters, digits and marks, as the
// unicode61 tokenizer sees them), each double-quoted, joined by OR. Stop
// words are dropped unless nothing else is left. Returns "" when q has no
// words.
func FTSQuery(q string) string {
	words := Words(q)
	var terms, stops []string
	seen := map[string]bool{}
	for _, w := range words {
		if seen[w] {
			continue
		}
		seen[w] = true
		if IsStopword(w) {
			stops = append(stops, w)
		} else {
			terms = append(terms, w)
		}
	}
	if len(terms) == 0 {
		terms = stops
	}
	if len(terms) > maxQueryTerms {
		terms = terms[:maxQueryTerms]
	}
	for i, t := range terms {
		// Words hold no quotes, but escape anyway: "" is FTS5's quote escape.
		terms[i] = `"` + strings.ReplaceAll(t, `"`, `""`) + `"`
	}
	return strings.Join(terms, " OR ")
}

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
