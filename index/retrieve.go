package index

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/internal/vecmath"
)

// selectiveRatio: a filter that keeps at most 1/selectiveRatio of the
// chunks is answered by an exact scan over those chunks, which is cheaper
// than a full vector-index query followed by post-filtering (and loses no
// recall, whatever the index).
const selectiveRatio = 4

// VectorSearch returns up to n chunks most similar (cosine) to vec among
// the chunks of posts matching f, best first. vec must have the index's
// dimension and be finite and non-zero (else an invalid error); it need not
// be normalised. An empty index gives an empty result; n above the number
// of chunks is clamped.
func (s *Store) VectorSearch(ctx context.Context, vec []float32, n int, f semsearch.Filter) ([]semsearch.Hit, error) {
	if n <= 0 {
		return nil, semsearch.Errorf(semsearch.EInvalid, "the number of results must be positive, got %d", n)
	}
	if err := s.sync(ctx); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	q, err := checkVector(vec, s.dims, "query vector")
	if err != nil {
		return nil, err
	}
	count := s.vecs.Count()
	if count == 0 {
		return nil, nil
	}
	if !filterActive(f) {
		return s.queryVectors(ctx, q, min(n, count), nil)
	}
	var ids []string
	for _, pm := range s.posts {
		if matches(&pm.post, f) {
			ids = append(ids, pm.chunkIDs...)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	if len(ids)*selectiveRatio > count {
		// Broad filter: over-fetch in proportion to what the filter keeps.
		fetch := min(count, 2*n*count/len(ids)+10)
		hits, err := s.queryVectors(ctx, q, fetch, &f)
		if err != nil || len(hits) >= min(n, len(ids)) {
			if len(hits) > n {
				hits = hits[:n]
			}
			return hits, err
		}
	}
	return s.scan(q, ids, n), nil
}

// queryVectors runs a vector-index query of n ≤ Count() results, dropping
// hits of posts that do not match f (when f is non-nil). Callers hold mu.
func (s *Store) queryVectors(ctx context.Context, q []float32, n int, f *semsearch.Filter) ([]semsearch.Hit, error) {
	res, err := s.vecs.Query(ctx, q, n)
	if err != nil {
		return nil, fmt.Errorf("vector query: %w", err)
	}
	hits := res[:0]
	for _, h := range res {
		cm := s.chunks[h.ChunkID]
		if cm == nil {
			continue
		}
		if f != nil {
			pm := s.posts[cm.postID]
			if pm == nil || !matches(&pm.post, *f) {
				continue
			}
		}
		h.PostID = cm.postID
		hits = append(hits, h)
	}
	// chromem returns equal scores in a random order: fix one.
	sortHits(hits)
	return hits, nil
}

// sortHits orders hits by score, best first, ties by chunk ID, so that a
// query gives the same ranking every time.
func sortHits(hits []semsearch.Hit) {
	slices.SortFunc(hits, func(a, b semsearch.Hit) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return cmp.Compare(a.ChunkID, b.ChunkID)
	})
}

// scan is an exact search over the given chunks. Callers hold mu. Its
// scores are the fast index's (the same vecmath.Dot), so a filtered and
// an unfiltered query rank the same chunks the same way.
func (s *Store) scan(q []float32, ids []string, n int) []semsearch.Hit {
	hits := make([]semsearch.Hit, 0, len(ids))
	for _, id := range ids {
		cm := s.chunks[id]
		if cm == nil {
			continue
		}
		hits = append(hits, semsearch.Hit{ChunkID: id, PostID: cm.postID, Score: float64(vecmath.Dot(q, cm.vec))})
	}
	sortHits(hits)
	if len(hits) > n {
		hits = hits[:n]
	}
	return hits
}

// Chunks returns the stored chunks with the given IDs; unknown IDs are
// absent from the map. Context is left empty.
func (s *Store) Chunks(ctx context.Context, ids []string) (map[string]semsearch.Chunk, error) {
	out := make(map[string]semsearch.Chunk, len(ids))
	err := s.queryKeys(ctx, ids, nil, func(in string) string {
		return `SELECT id, post_id, ordinal, heading, start, "end", text FROM chunks WHERE id IN (` + in + `)`
	}, func(rows *sql.Rows) error {
		var c semsearch.Chunk
		if err := rows.Scan(&c.ID, &c.PostID, &c.Ordinal, &c.Heading, &c.Start, &c.End, &c.Text); err != nil {
			return err
		}
		out[c.ID] = c
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read chunks: %w", err)
	}
	return out, nil
}

// PostChunks returns a post's chunks in ordinal order with their
// (normalised) vectors; the slices belong to the caller. A missing post is
// a not_found error; a post without chunks gives empty slices.
func (s *Store) PostChunks(ctx context.Context, postID string) ([]semsearch.Chunk, [][]float32, error) {
	if _, ok, err := s.PostHash(ctx, postID); err != nil {
		return nil, nil, err
	} else if !ok {
		return nil, nil, semsearch.Errorf(semsearch.ENotFound, "post %q not found", postID)
	}
	return s.postChunks(ctx, postID)
}

func (s *Store) postChunks(ctx context.Context, postID string) ([]semsearch.Chunk, [][]float32, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, post_id, ordinal, heading, start, "end", text, vector
		FROM chunks WHERE post_id = ? ORDER BY ordinal`, postID)
	if err != nil {
		return nil, nil, fmt.Errorf("read chunks of post %s: %w", postID, err)
	}
	defer rows.Close()
	var chunks []semsearch.Chunk
	var vecs [][]float32
	for rows.Next() {
		var c semsearch.Chunk
		var blob []byte
		if err := rows.Scan(&c.ID, &c.PostID, &c.Ordinal, &c.Heading, &c.Start, &c.End, &c.Text, &blob); err != nil {
			return nil, nil, fmt.Errorf("read chunks of post %s: %w", postID, err)
		}
		v, ok := decodeVector(blob)
		if !ok {
			return nil, nil, fmt.Errorf("read chunks of post %s: chunk %s has a malformed vector", postID, c.ID)
		}
		chunks = append(chunks, c)
		vecs = append(vecs, v)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("read chunks of post %s: %w", postID, err)
	}
	return chunks, vecs, nil
}
