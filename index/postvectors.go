package index

import (
	"cmp"
	"context"
	"slices"

	"github.com/semsearch/semsearch"
)

// AllPostVectors returns every post with its chunk vectors, sorted by post
// ID, chunks by chunk ID, after applying other processes' changes (as every
// read does). It reads memory only: the slices are fresh, but the vectors
// themselves are the store's (never written once stored): do not modify
// them. A post without chunks has empty ChunkIDs and Vecs.
func (s *Store) AllPostVectors(ctx context.Context) ([]semsearch.PostVectors, error) {
	if err := s.sync(ctx); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]semsearch.PostVectors, 0, len(s.posts))
	for id, pm := range s.posts {
		cids := slices.Clone(pm.chunkIDs)
		slices.Sort(cids)
		pv := semsearch.PostVectors{PostID: id, ContentHash: pm.post.ContentHash, ChunkIDs: cids[:0], Vecs: make([][]float32, 0, len(cids))}
		for _, cid := range cids {
			if cm := s.chunks[cid]; cm != nil {
				pv.ChunkIDs = append(pv.ChunkIDs, cid)
				pv.Vecs = append(pv.Vecs, cm.vec)
			}
		}
		out = append(out, pv)
	}
	slices.SortFunc(out, func(a, b semsearch.PostVectors) int { return cmp.Compare(a.PostID, b.PostID) })
	return out, nil
}

// PostVectorsVersion is a number that changes whenever a post or its
// vectors may have changed: the change-log sequence this process has
// applied, after applying other processes' changes (as every read does).
// Two equal versions mean AllPostVectors returns the same posts with the
// same vectors, so a caller can keep what it built from the last one.
func (s *Store) PostVectorsVersion(ctx context.Context) (int64, error) {
	if err := s.sync(ctx); err != nil {
		return 0, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.seq, nil
}
