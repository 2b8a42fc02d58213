package index

import (
	"context"
	"database/sql"
	"fmt"
)

// CachedEmbeddings returns the cached vectors of model for the given text
// hashes; hashes without a cached vector are absent from the map. It
// implements embed.CacheStore.
func (s *Store) CachedEmbeddings(ctx context.Context, model string, hashes []string) (map[string][]float32, error) {
	out := make(map[string][]float32, len(hashes))
	err := s.queryKeys(ctx, hashes, []any{model}, func(in string) string {
		return `SELECT text_hash, vector FROM embed_cache WHERE model = ? AND text_hash IN (` + in + `)`
	}, func(rows *sql.Rows) error {
		var h string
		var blob []byte
		if err := rows.Scan(&h, &blob); err != nil {
			return err
		}
		if v, ok := decodeVector(blob); ok {
			out[h] = v
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read embedding cache: %w", err)
	}
	return out, nil
}

// CacheEmbeddings stores vectors of model by text hash, replacing existing
// entries. It implements embed.CacheStore.
func (s *Store) CacheEmbeddings(ctx context.Context, model string, vecs map[string][]float32) error {
	if len(vecs) == 0 {
		return nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("write embedding cache: %w", err)
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, `INSERT OR REPLACE INTO embed_cache (model, text_hash, vector) VALUES (?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("write embedding cache: %w", err)
	}
	defer stmt.Close()
	for h, v := range vecs {
		if _, err := stmt.ExecContext(ctx, model, h, encodeVector(v)); err != nil {
			return fmt.Errorf("write embedding cache: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("write embedding cache: %w", err)
	}
	return nil
}
