package index

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/semsearch/semsearch"
)

const postColumnsNoText = `id, title, url, authors, published, updated, tags, source_title, source_url, content_hash, summary, reading_time, title_derived`

// scanPost reads postColumnsNoText, followed by text when withText.
func scanPost(row interface{ Scan(...any) error }, withText bool) (semsearch.Post, error) {
	var p semsearch.Post
	var authors, tags, published, updated string
	dest := []any{&p.ID, &p.Title, &p.URL, &authors, &published, &updated, &tags,
		&p.Source.Title, &p.Source.URL, &p.ContentHash, &p.Summary, &p.ReadingTime, &p.TitleDerived}
	if withText {
		dest = append(dest, &p.Text)
	}
	if err := row.Scan(dest...); err != nil {
		return p, err
	}
	var err error
	if p.Authors, err = decodeStrings(authors); err != nil {
		return p, fmt.Errorf("post %s authors: %w", p.ID, err)
	}
	if p.Tags, err = decodeStrings(tags); err != nil {
		return p, fmt.Errorf("post %s tags: %w", p.ID, err)
	}
	if p.Published, err = decodeTime(published); err != nil {
		return p, fmt.Errorf("post %s published: %w", p.ID, err)
	}
	if p.Updated, err = decodeTime(updated); err != nil {
		return p, fmt.Errorf("post %s updated: %w", p.ID, err)
	}
	return p, nil
}

func encodeStrings(v []string) string {
	if len(v) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(v) // []string always marshals
	return string(b)
}

func decodeStrings(s string) ([]string, error) {
	var v []string
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return nil, err
	}
	if len(v) == 0 {
		return nil, nil
	}
	return v, nil
}

func encodeTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339Nano)
}

func decodeTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.RFC3339Nano, s)
}

// Post returns the stored post with its text; a missing post is a not_found
// error.
func (s *Store) Post(ctx context.Context, id string) (semsearch.Post, error) {
	row := s.db.QueryRowContext(ctx, `SELECT `+postColumnsNoText+`, text FROM posts WHERE id = ?`, id)
	p, err := scanPost(row, true)
	if errors.Is(err, sql.ErrNoRows) {
		return semsearch.Post{}, semsearch.Errorf(semsearch.ENotFound, "post %q not found", id)
	}
	if err != nil {
		return semsearch.Post{}, fmt.Errorf("read post %s: %w", id, err)
	}
	return p, nil
}

// PostHash returns the content hash stored for a post, and whether the post
// exists. The hash is "" after SetModel, so that every post is re-embedded.
func (s *Store) PostHash(ctx context.Context, id string) (string, bool, error) {
	var h string
	err := s.db.QueryRowContext(ctx, `SELECT content_hash FROM posts WHERE id = ?`, id).Scan(&h)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("read hash of post %s: %w", id, err)
	}
	return h, true, nil
}

// PostIDs returns the IDs of every stored post, sorted. Reindexing iterates
// over them with Post, so that no read cursor stays open across writes.
func (s *Store) PostIDs(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id FROM posts ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list posts: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("list posts: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list posts: %w", err)
	}
	return ids, nil
}

// PostMeta returns the metadata (everything but Text) of the given posts;
// unknown IDs are absent from the map. This Store answers from memory and
// never fails; the error is for backends that read over a network. The
// returned posts share their Authors and Tags slices with the store: do not
// modify them.
func (s *Store) PostMeta(ctx context.Context, ids ...string) (map[string]semsearch.Post, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make(map[string]semsearch.Post, len(ids))
	for _, id := range ids {
		if pm := s.posts[id]; pm != nil {
			out[id] = pm.post
		}
	}
	return out, nil
}

// PostTexts returns the clean text of the given posts; unknown IDs are
// absent from the map.
func (s *Store) PostTexts(ctx context.Context, ids ...string) (map[string]string, error) {
	out := make(map[string]string, len(ids))
	err := s.queryKeys(ctx, ids, nil, func(in string) string {
		return `SELECT id, text FROM posts WHERE id IN (` + in + `)`
	}, func(rows *sql.Rows) error {
		var id, text string
		if err := rows.Scan(&id, &text); err != nil {
			return err
		}
		out[id] = text
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read post texts: %w", err)
	}
	return out, nil
}

// Ready reports whether the store answers queries: the database responds
// and the vectors are loaded. It is cheap enough for every readiness probe
// (one ping, no table scan).
func (s *Store) Ready(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("index not ready: %w", err)
	}
	s.mu.RLock()
	loaded := s.vecs != nil
	s.mu.RUnlock()
	if !loaded {
		return semsearch.Errorf(semsearch.EUnavailable, "the index is still loading")
	}
	return nil
}

// Stats counts posts, chunks and distinct sources (by source URL).
func (s *Store) Stats(ctx context.Context) (semsearch.Stats, error) {
	st := semsearch.Stats{}
	err := s.db.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM posts),
		(SELECT count(*) FROM chunks),
		(SELECT count(DISTINCT source_url) FROM posts WHERE source_url != '')`).Scan(&st.Posts, &st.Chunks, &st.Sources)
	if err != nil {
		return st, fmt.Errorf("read stats: %w", err)
	}
	st.Model, st.Dims = s.Model()
	return st, nil
}
