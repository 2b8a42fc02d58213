package index

import (
	"context"
	"database/sql"
	"fmt"
	"runtime"
	"runtime/debug"

	"golang.org/x/sync/errgroup"

	"github.com/semsearch/semsearch"
)

// load reads the post catalog and every chunk vector into memory and builds
// a fresh VectorIndex. Vectors are read (in parallel key ranges when there
// are many) and reinterpreted in place (see decodeVector); they are stored
// normalised, so the index can keep the slices as given.
//
// It replaces the whole in-memory state: at Open, and when sync finds that
// another process changed more than it can apply post by post.
func (s *Store) load(ctx context.Context) error {
	// The change sequence is read first: changes committed while loading
	// are applied again by the next sync, which is harmless.
	seq, err := lastChange(ctx, s.db)
	if err != nil {
		return err
	}
	model, dims, err := storedModel(ctx, s.db)
	if err != nil {
		return err
	}
	posts, err := s.loadPosts(ctx)
	if err != nil {
		return err
	}
	vecs, err := s.newVecs(dims)
	if err != nil {
		return err
	}
	// Pipeline: this goroutine reads and decodes rows while another adds
	// the previous batches to the vector index.
	batches := make(chan vectorBatch, 4)
	addErr := make(chan error, 1)
	go func() {
		var first error
		for b := range batches {
			if first == nil {
				first = vecs.Add(ctx, b.ids, b.vecs)
			}
		}
		addErr <- first
	}()
	chunks, err := s.readVectors(ctx, dims, posts, vecs, batches)
	close(batches)
	if aerr := <-addErr; err == nil && aerr != nil {
		err = fmt.Errorf("load vectors: %w", aerr)
	}
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.model, s.dims, s.seq = model, dims, seq
	s.vecs, s.posts, s.chunks = vecs, posts, chunks
	s.mu.Unlock()
	if len(chunks) >= freeAfterLoad {
		// Reading made a transient copy of every vector (the driver's, which
		// database/sql clones): at 1M chunks 1.5 GB of garbage the runtime
		// would return to the OS only slowly. Return it now.
		debug.FreeOSMemory()
	}
	return nil
}

// freeAfterLoad is the number of chunks from which load returns its
// garbage to the OS at once (a forced collection: ~0.1 s at 1M chunks).
const freeAfterLoad = 100_000

// loadBatch is how many vectors travel to the vector index at once.
const loadBatch = 2048

// vectorBatch is a run of chunk vectors on their way to the vector index.
type vectorBatch struct {
	ids  []string
	vecs [][]float32
}

// grower is a VectorIndex that can make room for n vectors in advance
// (fastIndex), so a load does not grow its tables step by step.
type grower interface{ Grow(n int) }

// loadPartRows: tables larger than this are read in up to GOMAXPROCS key
// ranges at once (at 1M chunks, reading is most of the start-up).
const loadPartRows = 50_000

// loadedBatch is a run of chunk rows as a range reader decoded them.
type loadedBatch struct {
	ids   []string
	posts []*postMeta
	vecs  [][]float32
}

// readVectors reads every chunk vector, records the chunks in posts, and
// sends them to out in batches. Large tables are read in key ranges by
// several goroutines, each on its own connection and so its own snapshot,
// as loadPosts has its own: a chunk whose post is not in posts (written
// after loadPosts read them) is skipped, and a post whose chunks changed
// between snapshots is mended by the next sync, which reloads every post
// the change log names after load's sequence number.
func (s *Store) readVectors(ctx context.Context, dims int, posts map[string]*postMeta, vecs VectorIndex, out chan<- vectorBatch) (map[string]*chunkMeta, error) {
	var count, lo, hi int64
	if err := s.db.QueryRowContext(ctx, `SELECT count(*), coalesce(min(pk), 0), coalesce(max(pk), 0) FROM chunks`).Scan(&count, &lo, &hi); err != nil {
		return nil, fmt.Errorf("load vectors: %w", err)
	}
	if g, ok := vecs.(grower); ok {
		g.Grow(int(count)) // before the first batch reaches it
	}
	parts := int64(max(1, min(runtime.GOMAXPROCS(0), int(count/loadPartRows))))
	if s.readers > 0 {
		parts = int64(s.readers)
	}
	span := (hi - lo + parts) / parts // ranges [lo+p·span, lo+(p+1)·span) cover [lo, hi]
	read := make(chan loadedBatch, 2*parts)
	g, gctx := errgroup.WithContext(ctx)
	for p := range parts {
		g.Go(func() error { return s.readRange(gctx, dims, posts, lo+p*span, lo+(p+1)*span, read) })
	}
	go func() {
		g.Wait()
		close(read)
	}()
	chunks := make(map[string]*chunkMeta, count)
	metas := make([]chunkMeta, count) // one allocation for all of them
	i := 0
	for b := range read {
		for j, id := range b.ids {
			pm := b.posts[j]
			pm.chunkIDs = append(pm.chunkIDs, id)
			var cm *chunkMeta
			if i < len(metas) {
				cm = &metas[i]
			} else { // rows added since the count: harmless
				cm = new(chunkMeta)
			}
			i++
			*cm = chunkMeta{postID: pm.post.ID, vec: b.vecs[j]}
			chunks[id] = cm
		}
		out <- vectorBatch{ids: b.ids, vecs: b.vecs}
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return chunks, nil
}

// readRange reads the chunks with from ≤ pk < to and sends them to out.
//
// Each vector arrives padded by loadPad(dims) zero bytes, in a buffer the
// driver allocates and this function drops after copying the vector out:
// the padding puts those 1.5 GB (at 1M chunks) of transient buffers in
// another allocation size class than the vectors kept, so the runtime can
// free their memory whole instead of leaving every span half full (550 MB
// more RSS at 1M without it).
func (s *Store) readRange(ctx context.Context, dims int, posts map[string]*postMeta, from, to int64, out chan<- loadedBatch) error {
	pad := loadPad(dims)
	rows, err := s.db.QueryContext(ctx, `SELECT id, post_id, CAST(vector || zeroblob(?) AS BLOB) FROM chunks WHERE pk >= ? AND pk < ?`, pad, from, to)
	if err != nil {
		return fmt.Errorf("load vectors: %w", err)
	}
	defer rows.Close()
	var b loadedBatch
	for rows.Next() {
		var id string
		var postID, blob sql.RawBytes // the driver's memory: copied out or only looked up
		if err := rows.Scan(&id, &postID, &blob); err != nil {
			return fmt.Errorf("load vectors: %w", err)
		}
		if len(blob) != 4*dims+pad {
			return fmt.Errorf("load vectors: chunk %s has a %d-byte vector, want %d dims", id, len(blob)-pad, dims)
		}
		vec := make([]float32, dims)
		copyVector(vec, blob)
		pm := posts[string(postID)]
		if pm == nil {
			continue // its post was written after loadPosts: the next sync adds it
		}
		b.ids = append(b.ids, id)
		b.posts = append(b.posts, pm)
		b.vecs = append(b.vecs, vec)
		if len(b.ids) == loadBatch {
			out <- b
			b = loadedBatch{}
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load vectors: %w", err)
	}
	if len(b.ids) > 0 {
		out <- b
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

// loadPad is the padding readRange asks for: an eighth of the vector plus
// 16 bytes moves a buffer past the next size class of the Go allocator
// (classes are at most 12.5% apart).
func loadPad(dims int) int { return dims/2 + 16 }
