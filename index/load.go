package index

import (
	"context"
	"fmt"

	"github.com/semsearch/semsearch"
)

// load reads the post catalog and every chunk vector into memory and builds
// a fresh VectorIndex. Vectors are read in one query and reinterpreted in
// place (see decodeVector); they are stored normalised, so the index can
// keep the slices as given.
//
// It replaces the whole in-memory state: at Open, and when sync finds that
// another process changed more than it can apply post by post.
func (s *Store) load(ctx context.Context) error {
	// The change sequence is read first: changes committed while loading
	// are applied again by the next sync, which is harmless.
	seq, err := lastChange(ctx, s.db)
	if err != nil {
		return err
	}
	model, dims, err := storedModel(ctx, s.db)
	if err != nil {
		return err
	}
	posts, err := s.loadPosts(ctx)
	if err != nil {
		return err
	}
	vecs, err := s.newVecs(dims)
	if err != nil {
		return err
	}
	// Pipeline: this goroutine reads and decodes rows while another adds
	// the previous batches to the vector index.
	batches := make(chan vectorBatch, 4)
	addErr := make(chan error, 1)
	go func() {
		var first error
		for b := range batches {
			if first == nil {
				first = vecs.Add(ctx, b.ids, b.vecs)
			}
		}
		addErr <- first
	}()
	chunks, err := s.readVectors(ctx, dims, posts, batches)
	close(batches)
	if aerr := <-addErr; err == nil && aerr != nil {
		err = fmt.Errorf("load vectors: %w", aerr)
	}
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.model, s.dims, s.seq = model, dims, seq
	s.vecs, s.posts, s.chunks = vecs, posts, chunks
	return nil
}

// loadBatch is how many vectors travel to the vector index at once.
const loadBatch = 2048

// vectorBatch is a run of chunk vectors on their way to the vector index.
type vectorBatch struct {
	ids  []string
	vecs [][]float32
}

// readVectors reads every chunk vector in one query, records the chunks in
// posts, and sends them to out in batches.
func (s *Store) readVectors(ctx context.Context, dims int, posts map[string]*postMeta, out chan<- vectorBatch) (map[string]*chunkMeta, error) {
	var count int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM chunks`).Scan(&count); err != nil {
		return nil, fmt.Errorf("load vectors: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, post_id, vector FROM chunks`)
	if err != nil {
		return nil, fmt.Errorf("load vectors: %w", err)
	}
	defer rows.Close()
	chunks := make(map[string]*chunkMeta, count)
	metas := make([]chunkMeta, count) // one allocation for all of them
	batch := vectorBatch{}
	i := 0
	for rows.Next() {
		var id, postID string
		var blob []byte // a fresh copy owned by us (database/sql clones []byte)
		if err := rows.Scan(&id, &postID, &blob); err != nil {
			return nil, fmt.Errorf("load vectors: %w", err)
		}
		vec, ok := decodeVector(blob)
		if !ok || len(vec) != dims {
			return nil, fmt.Errorf("load vectors: chunk %s has a %d-byte vector, want %d dims", id, len(blob), dims)
		}
		pm := posts[postID]
		if pm == nil {
			return nil, fmt.Errorf("load vectors: chunk %s belongs to missing post %s", id, postID)
		}
		pm.chunkIDs = append(pm.chunkIDs, id)
		var cm *chunkMeta
		if i < len(metas) {
			cm = &metas[i]
		} else { // rows added since the count: impossible under writeMu, but harmless
			cm = new(chunkMeta)
		}
		i++
		*cm = chunkMeta{postID: pm.post.ID, vec: vec}
		chunks[id] = cm
		batch.ids = append(batch.ids, id)
		batch.vecs = append(batch.vecs, vec)
		if len(batch.ids) == loadBatch {
			out <- batch
			batch = vectorBatch{}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load vectors: %w", err)
	}
	if len(batch.ids) > 0 {
		out <- batch
	}
	return chunks, nil
}

func (s *Store) loadPosts(ctx context.Context) (map[string]*postMeta, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+postColumnsNoText+` FROM posts`)
	if err != nil {
		return nil, fmt.Errorf("load posts: %w", err)
	}
	defer rows.Close()
	posts := make(map[string]*postMeta)
	for rows.Next() {
		p, err := scanPost(rows, false)
		if err != nil {
			return nil, fmt.Errorf("load posts: %w", err)
		}
		posts[p.ID] = &postMeta{post: p}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load posts: %w", err)
	}
	return posts, nil
}

// postMetaFor builds the in-memory record of a post being stored.
func postMetaFor(p semsearch.Post, chunks []semsearch.Chunk) *postMeta {
	p.Text = ""
	ids := make([]string, len(chunks))
	for i, c := range chunks {
		ids[i] = c.ID
	}
	return &postMeta{post: p, chunkIDs: ids}
}
