package index

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/semsearch/semsearch"
)

// SetModel switches the index to another embedding model, for `semsearch
// reindex`: in one transaction it drops every chunk (with its vector and
// lexical entry) and the whole embedding cache, records model and dims, and
// clears every post's content hash so that the next ingest or reindex
// re-chunks and re-embeds each post (PostHash returns ""). The catalog
// (posts and their text) stays, so PostIDs and Post can drive the re-embed.
func (s *Store) SetModel(ctx context.Context, model string, dims int) error {
	if model == "" || dims <= 0 {
		return semsearch.Errorf(semsearch.EInvalid, "a model name and a positive dimension are needed, got %q and %d", model, dims)
	}
	vecs, err := s.newVecs(dims)
	if err != nil {
		return fmt.Errorf("set model %s: %w", model, err)
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("set model %s: %w", model, err)
	}
	defer tx.Rollback()
	for _, q := range []string{
		`DELETE FROM chunks`,
		`DELETE FROM embed_cache`,
		`UPDATE posts SET content_hash = ''`,
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("set model %s: %w", model, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE meta SET model = ?, dims = ? WHERE id = 1`, model, dims); err != nil {
		return fmt.Errorf("set model %s: %w", model, err)
	}
	seq, err := logChange(ctx, tx, "")
	if err != nil {
		return fmt.Errorf("set model %s: %w", model, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("set model %s: %w", model, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.model, s.dims, s.vecs = model, dims, vecs
	s.advance(seq)
	s.chunks = make(map[string]*chunkMeta)
	for _, pm := range s.posts {
		pm.chunkIDs = nil
		pm.post.ContentHash = ""
	}
	return nil
}

// rowQuerier is what *sql.DB and *sql.Tx share for one-row reads.
type rowQuerier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// storedModel reads the model and dimension the database records. An index
// not yet created gives an error wrapping sql.ErrNoRows.
func storedModel(ctx context.Context, q rowQuerier) (string, int, error) {
	var model string
	var dims int
	if err := q.QueryRowContext(ctx, `SELECT model, dims FROM meta WHERE id = 1`).Scan(&model, &dims); err != nil {
		return "", 0, fmt.Errorf("read model: %w", err)
	}
	return model, dims, nil
}
