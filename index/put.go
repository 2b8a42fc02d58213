package index

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/semsearch/semsearch"
)

// Doc is one post with its chunks and their vectors (Vecs[i] embeds
// Chunks[i]), as PutMany takes them.
type Doc struct {
	Post   semsearch.Post
	Chunks []semsearch.Chunk
	Vecs   [][]float32
}

// Put stores a post with its chunks and their vectors (vecs[i] embeds
// chunks[i]), replacing any earlier version of the post in one transaction.
// Vectors must have the index's dimension and be finite and non-zero; they
// are stored L2-normalised. Invalid input is an invalid error and stores
// nothing. A post with no chunks is stored in the catalog only.
func (s *Store) Put(ctx context.Context, post semsearch.Post, chunks []semsearch.Chunk, vecs [][]float32) error {
	return s.PutMany(ctx, []Doc{{Post: post, Chunks: chunks, Vecs: vecs}})
}

// PutMany stores several posts as Put does, all in one transaction: either
// every post is stored or none is. It saves one fsync per post over Put, for
// bulk loads. A post appearing twice is an invalid error.
func (s *Store) PutMany(ctx context.Context, docs []Doc) error {
	if len(docs) == 0 {
		return nil
	}
	// Hold writeMu from here: SetModel may change the dimension.
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	_, dims := s.Model()
	if err := CheckPostIDs(docs); err != nil {
		return err
	}
	norms := make([][][]float32, len(docs))
	for d, doc := range docs {
		norm, err := Validate(doc, dims)
		if err != nil {
			return err
		}
		norms[d] = norm
	}
	seqs, err := s.putTx(ctx, docs, norms)
	if err != nil {
		if len(docs) == 1 {
			return fmt.Errorf("store post %s: %w", docs[0].Post.ID, err)
		}
		return fmt.Errorf("store %d posts: %w", len(docs), err)
	}
	for d, doc := range docs {
		s.apply(ctx, doc.Post.ID, postMetaFor(doc.Post, doc.Chunks), doc.Chunks, norms[d])
	}
	s.mu.Lock()
	for _, seq := range seqs {
		s.advance(seq)
	}
	s.mu.Unlock()
	return nil
}

// CheckPostIDs is an invalid error unless every document of one write has
// a post ID, and no two the same.
func CheckPostIDs(docs []Doc) error {
	seen := make(map[string]bool, len(docs))
	for d, doc := range docs {
		if doc.Post.ID == "" || seen[doc.Post.ID] {
			return semsearch.Errorf(semsearch.EInvalid, "post %d has an empty or repeated ID %q", d, doc.Post.ID)
		}
		seen[doc.Post.ID] = true
	}
	return nil
}

// Validate checks one document for an index of dims dimensions and returns
// its vectors L2-normalised, in new slices (doc is not modified). It checks
// one vector per chunk, chunk IDs non-empty and distinct, chunks belonging to
// the post (or to no post named), and each vector of dims dimensions, finite
// and non-zero; a failure is an invalid error naming the post. The post ID
// itself is the caller's to check, against the other documents of a write
// (CheckPostIDs).
func Validate(doc Doc, dims int) ([][]float32, error) {
	post, chunks, vecs := doc.Post, doc.Chunks, doc.Vecs
	if len(vecs) != len(chunks) {
		return nil, semsearch.Errorf(semsearch.EInvalid, "post %s: %d chunks but %d vectors", post.ID, len(chunks), len(vecs))
	}
	norm := make([][]float32, len(vecs))
	seen := make(map[string]bool, len(chunks))
	for i, c := range chunks {
		if c.ID == "" || seen[c.ID] {
			return nil, semsearch.Errorf(semsearch.EInvalid, "post %s: chunk %d has an empty or repeated ID %q", post.ID, i, c.ID)
		}
		seen[c.ID] = true
		if c.PostID != "" && c.PostID != post.ID {
			return nil, semsearch.Errorf(semsearch.EInvalid, "post %s: chunk %s belongs to post %s", post.ID, c.ID, c.PostID)
		}
		v, err := checkVector(vecs[i], dims, fmt.Sprintf("post %s: vector of chunk %s", post.ID, c.ID))
		if err != nil {
			return nil, err
		}
		norm[i] = v
	}
	return norm, nil
}

// putTx writes docs in one transaction and returns their change-log
// sequence numbers.
func (s *Store) putTx(ctx context.Context, docs []Doc, norms [][][]float32) ([]int64, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback() // no-op after Commit
	// Another process may have switched the model since this one loaded:
	// checked inside the write transaction, so no vector of the old
	// dimension lands in an index of the new one.
	model, dims, err := storedModel(ctx, tx)
	if err != nil {
		return nil, err
	}
	if m, d := s.Model(); model != m || dims != d {
		return nil, semsearch.Errorf(semsearch.EConflict, "the index was switched to model %q (%d dims) by another process: restart semsearch", model, dims)
	}
	insChunk, err := tx.PrepareContext(ctx, `INSERT INTO chunks (id, post_id, ordinal, heading, start, "end", vector, text)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING pk`)
	if err != nil {
		return nil, err
	}
	defer insChunk.Close()
	insFTS, err := tx.PrepareContext(ctx, `INSERT INTO chunks_fts (rowid, title, heading, text) VALUES (?, ?, ?, ?)`)
	if err != nil {
		return nil, err
	}
	defer insFTS.Close()
	seqs := make([]int64, len(docs))
	for d, doc := range docs {
		seq, err := writePost(ctx, tx, insChunk, insFTS, doc.Post, doc.Chunks, norms[d])
		if err != nil {
			return nil, fmt.Errorf("post %s: %w", doc.Post.ID, err)
		}
		seqs[d] = seq
	}
	return seqs, tx.Commit()
}

// writePost replaces one post inside tx and logs the change.
func writePost(ctx context.Context, tx *sql.Tx, insChunk, insFTS *sql.Stmt, post semsearch.Post, chunks []semsearch.Chunk, vecs [][]float32) (int64, error) {
	if _, err := tx.ExecContext(ctx, `DELETE FROM chunks WHERE post_id = ?`, post.ID); err != nil {
		return 0, fmt.Errorf("delete old chunks: %w", err)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO posts (id, title, url, authors, published, updated, tags,
		source_title, source_url, text, content_hash, summary, reading_time, title_derived, ingested_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET title = excluded.title, url = excluded.url, authors = excluded.authors,
		published = excluded.published, updated = excluded.updated, tags = excluded.tags,
		source_title = excluded.source_title, source_url = excluded.source_url, text = excluded.text,
		content_hash = excluded.content_hash, summary = excluded.summary, reading_time = excluded.reading_time,
		title_derived = excluded.title_derived, ingested_at = excluded.ingested_at`,
		post.ID, post.Title, post.URL, encodeStrings(post.Authors), encodeTime(post.Published), encodeTime(post.Updated),
		encodeStrings(post.Tags), post.Source.Title, post.Source.URL, post.Text, post.ContentHash, post.Summary,
		post.ReadingTime, post.TitleDerived, time.Now().UTC().Format(time.RFC3339Nano))
	if err != nil {
		return 0, fmt.Errorf("upsert post: %w", err)
	}
	for i, c := range chunks {
		var pk int64
		err := insChunk.QueryRowContext(ctx, c.ID, post.ID, c.Ordinal, c.Heading, c.Start, c.End, encodeVector(vecs[i]), c.Text).Scan(&pk)
		if err != nil {
			return 0, fmt.Errorf("insert chunk %s: %w", c.ID, err)
		}
		if _, err := insFTS.ExecContext(ctx, pk, post.Title, c.Heading, c.Text); err != nil {
			return 0, fmt.Errorf("index chunk %s: %w", c.ID, err)
		}
	}
	return logChange(ctx, tx, post.ID)
}

// apply brings the in-memory state in line with a committed write of post
// id: pm == nil means the post was deleted. Callers hold writeMu.
func (s *Store) apply(ctx context.Context, id string, pm *postMeta, chunks []semsearch.Chunk, vecs [][]float32) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if old := s.posts[id]; old != nil && len(old.chunkIDs) > 0 {
		if err := s.vecs.Delete(ctx, old.chunkIDs...); err != nil {
			// The durable copy is right, and the next Open reloads it.
			s.log.ErrorContext(ctx, "index: delete chunks from the vector index", "post_id", id, "error", err)
		}
		for _, cid := range old.chunkIDs {
			delete(s.chunks, cid)
		}
	}
	if pm == nil {
		delete(s.posts, id)
		return
	}
	s.posts[id] = pm
	ids := make([]string, len(chunks))
	for i, c := range chunks {
		ids[i] = c.ID
	}
	if err := s.vecs.Add(ctx, ids, vecs); err != nil {
		// Unreachable with non-empty IDs and valid vectors; the durable copy
		// is right, and the next Open reloads it.
		s.log.ErrorContext(ctx, "index: add chunks to the vector index", "post_id", id, "error", err)
		return
	}
	for i, c := range chunks {
		s.chunks[c.ID] = &chunkMeta{postID: id, vec: vecs[i]}
	}
}

// Delete removes a post from the catalog, the lexical and the vector index.
// A missing post is a not_found error.
func (s *Store) Delete(ctx context.Context, id string) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("delete post %s: %w", id, err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `DELETE FROM posts WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("delete post %s: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("delete post %s: %w", id, err)
	}
	if n == 0 {
		return semsearch.Errorf(semsearch.ENotFound, "post %q not found", id)
	}
	seq, err := logChange(ctx, tx, id)
	if err != nil {
		return fmt.Errorf("delete post %s: %w", id, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("delete post %s: %w", id, err)
	}
	s.apply(ctx, id, nil, nil, nil)
	s.mu.Lock()
	s.advance(seq)
	s.mu.Unlock()
	return nil
}
