package weaviate

import (
	"context"
	"encoding/json"
	"fmt"
	client "github.com/weaviate/weaviate-go-client/v5/weaviate"
	"math"
	"strings"
	"time"

	"github.com/go-openapi/strfmt"
	"github.com/weaviate/weaviate-go-client/v5/weaviate/filters"
	"github.com/weaviate/weaviate/entities/models"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/index"
)

// batchSize is the number of objects per batch request.
const batchSize = 100

// nextGen returns a time-ordered generation number (microseconds, so it
// survives JSON's float64 exactly), strictly increasing within a Store.
func (s *Store) nextGen() int64 {
	s.genMu.Lock()
	defer s.genMu.Unlock()
	g := s.now().UnixMicro()
	if g <= s.lastGen {
		g = s.lastGen + 1
	}
	s.lastGen = g
	return g
}

// PutMany stores posts with their chunks and vectors, replacing earlier
// versions, each post atomically for readers (see the package comment for
// the generation protocol). Invalid input is an invalid error and stores
// nothing. Unlike the embedded store, a failure part-way may leave some
// posts of the call written and others not (each entirely); the call is
// safe to retry.
func (s *Store) PutMany(ctx context.Context, docs []index.Doc) error {
	return s.putMany(ctx, docs, false)
}

// putMany is PutMany; trusted skips the dimension check (a migration
// rewriting vectors read back before the model is known).
func (s *Store) putMany(ctx context.Context, docs []index.Doc, trusted bool) error {
	if len(docs) == 0 {
		return nil
	}
	if err := index.CheckPostIDs(docs); err != nil {
		return err
	}
	norms := make([][][]float32, len(docs))
	for d, doc := range docs {
		if trusted {
			norms[d] = doc.Vecs
			continue
		}
		norm, err := index.Validate(doc, s.dims)
		if err != nil {
			return err
		}
		norms[d] = norm
	}
	gen := s.nextGen()
	// 1. the new chunks, invisible until their post names their generation.
	var chunks []*models.Object
	for d, doc := range docs {
		for i, c := range doc.Chunks {
			chunks = append(chunks, s.chunkObject(doc.Post, c, norms[d][i], gen))
		}
	}
	if err := s.writeObjects(ctx, "write chunks", chunks); err != nil {
		return fmt.Errorf("store %d posts: %w", len(docs), err)
	}
	// 2. the posts: the commit point. A post already at a newer generation
	// (another process wrote it meanwhile) is left to that write.
	ids := make([]string, len(docs))
	for i, d := range docs {
		ids[i] = d.Post.ID
	}
	current, err := s.postGens(ctx, ids)
	if err != nil {
		return fmt.Errorf("store %d posts: %w", len(docs), err)
	}
	var posts []*models.Object
	var committed, superseded []string
	for _, doc := range docs {
		if g, ok := current[doc.Post.ID]; ok && g > gen {
			superseded = append(superseded, doc.Post.ID)
			continue
		}
		posts = append(posts, s.postObject(doc.Post, len(doc.Chunks), gen))
		committed = append(committed, doc.Post.ID)
	}
	if err := s.writeObjects(ctx, "write posts", posts); err != nil {
		return fmt.Errorf("store %d posts: %w", len(docs), err)
	}
	// 3. the replaced chunks (and those of any earlier interrupted write).
	if len(committed) > 0 {
		if err := s.deleteChunks(ctx, filters.Where().WithOperator(filters.And).WithOperands([]*filters.WhereBuilder{
			filters.Where().WithPath([]string{"postId"}).WithOperator(filters.ContainsAny).WithValueText(committed...),
			filters.Where().WithPath([]string{"gen"}).WithOperator(filters.LessThan).WithValueNumber(float64(gen)),
		})); err != nil {
			// The write is committed and readers ignore the old chunks.
			s.log.WarnContext(ctx, "weaviate: old chunks left behind (swept by the next write or Verify)", "posts", len(committed), "error", err)
		}
	}
	if len(superseded) > 0 {
		if err := s.deleteChunks(ctx, filters.Where().WithOperator(filters.And).WithOperands([]*filters.WhereBuilder{
			filters.Where().WithPath([]string{"postId"}).WithOperator(filters.ContainsAny).WithValueText(superseded...),
			filters.Where().WithPath([]string{"gen"}).WithOperator(filters.Equal).WithValueNumber(float64(gen)),
		})); err != nil {
			s.log.WarnContext(ctx, "weaviate: superseded chunks left behind", "posts", len(superseded), "error", err)
		}
	}
	return nil
}

// checkVector returns a normalised copy of v, which must have the index's
// dimension and be finite and non-zero.
func (s *Store) checkVector(v []float32, what string) ([]float32, error) {
	if len(v) != s.dims {
		return nil, semsearch.Errorf(semsearch.EInvalid, "%s has %d dimensions, want %d", what, len(v), s.dims)
	}
	var sum float64
	for _, x := range v {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return nil, semsearch.Errorf(semsearch.EInvalid, "%s is not finite", what)
		}
		sum += float64(x) * float64(x)
	}
	if sum == 0 {
		return nil, semsearch.Errorf(semsearch.EInvalid, "%s is zero", what)
	}
	out := make([]float32, len(v))
	n := math.Sqrt(sum)
	for i, x := range v {
		out[i] = float32(float64(x) / n)
	}
	return out, nil
}

func keys(vals ...string) []string {
	var out []string
	for _, v := range vals {
		if k := key(v); k != "" {
			out = append(out, k)
		}
	}
	return out
}

// key is the form filters compare: trimmed, lower-cased.
func key(v string) string { return strings.ToLower(strings.TrimSpace(v)) }

func filterFields(p semsearch.Post, gen int64) map[string]any {
	m := map[string]any{
		"postId":     p.ID,
		"sourceKey":  keys(p.Source.Title, p.Source.URL),
		"authorKeys": keys(p.Authors...),
		"tagKeys":    keys(p.Tags...),
		"gen":        gen,
	}
	if !p.Published.IsZero() {
		m["published"] = p.Published.UTC().Format(time.RFC3339Nano)
	}
	return m
}

func (s *Store) chunkObject(p semsearch.Post, c semsearch.Chunk, vec []float32, gen int64) *models.Object {
	props := filterFields(p, gen)
	props["chunkId"] = c.ID
	props["ordinal"] = c.Ordinal
	props["title"] = p.Title
	props["heading"] = c.Heading
	props["text"] = c.Text
	props["titleStem"] = stemText(p.Title)
	props["headingStem"] = stemText(c.Heading)
	props["textStem"] = stemText(c.Text)
	props["lexStem"] = lexField(p.Title, c.Heading, c.Text)
	props["start"] = c.Start
	props["end"] = c.End
	return &models.Object{
		Class: s.names.chunk, ID: strfmtUUID(objectID("chunk", fmt.Sprintf("%s\x00%d", c.ID, gen))),
		Properties: props, Vector: vec,
	}
}

func (s *Store) postObject(p semsearch.Post, chunks int, gen int64) *models.Object {
	props := filterFields(p, gen)
	props["title"] = p.Title
	props["url"] = p.URL
	props["authors"] = nonNil(p.Authors)
	props["tags"] = nonNil(p.Tags)
	props["sourceTitle"] = p.Source.Title
	props["sourceUrl"] = p.Source.URL
	props["text"] = p.Text
	props["contentHash"] = p.ContentHash
	props["summary"] = p.Summary
	props["readingTime"] = p.ReadingTime
	props["titleDerived"] = p.TitleDerived
	props["chunkCount"] = chunks
	props["ingestedAt"] = time.Now().UTC().Format(time.RFC3339Nano)
	if !p.Updated.IsZero() {
		props["updated"] = p.Updated.UTC().Format(time.RFC3339Nano)
	}
	return &models.Object{Class: s.names.post, ID: strfmtUUID(objectID("post", p.ID)), Properties: props}
}

func nonNil(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}

func strfmtUUID(id string) strfmt.UUID { return strfmt.UUID(id) }

// writeObjects upserts objects in batches, checking every object's result.
func (s *Store) writeObjects(ctx context.Context, what string, objs []*models.Object) error {
	for start := 0; start < len(objs); start += batchSize {
		part := objs[start:min(start+batchSize, len(objs))]
		err := s.call(ctx, what, func(ctx context.Context, wc *client.Client) error {
			var res []models.ObjectsGetResponse
			err := s.atWriteLevel(ctx, func(level string) error {
				var err error
				res, err = wc.Batch().ObjectsBatcher().WithObjects(part...).WithConsistencyLevel(level).Do(ctx)
				return err
			})
			if err != nil {
				return err
			}
			for _, r := range res {
				if r.Result != nil && r.Result.Errors != nil && len(r.Result.Errors.Error) > 0 {
					return fmt.Errorf("object %s: %s", r.ID, r.Result.Errors.Error[0].Message)
				}
			}
			if len(res) != len(part) {
				return fmt.Errorf("batch of %d objects answered for %d", len(part), len(res))
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// atWriteLevel runs a write at the configured consistency level.
// (Writing at ALL first and falling back to QUORUM was tried for
// read-your-writes; with a node down, the write that fell back was then
// missing from the next search in 2 of 3 runs, so it was dropped.)
func (s *Store) atWriteLevel(ctx context.Context, write func(level string) error) error {
	return write(s.opts.Consistency)
}

// deleteChunks deletes every chunk matching where, in as many rounds as
// the server's batch-delete limit needs.
func (s *Store) deleteChunks(ctx context.Context, where *filters.WhereBuilder) error {
	for round := 0; round < 1000; round++ {
		var matches, limit int64
		err := s.call(ctx, "delete chunks", func(ctx context.Context, wc *client.Client) error {
			var res *models.BatchDeleteResponse
			err := s.atWriteLevel(ctx, func(level string) error {
				var err error
				res, err = wc.Batch().ObjectsBatchDeleter().WithClassName(s.names.chunk).WithWhere(where).
					WithConsistencyLevel(level).WithOutput("minimal").Do(ctx)
				return err
			})
			if err != nil {
				return err
			}
			if res.Results != nil {
				matches, limit = res.Results.Matches, res.Results.Limit
				if res.Results.Failed > 0 {
					return fmt.Errorf("%d of %d chunk deletions failed", res.Results.Failed, res.Results.Matches)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		if limit == 0 || matches < limit {
			return nil
		}
	}
	return fmt.Errorf("delete chunks: too many rounds")
}

// Delete removes a post: first its post object (from then on its chunks are
// invisible), then its chunks. A missing post is a not_found error.
func (s *Store) Delete(ctx context.Context, id string) error {
	if _, ok, err := s.PostHash(ctx, id); err != nil {
		return fmt.Errorf("delete post %s: %w", id, err)
	} else if !ok {
		return semsearch.Errorf(semsearch.ENotFound, "post %q not found", id)
	}
	err := s.call(ctx, "delete post", func(ctx context.Context, wc *client.Client) error {
		err := s.atWriteLevel(ctx, func(level string) error {
			return wc.Data().Deleter().WithClassName(s.names.post).WithID(objectID("post", id)).
				WithConsistencyLevel(level).Do(ctx)
		})
		if err != nil && notFound(err) {
			return nil // a retry after a lost answer
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("delete post %s: %w", id, err)
	}
	if err := s.deleteChunks(ctx, filters.Where().WithPath([]string{"postId"}).WithOperator(filters.Equal).WithValueText(id)); err != nil {
		s.log.WarnContext(ctx, "weaviate: chunks of a deleted post left behind (invisible; swept by Verify)", "post_id", id, "error", err)
	}
	return nil
}

// decodeProps converts an object's properties into a struct via JSON.
func decodeProps(props any, into any) error {
	b, err := json.Marshal(props)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, into)
}

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
