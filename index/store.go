// Package index is the durable store and the in-memory vector index.
//
// SQLite (pure Go, modernc.org/sqlite) is the only durable copy: posts,
// chunks with their float32 vectors, an FTS5 BM25 index over the chunks and
// the embedding cache. At Open every vector is loaded into an in-memory
// VectorIndex (chromem-go by default, see vectorindex.go), which answers
// vector queries; nothing in memory is persisted.
//
// Writes go to SQLite first, in one transaction per PutMany call (an ingest
// stores one source per call, a reindex one batch); the in-memory
// state changes only after the commit, under a lock, so a reader sees a post
// either entirely before or entirely after a write. Every write also appends
// to a change log, which another process holding the same index in memory
// (a server beside `semsearch ingest`) replays before it answers a query.
package index

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/semsearch/semsearch"
)

// FileName is the database file inside the data directory.
const FileName = "semsearch.db"

// Store is the index of one data directory. It is safe for concurrent use.
type Store struct {
	db *sql.DB

	// writeMu serialises writers so that commits reach memory in commit order.
	writeMu sync.Mutex

	// mu guards everything below: writers hold it while they apply a
	// committed change, readers while they read the in-memory state.
	mu      sync.RWMutex
	model   string
	dims    int
	seq     int64 // the last entry of the change log reflected in memory
	vecs    VectorIndex
	posts   map[string]*postMeta  // by post ID
	chunks  map[string]*chunkMeta // by chunk ID
	newVecs NewVectorIndex        // set once by Open
	readers int                   // goroutines reading chunks at load; 0 = by table size (tests set it)
	log     *slog.Logger
}

// postMeta is what filters and result lists need of a post, kept in memory.
type postMeta struct {
	post     semsearch.Post // without Text
	chunkIDs []string       // in no particular order
}

// chunkMeta is one loaded chunk; vec shares its backing array with the
// VectorIndex's copy (it is never written after load).
type chunkMeta struct {
	postID string
	vec    []float32
}

// Open opens or creates dir/semsearch.db, migrates it and loads every vector
// into memory.
//
// The first Open records model and dims; a later Open with a different model
// or dims fails with a conflict error naming `semsearch reindex`. An empty
// model accepts whatever the index records (for commands that only read the
// catalog, and for reindex, which then calls SetModel).
//
// Durability: journal_mode=WAL with synchronous=FULL. In WAL mode NORMAL
// syncs the WAL only at checkpoints, so a transaction that returned
// successfully can vanish on power loss; FULL fsyncs the WAL at every commit,
// so an acknowledged Put survives. The cost is one fsync per Put.
func Open(ctx context.Context, dir string, model string, dims int) (*Store, error) {
	return OpenWith(ctx, dir, model, dims, Options{})
}

// Options choose what an opened Store builds in memory.
type Options struct {
	// Vectors makes the in-memory vector index; nil means NewFastIndex
	// (NewChromemIndex is the exact reference).
	Vectors NewVectorIndex
	// Logger gets what the Store cannot return as an error; nil discards.
	Logger *slog.Logger
}

// OpenWith is Open with Options.
func OpenWith(ctx context.Context, dir string, model string, dims int, opts Options) (*Store, error) {
	if model != "" && dims <= 0 {
		return nil, semsearch.Errorf(semsearch.EInvalid, "model %q needs a positive dimension, got %d", model, dims)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create data directory %s: %w", dir, err)
	}
	path := filepath.Join(dir, FileName)
	dsn := "file:" + path + "?_busy_timeout=10000&_foreign_keys=1&_journal_mode=WAL&_synchronous=FULL&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	// Readers run concurrently in WAL mode; writers are serialised by writeMu.
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(8)
	s := &Store{db: db, newVecs: opts.Vectors, log: opts.Logger}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.newVecs == nil {
		s.newVecs = NewFastIndex
	}
	if err := s.init(ctx, model, dims); err != nil {
		db.Close()
		return nil, fmt.Errorf("open index %s: %w", path, err)
	}
	return s, nil
}

func (s *Store) init(ctx context.Context, model string, dims int) error {
	if err := migrate(ctx, s.db); err != nil {
		return err
	}
	have, haveDims, err := storedModel(ctx, s.db)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if model == "" {
			return semsearch.Errorf(semsearch.EInvalid, "the index is new: an embedding model is needed to create it")
		}
		if _, err := s.db.ExecContext(ctx, `INSERT INTO meta (id, model, dims) VALUES (1, ?, ?)`, model, dims); err != nil {
			return fmt.Errorf("record model: %w", err)
		}
	case err != nil:
		return err
	case model != "" && (have != model || haveDims != dims):
		return semsearch.Errorf(semsearch.EConflict,
			"the index was built with model %q (%d dims) but %q (%d dims) is configured: run `semsearch reindex` to re-embed every post with the new model, or configure %q again",
			have, haveDims, model, dims, have)
	}
	return s.load(ctx)
}

// migrate applies the migrations the database has not seen, each in its own
// transaction together with the user_version bump.
func migrate(ctx context.Context, db *sql.DB) error {
	var version int
	if err := db.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&version); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if version > len(migrations) {
		return semsearch.Errorf(semsearch.EConflict, "the index has schema version %d, newer than this program knows (%d): upgrade semsearch", version, len(migrations))
	}
	for v := version; v < len(migrations); v++ {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("migration %d: %w", v+1, err)
		}
		if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %d: %w", v+1, err)
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, v+1)); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %d: %w", v+1, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migration %d: %w", v+1, err)
		}
	}
	return nil
}

// Close closes the database. The Store must not be used afterwards.
func (s *Store) Close() error {
	return s.db.Close()
}

// Model returns the embedding model name and dimension the index holds.
func (s *Store) Model() (string, int) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.model, s.dims
}
