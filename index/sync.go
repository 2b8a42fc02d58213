package index

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/semsearch/semsearch"
)

// keepChanges is how many change-log entries survive pruning. A process
// that falls further behind reloads everything.
const keepChanges = 100_000

// logChange records, inside tx, that postID changed ("" = everything) and
// returns the entry's sequence number. Every 1000th entry prunes the log.
func logChange(ctx context.Context, tx *sql.Tx, postID string) (int64, error) {
	var seq int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO changes (post_id) VALUES (?) RETURNING seq`, postID).Scan(&seq); err != nil {
		return 0, fmt.Errorf("log change: %w", err)
	}
	if seq%1000 == 0 {
		if _, err := tx.ExecContext(ctx, `DELETE FROM changes WHERE seq <= ?`, seq-keepChanges); err != nil {
			return 0, fmt.Errorf("prune change log: %w", err)
		}
	}
	return seq, nil
}

// lastChange is the newest change-log sequence number (0 for none).
func lastChange(ctx context.Context, q rowQuerier) (int64, error) {
	var seq int64
	if err := q.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM changes`).Scan(&seq); err != nil {
		return 0, fmt.Errorf("read change log: %w", err)
	}
	return seq, nil
}

// advance notes that this process applied its own change seq. When another
// process wrote in between, the gap stays open and the next sync fills it.
// Callers hold mu.
func (s *Store) advance(seq int64) {
	if seq == s.seq+1 {
		s.seq = seq
	}
}

// sync applies to memory the changes other processes committed since the
// last sync (a `semsearch ingest` beside a running server): each changed
// post is reloaded from the database, or the whole state when the log says
// so or has been pruned past this process. It costs one indexed query when
// nothing changed.
func (s *Store) sync(ctx context.Context) error {
	last, err := lastChange(ctx, s.db)
	if err != nil {
		return err
	}
	s.mu.RLock()
	cur := s.seq
	s.mu.RUnlock()
	if last <= cur {
		return nil
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	s.mu.RLock()
	cur = s.seq
	s.mu.RUnlock()

	rows, err := s.db.QueryContext(ctx, `SELECT seq, post_id FROM changes WHERE seq > ? ORDER BY seq`, cur)
	if err != nil {
		return fmt.Errorf("read change log: %w", err)
	}
	var ids []string
	seen := map[string]bool{}
	first, upto, everything := int64(0), cur, false
	for rows.Next() {
		var seq int64
		var id string
		if err := rows.Scan(&seq, &id); err != nil {
			rows.Close()
			return fmt.Errorf("read change log: %w", err)
		}
		if first == 0 {
			first = seq
		}
		upto = seq
		everything = everything || id == ""
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read change log: %w", err)
	}
	if upto == cur {
		return nil
	}
	if everything || first > cur+1 { // a model change, or entries pruned
		return s.load(ctx)
	}
	for _, id := range ids {
		pm, chunks, vecs, err := s.readPost(ctx, id)
		if err != nil {
			return err
		}
		s.apply(ctx, id, pm, chunks, vecs)
	}
	s.mu.Lock()
	s.seq = max(s.seq, upto)
	s.mu.Unlock()
	return nil
}

// readPost reads what memory holds of one post: nil when it is gone.
func (s *Store) readPost(ctx context.Context, id string) (*postMeta, []semsearch.Chunk, [][]float32, error) {
	row := s.db.QueryRowContext(ctx, `SELECT `+postColumnsNoText+` FROM posts WHERE id = ?`, id)
	p, err := scanPost(row, false)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, nil, nil
	}
	if err != nil {
		return nil, nil, nil, fmt.Errorf("reload post %s: %w", id, err)
	}
	chunks, vecs, err := s.postChunks(ctx, id)
	if err != nil {
		return nil, nil, nil, err
	}
	return postMetaFor(p, chunks), chunks, vecs, nil
}
