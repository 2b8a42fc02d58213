package index

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/semsearch/semsearch"
)

// The source registry: subscriptions with their polling state, the posts
// each source contributed (post_sources) and the pages a crawl or a
// directory scan read (source_pages). It is what package sources declares
// as its Registry; see migration 3 for the tables.

const sourceColumns = `s.id, s.url, s.kind, s.site_url, s.title, s.allow_private, s.interval_ms, s.status,
	s.etag, s.last_modified, s.body_hash, s.added, s.last_checked, s.next_check, s.http_status,
	s.errors, s.last_error, s.cadence_ms,
	(SELECT count(*) FROM post_sources ps WHERE ps.source_id = s.id)`

func scanSource(row interface{ Scan(...any) error }) (semsearch.Subscription, error) {
	var sub semsearch.Subscription
	var kind, status string
	var interval, added, checked, next, cadence int64
	err := row.Scan(&sub.ID, &sub.URL, &kind, &sub.SiteURL, &sub.Title, &sub.AllowPrivate, &interval, &status,
		&sub.ETag, &sub.LastModified, &sub.BodyHash, &added, &checked, &next, &sub.HTTPStatus,
		&sub.Errors, &sub.LastError, &cadence, &sub.Posts)
	if err != nil {
		return sub, err
	}
	sub.Kind, sub.Status = semsearch.SourceKind(kind), semsearch.SourceStatus(status)
	sub.Interval, sub.Cadence = time.Duration(interval)*time.Millisecond, time.Duration(cadence)*time.Millisecond
	sub.Added, sub.LastChecked, sub.NextCheck = fromMillis(added), fromMillis(checked), fromMillis(next)
	return sub, nil
}

func millis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMillis(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// AddSource registers a subscription and returns it with its ID. Its URL
// must be new: a source already subscribed is a conflict error. A zero
// Added is now; a zero NextCheck makes it due at once.
func (s *Store) AddSource(ctx context.Context, sub semsearch.Subscription) (semsearch.Subscription, error) {
	if sub.URL == "" || sub.Kind == "" {
		return sub, semsearch.Errorf(semsearch.EInvalid, "a source needs a URL and a kind")
	}
	if sub.Added.IsZero() {
		sub.Added = time.Now().UTC()
	}
	if sub.Status == "" {
		sub.Status = semsearch.StatusNew
	}
	if sub.NextCheck.IsZero() && sub.Status != semsearch.StatusGone {
		sub.NextCheck = sub.Added
	}
	err := s.db.QueryRowContext(ctx, `INSERT INTO sources (url, kind, site_url, title, allow_private, interval_ms, status,
		etag, last_modified, body_hash, added, last_checked, next_check, http_status, errors, last_error, cadence_ms)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		sub.URL, string(sub.Kind), sub.SiteURL, sub.Title, sub.AllowPrivate, sub.Interval.Milliseconds(), string(sub.Status),
		sub.ETag, sub.LastModified, sub.BodyHash, millis(sub.Added), millis(sub.LastChecked), millis(sub.NextCheck),
		sub.HTTPStatus, sub.Errors, sub.LastError, sub.Cadence.Milliseconds()).Scan(&sub.ID)
	if isUniqueViolation(err) {
		return sub, semsearch.Errorf(semsearch.EConflict, "source %s is already subscribed", sub.URL)
	}
	if err != nil {
		return sub, fmt.Errorf("add source %s: %w", sub.URL, err)
	}
	return sub, nil
}

func isUniqueViolation(err error) bool {
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}

// Sources lists every subscription, oldest first.
func (s *Store) Sources(ctx context.Context) ([]semsearch.Subscription, error) {
	return s.querySources(ctx, `SELECT `+sourceColumns+` FROM sources s ORDER BY s.id`)
}

func (s *Store) querySources(ctx context.Context, q string, args ...any) ([]semsearch.Subscription, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list sources: %w", err)
	}
	defer rows.Close()
	var out []semsearch.Subscription
	for rows.Next() {
		sub, err := scanSource(rows)
		if err != nil {
			return nil, fmt.Errorf("list sources: %w", err)
		}
		out = append(out, sub)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list sources: %w", err)
	}
	return out, nil
}

// Source returns one subscription; an unknown ID is a not_found error.
func (s *Store) Source(ctx context.Context, id int64) (semsearch.Subscription, error) {
	sub, err := scanSource(s.db.QueryRowContext(ctx, `SELECT `+sourceColumns+` FROM sources s WHERE s.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return sub, semsearch.Errorf(semsearch.ENotFound, "source %d not found", id)
	}
	if err != nil {
		return sub, fmt.Errorf("read source %d: %w", id, err)
	}
	return sub, nil
}

// ClaimDue returns up to limit sources due at now (next check at or before
// it, not gone), earliest first, and moves their next check to now+lease in
// the same statement, so that another process polling the same index (a
// `semsearch poll` beside a server) does not take them too. A poll that
// finishes records the real next check with SavePoll; one that dies leaves
// the source due again when the lease ends.
func (s *Store) ClaimDue(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]semsearch.Subscription, error) {
	if limit <= 0 {
		return nil, nil
	}
	rows, err := s.db.QueryContext(ctx, `UPDATE sources SET next_check = ?
		WHERE id IN (SELECT id FROM sources WHERE status != 'gone' AND next_check <= ? ORDER BY next_check, id LIMIT ?)
		RETURNING id`, millis(now.Add(lease)), millis(now), limit)
	if err != nil {
		return nil, fmt.Errorf("claim due sources: %w", err)
	}
	var ids []any
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("claim due sources: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("claim due sources: %w", err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	return s.querySources(ctx, `SELECT `+sourceColumns+` FROM sources s WHERE s.id IN (?`+strings.Repeat(", ?", len(ids)-1)+`) ORDER BY s.id`, ids...)
}

// NextDue is the earliest next check of any source that is not gone, and
// false when there is none.
func (s *Store) NextDue(ctx context.Context) (time.Time, bool, error) {
	var next sql.NullInt64
	if err := s.db.QueryRowContext(ctx, `SELECT min(next_check) FROM sources WHERE status != 'gone'`).Scan(&next); err != nil {
		return time.Time{}, false, fmt.Errorf("read next due source: %w", err)
	}
	if !next.Valid {
		return time.Time{}, false, nil
	}
	return fromMillis(next.Int64), true, nil
}

// SavePoll records the outcome of one poll in one transaction: the
// source's state (every field but ID, Added and Posts; a changed URL is a
// move, a conflict error when another source has that URL), links to the
// posts it yielded (posts not in the store are skipped), the pages it read
// (upserted) and the pages it no longer has (dropped).
func (s *Store) SavePoll(ctx context.Context, sub semsearch.Subscription, linked []string, pages []semsearch.SourcePage, dropPages []string) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("save poll of source %d: %w", sub.ID, err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE sources SET url = ?, kind = ?, site_url = ?, title = ?, allow_private = ?,
		interval_ms = ?, status = ?, etag = ?, last_modified = ?, body_hash = ?, last_checked = ?, next_check = ?,
		http_status = ?, errors = ?, last_error = ?, cadence_ms = ? WHERE id = ?`,
		sub.URL, string(sub.Kind), sub.SiteURL, sub.Title, sub.AllowPrivate, sub.Interval.Milliseconds(), string(sub.Status),
		sub.ETag, sub.LastModified, sub.BodyHash, millis(sub.LastChecked), millis(sub.NextCheck),
		sub.HTTPStatus, sub.Errors, sub.LastError, sub.Cadence.Milliseconds(), sub.ID)
	if isUniqueViolation(err) {
		return semsearch.Errorf(semsearch.EConflict, "source %d cannot move to %s: another source has that URL", sub.ID, sub.URL)
	}
	if err != nil {
		return fmt.Errorf("save poll of source %d: %w", sub.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		if err == nil {
			return semsearch.Errorf(semsearch.ENotFound, "source %d not found (removed while it was polled)", sub.ID)
		}
		return fmt.Errorf("save poll of source %d: %w", sub.ID, err)
	}
	if len(linked) > 0 {
		link, err := tx.PrepareContext(ctx, `INSERT OR IGNORE INTO post_sources (source_id, post_id) SELECT ?, id FROM posts WHERE id = ?`)
		if err != nil {
			return fmt.Errorf("save poll of source %d: %w", sub.ID, err)
		}
		defer link.Close()
		for _, id := range linked {
			if _, err := link.ExecContext(ctx, sub.ID, id); err != nil {
				return fmt.Errorf("link post %s to source %d: %w", id, sub.ID, err)
			}
		}
	}
	for _, p := range pages {
		_, err := tx.ExecContext(ctx, `INSERT INTO source_pages (source_id, url, lastmod, post_ids, checked, etag, last_modified)
			VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (source_id, url) DO UPDATE SET lastmod = excluded.lastmod, post_ids = excluded.post_ids,
			checked = excluded.checked, etag = excluded.etag, last_modified = excluded.last_modified`,
			sub.ID, p.URL, p.Lastmod, encodeStrings(p.PostIDs), millis(p.Checked), p.ETag, p.LastModified)
		if err != nil {
			return fmt.Errorf("save page %s of source %d: %w", p.URL, sub.ID, err)
		}
	}
	for _, u := range dropPages {
		if _, err := tx.ExecContext(ctx, `DELETE FROM source_pages WHERE source_id = ? AND url = ?`, sub.ID, u); err != nil {
			return fmt.Errorf("drop page %s of source %d: %w", u, sub.ID, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("save poll of source %d: %w", sub.ID, err)
	}
	return nil
}

// SourcePages returns the pages a source has read, by URL.
func (s *Store) SourcePages(ctx context.Context, id int64) (map[string]semsearch.SourcePage, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT url, lastmod, post_ids, checked, etag, last_modified FROM source_pages WHERE source_id = ?`, id)
	if err != nil {
		return nil, fmt.Errorf("read pages of source %d: %w", id, err)
	}
	defer rows.Close()
	out := map[string]semsearch.SourcePage{}
	for rows.Next() {
		var p semsearch.SourcePage
		var ids string
		var checked int64
		if err := rows.Scan(&p.URL, &p.Lastmod, &ids, &checked, &p.ETag, &p.LastModified); err != nil {
			return nil, fmt.Errorf("read pages of source %d: %w", id, err)
		}
		if p.PostIDs, err = decodeStrings(ids); err != nil {
			return nil, fmt.Errorf("read pages of source %d: page %s: %w", id, p.URL, err)
		}
		p.Checked = fromMillis(checked)
		out[p.URL] = p
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read pages of source %d: %w", id, err)
	}
	return out, nil
}

// PostHashes returns the stored content hash of each of ids that exists.
func (s *Store) PostHashes(ctx context.Context, ids []string) (map[string]string, error) {
	out := make(map[string]string, len(ids))
	const batch = 500
	for start := 0; start < len(ids); start += batch {
		part := ids[start:min(start+batch, len(ids))]
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		rows, err := s.db.QueryContext(ctx, `SELECT id, content_hash FROM posts WHERE id IN (?`+strings.Repeat(", ?", len(part)-1)+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("read post hashes: %w", err)
		}
		for rows.Next() {
			var id, h string
			if err := rows.Scan(&id, &h); err != nil {
				rows.Close()
				return nil, fmt.Errorf("read post hashes: %w", err)
			}
			out[id] = h
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("read post hashes: %w", err)
		}
	}
	return out, nil
}

// RemoveSource unsubscribes a source. With purge it also deletes, in the
// same transaction, every post that this source contributed and no other
// source did, from every index; it returns how many. An unknown ID is a
// not_found error.
func (s *Store) RemoveSource(ctx context.Context, id int64, purge bool) (int, error) {
	return s.unlinkTx(ctx, id, nil, purge, true)
}

// DropPosts unlinks postIDs from source id (a file deleted from a scanned
// directory) and deletes those of them that no other source contributed,
// from every index. It returns how many posts were deleted.
func (s *Store) DropPosts(ctx context.Context, id int64, postIDs []string) (int, error) {
	if len(postIDs) == 0 {
		return 0, nil
	}
	return s.unlinkTx(ctx, id, postIDs, true, false)
}

// unlinkTx unlinks posts (all of the source's when postIDs is nil) from
// source id, deletes the orphans when purge, and the source itself when
// removeSource, in one transaction; then it brings memory in line.
func (s *Store) unlinkTx(ctx context.Context, id int64, postIDs []string, purge, removeSource bool) (int, error) {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	what := fmt.Sprintf("source %d", id)
	if removeSource {
		what = "remove " + what
	} else {
		what = "drop posts of " + what
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", what, err)
	}
	defer tx.Rollback()
	var exists int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM sources WHERE id = ?`, id).Scan(&exists); err != nil {
		return 0, fmt.Errorf("%s: %w", what, err)
	}
	if exists == 0 {
		return 0, semsearch.Errorf(semsearch.ENotFound, "source %d not found", id)
	}
	if postIDs == nil {
		rows, err := tx.QueryContext(ctx, `SELECT post_id FROM post_sources WHERE source_id = ?`, id)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", what, err)
		}
		for rows.Next() {
			var pid string
			if err := rows.Scan(&pid); err != nil {
				rows.Close()
				return 0, fmt.Errorf("%s: %w", what, err)
			}
			postIDs = append(postIDs, pid)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return 0, fmt.Errorf("%s: %w", what, err)
		}
	}
	var deleted []string
	var seqs []int64
	for _, pid := range postIDs {
		if _, err := tx.ExecContext(ctx, `DELETE FROM post_sources WHERE source_id = ? AND post_id = ?`, id, pid); err != nil {
			return 0, fmt.Errorf("%s: %w", what, err)
		}
		if !purge {
			continue
		}
		var others int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM post_sources WHERE post_id = ?`, pid).Scan(&others); err != nil {
			return 0, fmt.Errorf("%s: %w", what, err)
		}
		if others > 0 {
			continue
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM posts WHERE id = ?`, pid)
		if err != nil {
			return 0, fmt.Errorf("%s: delete post %s: %w", what, pid, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			continue
		}
		seq, err := logChange(ctx, tx, pid)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", what, err)
		}
		deleted, seqs = append(deleted, pid), append(seqs, seq)
	}
	if removeSource {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sources WHERE id = ?`, id); err != nil {
			return 0, fmt.Errorf("%s: %w", what, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("%s: %w", what, err)
	}
	for _, pid := range deleted {
		s.apply(ctx, pid, nil, nil, nil)
	}
	s.mu.Lock()
	for _, seq := range seqs {
		s.advance(seq)
	}
	s.mu.Unlock()
	return len(deleted), nil
}

// Registry is a copy of the whole source registry, carried across a
// reindex (which builds a new store from the posts).
type Registry struct {
	Sources []semsearch.Subscription
	Links   map[int64][]string               // post IDs by source ID
	Pages   map[int64][]semsearch.SourcePage // by source ID
}

// ExportRegistry reads the whole registry.
func (s *Store) ExportRegistry(ctx context.Context) (Registry, error) {
	reg := Registry{Links: map[int64][]string{}, Pages: map[int64][]semsearch.SourcePage{}}
	var err error
	if reg.Sources, err = s.Sources(ctx); err != nil {
		return reg, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT source_id, post_id FROM post_sources ORDER BY source_id, post_id`)
	if err != nil {
		return reg, fmt.Errorf("export source links: %w", err)
	}
	for rows.Next() {
		var sid int64
		var pid string
		if err := rows.Scan(&sid, &pid); err != nil {
			rows.Close()
			return reg, fmt.Errorf("export source links: %w", err)
		}
		reg.Links[sid] = append(reg.Links[sid], pid)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return reg, fmt.Errorf("export source links: %w", err)
	}
	for _, sub := range reg.Sources {
		pages, err := s.SourcePages(ctx, sub.ID)
		if err != nil {
			return reg, err
		}
		for _, p := range pages {
			reg.Pages[sub.ID] = append(reg.Pages[sub.ID], p)
		}
	}
	return reg, nil
}

// ImportRegistry writes reg into a store that has no sources yet, keeping
// source IDs; links to posts the store lacks are skipped.
func (s *Store) ImportRegistry(ctx context.Context, reg Registry) error {
	for _, sub := range reg.Sources {
		_, err := s.db.ExecContext(ctx, `INSERT INTO sources (id, url, kind, added) VALUES (?, ?, ?, ?)`,
			sub.ID, sub.URL, string(sub.Kind), millis(sub.Added))
		if err != nil {
			return fmt.Errorf("import source %d: %w", sub.ID, err)
		}
		if err := s.SavePoll(ctx, sub, reg.Links[sub.ID], reg.Pages[sub.ID], nil); err != nil {
			return fmt.Errorf("import source %d: %w", sub.ID, err)
		}
	}
	return nil
}
