package app

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/chunk"
	"github.com/semsearch/semsearch/index"
)

// embedBatch is how many chunks are embedded between progress reports.
const embedBatch = 64

// Progress is told how many chunks are done out of total, after each batch.
// total is known once every source has been parsed.
type Progress func(postsDone, postsTotal, chunksDone, chunksTotal int)

// IngestOptions tune one Ingest call.
type IngestOptions struct {
	Stdin    io.Reader // read for the source "-"; os.Stdin when nil
	Progress Progress  // nil: no reports
}

// pendingPost is a parsed post whose content changed since it was stored.
type pendingPost struct {
	source int // index into the report's sources
	post   semsearch.Post
	chunks []semsearch.Chunk
}

// Ingest parses every source, then chunks, embeds and stores the posts that
// are new or changed. Errors are per source: a source that fails to parse or
// embed stores nothing and is reported with its error; the others go in.
// The returned error is non-nil only when the whole call could not run.
func (a *App) Ingest(ctx context.Context, sources []string, opts IngestOptions) (semsearch.IngestReport, error) {
	stdin := opts.Stdin
	if stdin == nil {
		stdin = os.Stdin
	}
	var rep semsearch.IngestReport
	var pending []pendingPost
	for _, src := range sources {
		for _, res := range a.ingester.Load(ctx, src, stdin) {
			rep.Sources = append(rep.Sources, semsearch.SourceReport{Source: res.Source, Feeds: res.Feeds, Skipped: res.Skipped})
			i := len(rep.Sources) - 1
			if res.Err != nil {
				rep.Sources[i].Error = res.Err.Error()
				a.log.Warn("source failed", "source", res.Source, "error", res.Err)
				continue
			}
			changed, err := a.changedPosts(ctx, i, res.Posts)
			if err != nil {
				return rep, err
			}
			rep.Sources[i].Unchanged = len(res.Posts) - len(changed)
			rep.Unchanged += rep.Sources[i].Unchanged
			pending = append(pending, changed...)
		}
	}
	err := a.storePending(ctx, &rep, pending, opts.Progress)
	return rep, err
}

// IngestURLs ingests sources named by an untrusted caller (the HTTP API):
// each must pass semsearch.CheckRemoteSource, else nothing is ingested and
// the error is invalid. Stdin is never read.
func (a *App) IngestURLs(ctx context.Context, urls []string) (semsearch.IngestReport, error) {
	if len(urls) == 0 {
		return semsearch.IngestReport{}, semsearch.Errorf(semsearch.EInvalid, "no source to ingest")
	}
	for _, u := range urls {
		if err := semsearch.CheckRemoteSource(u); err != nil {
			return semsearch.IngestReport{}, err
		}
	}
	return a.Ingest(ctx, urls, IngestOptions{Stdin: strings.NewReader("")})
}

// IngestPosts stores posts already in hand (the eval harness, tests) under
// one source name, as Ingest does for a parsed source.
func (a *App) IngestPosts(ctx context.Context, source string, posts []semsearch.Post) (semsearch.SourceReport, error) {
	rep := semsearch.IngestReport{Sources: []semsearch.SourceReport{{Source: source}}}
	pending, err := a.changedPosts(ctx, 0, posts)
	if err != nil {
		return rep.Sources[0], err
	}
	rep.Sources[0].Unchanged = len(posts) - len(pending)
	if err := a.storePending(ctx, &rep, pending, nil); err != nil {
		return rep.Sources[0], err
	}
	if msg := rep.Sources[0].Error; msg != "" {
		return rep.Sources[0], fmt.Errorf("ingest %s: %s", source, msg)
	}
	return rep.Sources[0], nil
}

// changedPosts drops posts whose stored content hash is unchanged and chunks
// the rest.
func (a *App) changedPosts(ctx context.Context, source int, posts []semsearch.Post) ([]pendingPost, error) {
	var out []pendingPost
	for _, p := range posts {
		if p.ContentHash == "" {
			p.ContentHash = semsearch.ContentHash(p.Title, p.Text)
		}
		hash, ok, err := a.store.PostHash(ctx, p.ID)
		if err != nil {
			return nil, fmt.Errorf("look up post %s: %w", p.ID, err)
		}
		if ok && hash == p.ContentHash {
			continue
		}
		out = append(out, pendingPost{source: source, post: p, chunks: chunk.Split(p, a.chunking)})
	}
	return out, nil
}

// storePending embeds the pending posts source by source and stores each
// source's posts in one transaction once all of its chunks are embedded: a
// source that fails to embed or store leaves the index as it was. Each
// source's posts are locked while it is embedded and stored, and re-checked
// under the lock: a post another writer stored meanwhile with the same
// content counts as unchanged, not embedded again.
func (a *App) storePending(ctx context.Context, rep *semsearch.IngestReport, pending []pendingPost, progress Progress) error {
	totalChunks := chunkCount(pending)
	postsDone, chunksDone := 0, 0
	report := func() {
		if progress != nil {
			progress(postsDone, len(pending), chunksDone, totalChunks)
		}
	}
	report()
	for start := 0; start < len(pending); {
		end := start
		for end < len(pending) && pending[end].source == pending[start].source {
			end++
		}
		group := pending[start:end]
		src := &rep.Sources[group[0].source]
		if err := a.storeSource(ctx, rep, src, group, func(n int) { chunksDone += n; report() }); err != nil {
			return err
		}
		postsDone += len(group)
		report()
		start = end
	}
	return nil
}

// storeSource embeds and stores one source's pending posts under their
// locks. A failure is recorded in src; the returned error is ctx's only.
func (a *App) storeSource(ctx context.Context, rep *semsearch.IngestReport, src *semsearch.SourceReport, group []pendingPost, done func(int)) error {
	ids := make([]string, len(group))
	for i, p := range group {
		ids[i] = p.post.ID
	}
	unlock, err := a.posts.lock(ctx, ids)
	if err != nil {
		return err
	}
	defer unlock()
	total := chunkCount(group)
	group, err = a.stillChanged(ctx, rep, src, group)
	if err != nil {
		src.Error = err.Error()
		return ctx.Err()
	}
	done(total - chunkCount(group)) // stored meanwhile: nothing to embed
	vecs, err := a.embedPosts(ctx, group, done)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		src.Error = err.Error()
		a.log.Warn("embedding failed", "source", src.Source, "error", err)
		return nil
	}
	docs := sourceDocs(group, vecs)
	if err := a.store.PutMany(ctx, docs); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		src.Error = fmt.Sprintf("store: %v", err)
		a.log.Warn("storing failed", "source", src.Source, "error", err)
		return nil
	}
	for _, d := range docs {
		// Logged only after the commit: a crash test relies on every
		// logged post being durable.
		a.log.Debug("post stored", "id", d.Post.ID, "chunks", len(d.Chunks))
		src.Posts++
		src.Chunks += len(d.Chunks)
		rep.Posts++
		rep.Chunks += len(d.Chunks)
	}
	return nil
}

// stillChanged drops, under the posts' locks, the posts another writer
// stored with the same content since they were found changed, and counts
// them as unchanged.
func (a *App) stillChanged(ctx context.Context, rep *semsearch.IngestReport, src *semsearch.SourceReport, group []pendingPost) ([]pendingPost, error) {
	kept := group[:0:0]
	for _, p := range group {
		hash, ok, err := a.store.PostHash(ctx, p.post.ID)
		if err != nil {
			return nil, fmt.Errorf("look up post %s: %w", p.post.ID, err)
		}
		if ok && hash == p.post.ContentHash {
			src.Unchanged++
			rep.Unchanged++
			continue
		}
		kept = append(kept, p)
	}
	return kept, nil
}

// sourceDocs pairs a source's posts with their vectors. A source that lists
// a post twice (a feed repeating a GUID) keeps the last copy.
func sourceDocs(group []pendingPost, vecs [][][]float32) []index.Doc {
	docs := make([]index.Doc, 0, len(group))
	at := make(map[string]int, len(group))
	for i, p := range group {
		d := index.Doc{Post: p.post, Chunks: p.chunks, Vecs: vecs[i]}
		if j, ok := at[p.post.ID]; ok {
			docs[j] = d
			continue
		}
		at[p.post.ID] = len(docs)
		docs = append(docs, d)
	}
	return docs
}

// embedPosts embeds the chunks of posts in batches, telling done how many
// chunks each batch finished. The result is indexed like posts.
func (a *App) embedPosts(ctx context.Context, posts []pendingPost, done func(int)) ([][][]float32, error) {
	var texts []string
	for _, p := range posts {
		for _, c := range p.chunks {
			texts = append(texts, c.Context)
		}
	}
	flat := make([][]float32, 0, len(texts))
	for i := 0; i < len(texts); i += embedBatch {
		batch := texts[i:min(i+embedBatch, len(texts))]
		vecs, err := a.emb.EmbedPassages(ctx, batch)
		if err != nil {
			return nil, fmt.Errorf("embed %d chunks: %w", len(batch), err)
		}
		flat = append(flat, vecs...)
		done(len(batch))
	}
	out := make([][][]float32, len(posts))
	for i, p := range posts {
		out[i], flat = flat[:len(p.chunks)], flat[len(p.chunks):]
	}
	return out, nil
}

func chunkCount(posts []pendingPost) int {
	n := 0
	for _, p := range posts {
		n += len(p.chunks)
	}
	return n
}
