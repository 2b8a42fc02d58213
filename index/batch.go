package index

import (
	"context"
	"database/sql"
	"strings"
)

// keyBatch is how many keys one IN (...) list binds: well below SQLite's
// bound-parameter limit.
const keyBatch = 500

// queryKeys runs the query that build makes of an IN list's placeholders
// once per batch of keys, with lead bound before the keys, and calls scan
// on every row.
func (s *Store) queryKeys(ctx context.Context, keys []string, lead []any, build func(in string) string, scan func(*sql.Rows) error) error {
	for start := 0; start < len(keys); start += keyBatch {
		part := keys[start:min(start+keyBatch, len(keys))]
		args := make([]any, 0, len(lead)+len(part))
		args = append(args, lead...)
		for _, k := range part {
			args = append(args, k)
		}
		if err := s.queryRows(ctx, build(placeholders(len(part))), args, scan); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) queryRows(ctx context.Context, query string, args []any, scan func(*sql.Rows) error) error {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}
