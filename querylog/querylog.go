// Package querylog keeps the opt-in local log of the questions asked
// (`serve --query-log`): one JSON line per question in a file of the data
// directory, bounded in age and count, with no client address or other
// detail about who asked. `semsearch gaps` reads it.
package querylog

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/semsearch/semsearch"
)

// FileName is the log's file in the data directory.
const FileName = "queries.jsonl"

// Retention bounds the log: entries older than MaxAge are dropped, and
// beyond MaxEntries the oldest go. Zero fields take DefaultRetention.
type Retention struct {
	MaxAge     time.Duration
	MaxEntries int
}

// DefaultRetention keeps 90 days, at most 10,000 questions.
var DefaultRetention = Retention{MaxAge: 90 * 24 * time.Hour, MaxEntries: 10_000}

// Log is an open query log. It is safe for concurrent use; several
// processes must not write one log at once (the data directory's lock
// sees to that for `serve`).
type Log struct {
	path string
	ret  Retention
	now  func() time.Time

	mu      sync.Mutex
	f       *os.File
	entries int // lines in the file
}

// Open opens (or creates) the log at path, first dropping what Retention
// no longer keeps. now is the clock (nil: time.Now).
func Open(path string, ret Retention, now func() time.Time) (*Log, error) {
	if ret.MaxAge <= 0 {
		ret.MaxAge = DefaultRetention.MaxAge
	}
	if ret.MaxEntries <= 0 {
		ret.MaxEntries = DefaultRetention.MaxEntries
	}
	if now == nil {
		now = time.Now
	}
	l := &Log{path: path, ret: ret, now: now}
	if err := l.compact(); err != nil {
		return nil, err
	}
	return l, nil
}

// Record appends one question. The Time field is set from the clock.
func (l *Log) Record(q semsearch.LoggedQuery) error {
	q.Time = l.now().UTC()
	if len(q.Posts) > 3 {
		q.Posts = q.Posts[:3]
	}
	line, err := json.Marshal(q)
	if err != nil {
		return fmt.Errorf("query log: %w", err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, err := l.f.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("query log %s: %w", l.path, err)
	}
	l.entries++
	// Compact once the file holds a quarter more than it keeps.
	if l.entries > l.ret.MaxEntries+l.ret.MaxEntries/4 {
		return l.compactLocked()
	}
	return nil
}

// Close closes the log.
func (l *Log) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}

func (l *Log) compact() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.compactLocked()
}

// compactLocked rewrites the file with what Retention keeps (atomically:
// a temporary file renamed over it) and reopens it for appending.
func (l *Log) compactLocked() error {
	if l.f != nil {
		l.f.Close()
		l.f = nil
	}
	kept, err := Read(l.path, l.now().Add(-l.ret.MaxAge))
	if err != nil {
		return err
	}
	if len(kept) > l.ret.MaxEntries {
		kept = kept[len(kept)-l.ret.MaxEntries:]
	}
	var buf bytes.Buffer
	for _, q := range kept {
		line, _ := json.Marshal(q)
		buf.Write(append(line, '\n'))
	}
	tmp := l.path + ".tmp"
	if err := os.WriteFile(tmp, buf.Bytes(), 0o600); err != nil {
		return fmt.Errorf("query log %s: %w", l.path, err)
	}
	if err := os.Rename(tmp, l.path); err != nil {
		return fmt.Errorf("query log %s: %w", l.path, err)
	}
	f, err := os.OpenFile(l.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("query log %s: %w", l.path, err)
	}
	l.f, l.entries = f, len(kept)
	return nil
}

// Read returns the questions logged at path at or after since, oldest
// first. A missing file is an empty log; a line that does not parse (a
// write cut short by a crash) is skipped.
func Read(path string, since time.Time) ([]semsearch.LoggedQuery, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read query log: %w", err)
	}
	defer f.Close()
	var out []semsearch.LoggedQuery
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		var q semsearch.LoggedQuery
		if json.Unmarshal(sc.Bytes(), &q) != nil || q.Query == "" {
			continue
		}
		if !q.Time.Before(since) {
			out = append(out, q)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read query log %s: %w", path, err)
	}
	return out, nil
}

// Path is the log's path in a data directory.
func Path(dataDir string) string { return filepath.Join(dataDir, FileName) }
