package index

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Verify checks the index's invariants and returns an error naming every
// violation: SQLite page and foreign-key integrity, the FTS5 index's
// integrity, one lexical row and one well-sized vector per chunk, and an
// in-memory state (catalog and vector collection) equal to the durable one.
// Crash tests run it after killing a writer.
func (s *Store) Verify(ctx context.Context) error {
	if err := s.sync(ctx); err != nil {
		return fmt.Errorf("verify index: %w", err)
	}
	// Hold off writers so the durable and in-memory views are one moment.
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	var problems []string
	fail := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	var quick string
	if err := s.db.QueryRowContext(ctx, `PRAGMA quick_check`).Scan(&quick); err != nil {
		return fmt.Errorf("verify index: %w", err)
	}
	if quick != "ok" {
		fail("quick_check: %s", quick)
	}
	var fkRows int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM pragma_foreign_key_check`).Scan(&fkRows); err != nil {
		return fmt.Errorf("verify index: %w", err)
	}
	if fkRows > 0 {
		fail("%d rows violate foreign keys", fkRows)
	}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO chunks_fts (chunks_fts) VALUES ('integrity-check')`); err != nil {
		fail("lexical index integrity: %v", err)
	}

	_, dims := s.Model()
	var posts, chunks, ftsRows, badVecs int
	err := s.db.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM posts),
		(SELECT count(*) FROM chunks),
		(SELECT count(*) FROM chunks_fts),
		(SELECT count(*) FROM chunks WHERE length(vector) != ?)`, 4*dims).Scan(&posts, &chunks, &ftsRows, &badVecs)
	if err != nil {
		return fmt.Errorf("verify index: %w", err)
	}
	if ftsRows != chunks {
		fail("%d chunks but %d lexical rows", chunks, ftsRows)
	}
	if badVecs > 0 {
		fail("%d chunks have a vector that is not %d float32s", badVecs, dims)
	}
	var orphans int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM chunks_fts WHERE rowid NOT IN (SELECT pk FROM chunks)`).Scan(&orphans); err != nil {
		return fmt.Errorf("verify index: %w", err)
	}
	if orphans > 0 {
		fail("%d lexical rows have no chunk", orphans)
	}

	rows, err := s.db.QueryContext(ctx, `SELECT id, post_id FROM chunks`)
	if err != nil {
		return fmt.Errorf("verify index: %w", err)
	}
	durable := map[string]string{}
	for rows.Next() {
		var id, post string
		if err := rows.Scan(&id, &post); err != nil {
			rows.Close()
			return fmt.Errorf("verify index: %w", err)
		}
		durable[id] = post
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("verify index: %w", err)
	}

	s.mu.RLock()
	if len(s.posts) != posts {
		fail("%d posts stored but %d in memory", posts, len(s.posts))
	}
	if n := s.vecs.Count(); n != chunks || len(s.chunks) != chunks {
		fail("%d chunks stored but %d in the vector index (%d in memory)", chunks, n, len(s.chunks))
	}
	missing := 0
	for id, post := range durable {
		if cm := s.chunks[id]; cm == nil || cm.postID != post {
			missing++
		}
	}
	s.mu.RUnlock()
	if missing > 0 {
		fail("%d stored chunks are missing from memory or belong to another post there", missing)
	}
	if len(problems) > 0 {
		return errors.New("index invariants violated: " + strings.Join(problems, "; "))
	}
	return nil
}
