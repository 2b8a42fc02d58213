package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/index"
)

// reindexDir is where Reindex builds the new index before swapping it in.
const reindexDir = ".reindex"

// Reindex re-chunks and re-embeds every stored post with the configured
// embedder (after a model or chunking change). The new index is built beside
// the old one and swapped in with one rename, so a crash at any point leaves
// the old index whole, still searchable, and a re-run starts over cleanly.
// It refuses to run while another process has the data dir open.
func Reindex(ctx context.Context, cfg Config, progress Progress) (_ semsearch.IngestReport, err error) {
	cfg = cfg.withDefaults()
	var rep semsearch.IngestReport
	if cfg.remote() {
		return rep, semsearch.Errorf(semsearch.EInvalid, "reindex works on the embedded index; for a cluster, ingest again under a new --weaviate-prefix")
	}
	lock, err := lockDir(cfg.DataDir, true)
	if err != nil {
		return rep, err
	}
	defer func() { err = errors.Join(err, lock.unlock()) }()
	tmp := filepath.Join(cfg.DataDir, reindexDir)
	if err := os.RemoveAll(tmp); err != nil {
		return rep, fmt.Errorf("remove stale %s: %w", tmp, err)
	}
	if err := buildReindex(ctx, cfg, tmp, &rep, progress); err != nil {
		return rep, err
	}
	// Both stores are closed; the old database has no WAL left to replay
	// (checked in buildReindex), so the rename is the commit point.
	if err := os.Rename(filepath.Join(tmp, index.FileName), filepath.Join(cfg.DataDir, index.FileName)); err != nil {
		return rep, fmt.Errorf("swap in the new index: %w", err)
	}
	if err := syncDir(cfg.DataDir); err != nil {
		return rep, err
	}
	return rep, os.RemoveAll(tmp)
}

// buildReindex fills a new store in tmp from the old store's posts and
// closes both.
func buildReindex(ctx context.Context, cfg Config, tmp string, rep *semsearch.IngestReport, progress Progress) (err error) {
	old, err := index.Open(ctx, cfg.DataDir, "", 0) // whatever model it was built with
	if err != nil {
		return err
	}
	ids, err := old.PostIDs(ctx)
	if err != nil {
		old.Close()
		return err
	}
	posts := make([]semsearch.Post, 0, len(ids))
	for _, id := range ids {
		p, err := old.Post(ctx, id)
		if err != nil {
			old.Close()
			return err
		}
		posts = append(posts, p)
	}
	// The subscriptions, their state and which posts they brought go along.
	registry, err := old.ExportRegistry(ctx)
	if err != nil {
		old.Close()
		return err
	}
	if err := old.Close(); err != nil {
		return fmt.Errorf("close old index: %w", err)
	}
	if err := noWAL(filepath.Join(cfg.DataDir, index.FileName)); err != nil {
		return err
	}

	cfg.DataDir = tmp
	a, err := Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := a.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("close new index: %w", cerr)
		}
		if err == nil {
			err = noWAL(filepath.Join(tmp, index.FileName))
		}
	}()
	rep.Sources = []semsearch.SourceReport{{Source: "reindex"}}
	pending, err := a.changedPosts(ctx, 0, posts)
	if err != nil {
		return err
	}
	if err := a.storePending(ctx, rep, pending, progress); err != nil {
		return err
	}
	if msg := rep.Sources[0].Error; msg != "" {
		return errors.New(msg)
	}
	if imp, ok := a.store.(interface {
		ImportRegistry(context.Context, index.Registry) error
	}); ok {
		if err := imp.ImportRegistry(ctx, registry); err != nil {
			return fmt.Errorf("carry the source registry over: %w", err)
		}
	}
	return nil
}

// noWAL makes sure a closed database left no write-ahead log behind: a WAL
// beside a swapped-in file would be replayed onto the wrong database.
func noWAL(db string) error {
	fi, err := os.Stat(db + "-wal")
	if errors.Is(err, os.ErrNotExist) || (err == nil && fi.Size() == 0) {
		_ = os.Remove(db + "-wal")
		_ = os.Remove(db + "-shm")
		return nil
	}
	if err != nil {
		return err
	}
	return fmt.Errorf("index %s was not checkpointed on close (a %d-byte WAL remains): stop other semsearch processes using it and retry", db, fi.Size())
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}
