package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/index"
)

// MigrateReport counts what Migrate did.
type MigrateReport struct {
	Posts   int `json:"posts"`   // copied
	Chunks  int `json:"chunks"`  // copied
	Skipped int `json:"skipped"` // already in the target with the same content
}

// migrateBatch is the number of posts written per PutMany.
const migrateBatch = 50

// Migrate copies the embedded index in cfg.DataDir (posts, chunks and their
// vectors: nothing is re-embedded) into the backend cfg.Backend names, under
// the source's model. It is resumable: a post already in the target with
// the same content hash is skipped, so a run stopped half-way is finished
// by running it again. progress (may be nil) gets (done, total) posts.
func Migrate(ctx context.Context, cfg Config, progress func(done, total int)) (MigrateReport, error) {
	var rep MigrateReport
	if !cfg.remote() {
		return rep, semsearch.Errorf(semsearch.EInvalid, "migrate copies the embedded index to a cluster backend: choose one with --to")
	}
	cfg = cfg.withDefaults()
	lock, err := lockDir(cfg.DataDir, false) // no reindex swaps the file meanwhile
	if err != nil {
		return rep, err
	}
	defer lock.unlock()
	src, err := index.OpenWith(ctx, cfg.DataDir, "", 0, index.Options{Logger: cfg.Logger})
	if err != nil {
		return rep, fmt.Errorf("open the embedded index: %w", err)
	}
	defer src.Close()
	model, dims := src.Model()
	dst, err := openStore(ctx, cfg, model, dims)
	if err != nil {
		return rep, err
	}
	defer dst.Close()
	ids, err := src.PostIDs(ctx)
	if err != nil {
		return rep, err
	}
	var docs []index.Doc
	flush := func() error {
		if len(docs) == 0 {
			return nil
		}
		if err := dst.PutMany(ctx, docs); err != nil {
			return err
		}
		for _, d := range docs {
			rep.Posts++
			rep.Chunks += len(d.Chunks)
		}
		docs = docs[:0]
		return nil
	}
	for i, id := range ids {
		p, err := src.Post(ctx, id)
		if errors.Is(err, context.Canceled) {
			return rep, err
		}
		if err != nil {
			return rep, fmt.Errorf("read post %s: %w", id, err)
		}
		if h, ok, err := dst.PostHash(ctx, id); err != nil {
			return rep, err
		} else if ok && h == p.ContentHash && h != "" {
			rep.Skipped++
			continue
		}
		chunks, vecs, err := src.PostChunks(ctx, id)
		if err != nil {
			return rep, fmt.Errorf("read chunks of post %s: %w", id, err)
		}
		docs = append(docs, index.Doc{Post: p, Chunks: chunks, Vecs: vecs})
		if len(docs) == migrateBatch {
			if err := flush(); err != nil {
				return rep, err
			}
		}
		if progress != nil {
			progress(i+1, len(ids))
		}
	}
	return rep, flush()
}
