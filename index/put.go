package index

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	chromem "github.com/philippgille/chromem-go"

	"github.com/semsearch/semsearch"
)

// Put stores a post with its chunks and their vectors (vecs[i] embeds
// chunks[i]), replacing any earlier version of the post in one transaction.
// Vectors must have the index's dimension and be finite and non-zero; they
// are stored L2-normalised. Invalid input is an invalid error and stores
// nothing. A post with no chunks is stored in the catalog only.
func (s *Store) Put(ctx context.Context, post semsearch.Post, chunks []semsearch.Chunk, vecs [][]float32) error {
	if post.ID == "" {
		return semsearch.Errorf(semsearch.EInvalid, "post has no ID")
	}
	if len(vecs) != len(chunks) {
		return semsearch.Errorf(semsearch.EInvalid, "post %s: %d chunks but %d vectors", post.ID, len(chunks), len(vecs))
	}
	// Hold writeMu from here: SetModel may change the dimension.
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	_, dims := s.Model()
	norm := make([][]float32, len(vecs))
	seen := make(map[string]bool, len(chunks))
	for i, c := range chunks {
		if c.ID == "" || seen[c.ID] {
			return semsearch.Errorf(semsearch.EInvalid, "post %s: chunk %d has an empty or repeated ID %q", post.ID, i, c.ID)
		}
		seen[c.ID] = true
		if c.PostID != "" && c.PostID != post.ID {
			return semsearch.Errorf(semsearch.EInvalid, "post %s: chunk %s belongs to post %s", post.ID, c.ID, c.PostID)
		}
		v, err := checkVector(vecs[i], dims, fmt.Sprintf("post %s: vector of chunk %s", post.ID, c.ID))
		if err != nil {
			return err
		}
		norm[i] = v
	}

	if err := s.putTx(ctx, post, chunks, norm); err != nil {
		return fmt.Errorf("store post %s: %w", post.ID, err)
	}
	s.apply(ctx, post.ID, postMetaFor(post, chunks), chunks, norm)
	return nil
}

func (s *Store) putTx(ctx context.Context, post semsearch.Post, chunks []semsearch.Chunk, vecs [][]float32) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() // no-op after Commit
	if _, err := tx.ExecContext(ctx, `DELETE FROM chunks WHERE post_id = ?`, post.ID); err != nil {
		return fmt.Errorf("delete old chunks: %w", err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO posts (id, title, url, authors, published, updated, tags,
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
		return fmt.Errorf("upsert post: %w", err)
	}
	if len(chunks) > 0 {
		insChunk, err := tx.PrepareContext(ctx, `INSERT INTO chunks (id, post_id, ordinal, heading, start, "end", vector, text)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING pk`)
		if err != nil {
			return err
		}
		defer insChunk.Close()
		insFTS, err := tx.PrepareContext(ctx, `INSERT INTO chunks_fts (rowid, title, heading, text) VALUES (?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer insFTS.Close()
		for i, c := range chunks {
			var pk int64
			err := insChunk.QueryRowContext(ctx, c.ID, post.ID, c.Ordinal, c.Heading, c.Start, c.End, encodeVector(vecs[i]), c.Text).Scan(&pk)
			if err != nil {
				return fmt.Errorf("insert chunk %s: %w", c.ID, err)
			}
			if _, err := insFTS.ExecContext(ctx, pk, post.Title, c.Heading, c.Text); err != nil {
				return fmt.Errorf("index chunk %s: %w", c.ID, err)
			}
		}
	}
	return tx.Commit()
}

// apply brings the in-memory state in line with a committed write of post
// id: pm == nil means the post was deleted. Callers hold writeMu.
func (s *Store) apply(ctx context.Context, id string, pm *postMeta, chunks []semsearch.Chunk, vecs [][]float32) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if old := s.posts[id]; old != nil && len(old.chunkIDs) > 0 {
		// Delete never fails with ids given and no filters.
		_ = s.coll.Delete(ctx, nil, nil, old.chunkIDs...)
		for _, cid := range old.chunkIDs {
			delete(s.chunks, cid)
		}
	}
	if pm == nil {
		delete(s.posts, id)
		return
	}
	s.posts[id] = pm
	for i, c := range chunks {
		// vecs[i] is normalised, so chromem keeps this very slice.
		if err := s.coll.AddDocument(ctx, chromem.Document{ID: c.ID, Embedding: vecs[i]}); err != nil {
			// Unreachable with a non-empty ID and vector; the durable copy is
			// right, and the next Open reloads it.
			slog.ErrorContext(ctx, "index: add chunk to vector index", "chunk_id", c.ID, "error", err)
			continue
		}
		s.chunks[c.ID] = &chunkMeta{postID: id, vec: vecs[i]}
	}
}

// Delete removes a post from the catalog, the lexical and the vector index.
// A missing post is a not_found error.
func (s *Store) Delete(ctx context.Context, id string) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	res, err := s.db.ExecContext(ctx, `DELETE FROM posts WHERE id = ?`, id)
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
	s.apply(ctx, id, nil, nil, nil)
	return nil
}
