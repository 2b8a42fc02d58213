package index

import (
	"context"
	"fmt"
	"strings"

	"github.com/semsearch/semsearch"
)

// maxQueryTerms bounds the FTS expression built from one user query.
const maxQueryTerms = 64

// LexicalSearch returns up to n chunks ranked by FTS5 BM25 for the words of
// q among the chunks of posts matching f, best first (Score = -bm25, higher
// is better). q is plain user text, never FTS syntax: it is split into
// words, each quoted, and OR-ed, so any string is safe. A query with no
// words gives an empty result.
func (s *Store) LexicalSearch(ctx context.Context, q string, n int, f semsearch.Filter, w semsearch.BM25Weights) ([]semsearch.Hit, error) {
	if n <= 0 {
		return nil, semsearch.Errorf(semsearch.EInvalid, "the number of results must be positive, got %d", n)
	}
	expr := FTSQuery(q)
	if expr == "" {
		return nil, nil
	}
	if w == (semsearch.BM25Weights{}) {
		w = semsearch.DefaultBM25Weights()
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
func (s *Store) lexical(ctx context.Context, expr string, limit int, w semsearch.BM25Weights) ([]semsearch.Hit, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT c.id, c.post_id, f.score FROM
		(SELECT rowid, bm25(chunks_fts, ?, ?, ?) AS score FROM chunks_fts WHERE chunks_fts MATCH ?
			ORDER BY score, rowid LIMIT ?) AS f
		JOIN chunks c ON c.pk = f.rowid ORDER BY f.score, c.pk`, w.Title, w.Heading, w.Text, expr, limit)
	if err != nil {
		return nil, fmt.Errorf("lexical query: %w", err)
	}
	defer rows.Close()
	var hits []semsearch.Hit
	for rows.Next() {
		var h semsearch.Hit
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
func (s *Store) keep(hits []semsearch.Hit, f semsearch.Filter, n int) []semsearch.Hit {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var kept []semsearch.Hit
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

// FTSQuery turns user text into a safe FTS5 expression: the words of
// QueryTerms, each double-quoted, joined by OR. Returns "" when q has no
// words.
func FTSQuery(q string) string {
	terms := QueryTerms(q)
	for i, t := range terms {
		// Words hold no quotes, but escape anyway: "" is FTS5's quote escape.
		terms[i] = `"` + strings.ReplaceAll(t, `"`, `""`) + `"`
	}
	return strings.Join(terms, " OR ")
}

// QueryTerms are the words a lexical search looks for in user text q: its
// distinct lower-cased words (runs of letters, digits and marks, as the
// unicode61 tokenizer sees them), in order, stop words dropped unless
// nothing else is left, at most maxQueryTerms. Every backend's BM25 query
// is built from them, so that backends rank alike. The slice is new.
func QueryTerms(q string) []string {
	var terms, stops []string
	seen := map[string]bool{}
	for _, w := range semsearch.Words(q) {
		if seen[w] {
			continue
		}
		seen[w] = true
		if semsearch.IsStopword(w) {
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
	return terms
}
