package index

import (
	"context"
	"fmt"
	"runtime"
	"sync"

	chromem "github.com/philippgille/chromem-go"

	"github.com/semsearch/semsearch"
)

// load reads the post catalog and every chunk vector into memory and builds
// a fresh chromem collection. Vectors are read in one query and
// reinterpreted in place (see decodeVector); chromem keeps the slices as
// given because they are stored normalised.
func (s *Store) load(ctx context.Context) error {
	posts, err := s.loadPosts(ctx)
	if err != nil {
		return err
	}
	coll, err := newCollection()
	if err != nil {
		return fmt.Errorf("create vector collection: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, post_id, vector FROM chunks`)
	if err != nil {
		return fmt.Errorf("load vectors: %w", err)
	}
	defer rows.Close()
	chunks := make(map[string]*chunkMeta)
	var docs []chromem.Document
	for rows.Next() {
		var id, postID string
		var blob []byte // a fresh copy owned by us (database/sql clones []byte)
		if err := rows.Scan(&id, &postID, &blob); err != nil {
			return fmt.Errorf("load vectors: %w", err)
		}
		vec, ok := decodeVector(blob)
		if !ok || len(vec) != s.dims {
			return fmt.Errorf("load vectors: chunk %s has a %d-byte vector, want %d dims", id, len(blob), s.dims)
		}
		pm := posts[postID]
		if pm == nil {
			return fmt.Errorf("load vectors: chunk %s belongs to missing post %s", id, postID)
		}
		pm.chunkIDs = append(pm.chunkIDs, id)
		chunks[id] = &chunkMeta{postID: postID, vec: vec}
		docs = append(docs, chromem.Document{ID: id, Embedding: vec})
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load vectors: %w", err)
	}
	if err := addDocuments(ctx, coll, docs); err != nil {
		return fmt.Errorf("load vectors: %w", err)
	}
	s.coll, s.posts, s.chunks = coll, posts, chunks
	return nil
}

// addDocuments adds docs with one worker per CPU. chromem's own
// AddDocuments starts a goroutine per document, which at 100k documents
// costs more than the work.
func addDocuments(ctx context.Context, coll *chromem.Collection, docs []chromem.Document) error {
	if len(docs) == 0 {
		return nil
	}
	workers := min(runtime.GOMAXPROCS(0), len(docs))
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(docs); i += workers {
				if err := coll.AddDocument(ctx, docs[i]); err != nil {
					errs[w] = fmt.Errorf("add chunk %s: %w", docs[i].ID, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) loadPosts(ctx context.Context) (map[string]*postMeta, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+postColumnsNoText+` FROM posts`)
	if err != nil {
		return nil, fmt.Errorf("load posts: %w", err)
	}
	defer rows.Close()
	posts := make(map[string]*postMeta)
	for rows.Next() {
		p, err := scanPost(rows, false)
		if err != nil {
			return nil, fmt.Errorf("load posts: %w", err)
		}
		posts[p.ID] = &postMeta{post: p}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load posts: %w", err)
	}
	return posts, nil
}

// postMetaFor builds the in-memory record of a post being stored.
func postMetaFor(p semsearch.Post, chunks []semsearch.Chunk) *postMeta {
	p.Text = ""
	ids := make([]string, len(chunks))
	for i, c := range chunks {
		ids[i] = c.ID
	}
	return &postMeta{post: p, chunkIDs: ids}
}
