package weaviate

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	client "github.com/weaviate/weaviate-go-client/v5/weaviate"
	"github.com/weaviate/weaviate-go-client/v5/weaviate/filters"
	"github.com/weaviate/weaviate-go-client/v5/weaviate/graphql"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/index"
)

// idBatch bounds the IDs of one ContainsAny filter.
const idBatch = 100

type additional struct {
	ID       string    `json:"id"`
	Distance *float64  `json:"distance"`
	Score    string    `json:"score"`
	Vector   []float32 `json:"vector"`
}

// genNum is a generation as Weaviate returns it: a JSON number, maybe in
// exponent form.
type genNum int64

func (g *genNum) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*g = 0
		return nil
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("generation %s: %w", b, err)
	}
	*g = genNum(math.Round(f))
	return nil
}

type chunkRow struct {
	ChunkID    string     `json:"chunkId"`
	PostID     string     `json:"postId"`
	Gen        genNum     `json:"gen"`
	Ordinal    int        `json:"ordinal"`
	Heading    string     `json:"heading"`
	Text       string     `json:"text"`
	Start      int        `json:"start"`
	End        int        `json:"end"`
	Additional additional `json:"_additional"`
}

type postRow struct {
	PostID       string    `json:"postId"`
	Gen          genNum    `json:"gen"`
	Title        string    `json:"title"`
	URL          string    `json:"url"`
	Authors      []string  `json:"authors"`
	Published    time.Time `json:"published"`
	Updated      time.Time `json:"updated"`
	Tags         []string  `json:"tags"`
	SourceTitle  string    `json:"sourceTitle"`
	SourceURL    string    `json:"sourceUrl"`
	Text         string    `json:"text"`
	ContentHash  string    `json:"contentHash"`
	Summary      string    `json:"summary"`
	ReadingTime  string    `json:"readingTime"`
	TitleDerived bool      `json:"titleDerived"`
	ChunkCount   int       `json:"chunkCount"`
}

func (r postRow) post(withText bool) semsearch.Post {
	p := semsearch.Post{
		ID: r.PostID, Title: r.Title, TitleDerived: r.TitleDerived, URL: r.URL,
		Authors: nilIfEmpty(r.Authors), Published: r.Published, Updated: r.Updated, Tags: nilIfEmpty(r.Tags),
		Summary: r.Summary, ReadingTime: r.ReadingTime,
		Source:      semsearch.Source{Title: r.SourceTitle, URL: r.SourceURL},
		ContentHash: r.ContentHash,
	}
	if withText {
		p.Text = r.Text
	}
	return p
}

func nilIfEmpty(v []string) []string {
	if len(v) == 0 {
		return nil
	}
	return v
}

var (
	postMetaFields = fields("postId", "gen", "title", "url", "authors", "published", "updated", "tags",
		"sourceTitle", "sourceUrl", "contentHash", "summary", "readingTime", "titleDerived", "chunkCount")
	postFields      = append(slices.Clone(postMetaFields), graphql.Field{Name: "text"})
	chunkFields     = fields("chunkId", "postId", "gen", "ordinal", "heading", "text", "start", "end")
	hitFields       = fields("chunkId", "postId", "gen")
	postGenFields   = fields("postId", "gen")
	postTextFields  = fields("postId", "gen", "text")
	distanceField   = graphql.Field{Name: "_additional", Fields: fields("distance")}
	scoreField      = graphql.Field{Name: "_additional", Fields: fields("score")}
	vectorField     = graphql.Field{Name: "_additional", Fields: fields("vector")}
	cursorFieldName = "_additional"
)

func fields(names ...string) []graphql.Field {
	out := make([]graphql.Field, len(names))
	for i, n := range names {
		out[i] = graphql.Field{Name: n}
	}
	return out
}

// get runs a GraphQL Get on class and decodes its rows into out (a pointer
// to a slice).
func (s *Store) get(ctx context.Context, what, class string, build func(*graphql.GetBuilder) *graphql.GetBuilder, out any) error {
	return s.call(ctx, what, func(ctx context.Context, wc *client.Client) error {
		b := wc.GraphQL().Get().WithClassName(class)
		if s.replicated {
			// GraphQL takes the argument only on a replicated class.
			b = b.WithConsistencyLevel(s.opts.Consistency)
		}
		res, err := build(b).Do(ctx)
		if err != nil {
			return err
		}
		if len(res.Errors) > 0 {
			msgs := make([]string, len(res.Errors))
			for i, e := range res.Errors {
				msgs[i] = e.Message
			}
			return fmt.Errorf("graphql: %s", strings.Join(msgs, "; "))
		}
		get, ok := res.Data["Get"].(map[string]any)
		if !ok {
			return fmt.Errorf("graphql: no Get in the answer")
		}
		b2, err := json.Marshal(get[class])
		if err != nil {
			return err
		}
		return json.Unmarshal(b2, out)
	})
}

// VectorSearch returns up to n chunks most cosine-similar to vec among the
// chunks of posts matching f, best first (Weaviate's HNSW, filtered inside
// the search).
func (s *Store) VectorSearch(ctx context.Context, vec []float32, n int, f semsearch.Filter) ([]semsearch.Hit, error) {
	if n <= 0 {
		return nil, semsearch.Errorf(semsearch.EInvalid, "the number of results must be positive, got %d", n)
	}
	q, err := s.checkVector(vec, "query vector")
	if err != nil {
		return nil, err
	}
	var rows []chunkRow
	err = s.get(ctx, "vector search", s.names.chunk, func(b *graphql.GetBuilder) *graphql.GetBuilder {
		b = b.WithFields(append(slices.Clone(hitFields), distanceField)...).
			WithNearVector((&graphql.NearVectorArgumentBuilder{}).WithVector(q)).WithLimit(fetchDepth(n))
		if w := where(f); w != nil {
			b = b.WithWhere(w)
		}
		return b
	}, &rows)
	if err != nil {
		return nil, err
	}
	hits := make([]semsearch.Hit, 0, len(rows))
	for _, r := range rows {
		if r.Additional.Distance != nil {
			hits = append(hits, semsearch.Hit{ChunkID: r.ChunkID, PostID: r.PostID, Score: 1 - *r.Additional.Distance})
		}
	}
	return s.visible(ctx, rows, hits, n)
}

// fetchDepth over-fetches a little: chunks of a write in progress (or of an
// interrupted one) are dropped after the query.
func fetchDepth(n int) int { return n + n/8 + 4 }

// visible keeps the hits whose chunk belongs to its post's current
// generation (rows[i] is hits[i]'s row), sorted best first, at most n.
func (s *Store) visible(ctx context.Context, rows []chunkRow, hits []semsearch.Hit, n int) ([]semsearch.Hit, error) {
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.PostID
	}
	current, err := s.postGens(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := hits[:0]
	for i, h := range hits {
		if g, ok := current[h.PostID]; ok && g == int64(rows[i].Gen) {
			out = append(out, h)
		}
	}
	slices.SortFunc(out, func(a, b semsearch.Hit) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return cmp.Compare(a.ChunkID, b.ChunkID)
	})
	if len(out) > n {
		out = out[:n]
	}
	return out, nil
}

// LexicalSearch returns up to n chunks ranked by Weaviate's BM25 over the
// chunks' stemmed lexical field (stem.go; BM25F over the stemmed title,
// heading and text boosted by w when w is not the default) for the words
// of q among posts matching f. q is plain text: its words are extracted as for FTS (stop
// words dropped unless nothing else is left), so any string is safe.
func (s *Store) LexicalSearch(ctx context.Context, q string, n int, f semsearch.Filter, w semsearch.BM25Weights) ([]semsearch.Hit, error) {
	if n <= 0 {
		return nil, semsearch.Errorf(semsearch.EInvalid, "the number of results must be positive, got %d", n)
	}
	query := BM25Query(q)
	if query == "" {
		return nil, nil
	}
	if w == (semsearch.BM25Weights{}) {
		w = semsearch.DefaultBM25Weights()
	}
	props := []string{"lexStem"}
	if w != lexWeights {
		props = []string{boost("titleStem", w.Title), boost("headingStem", w.Heading), boost("textStem", w.Text)}
	}
	var rows []chunkRow
	err := s.get(ctx, "lexical search", s.names.chunk, func(b *graphql.GetBuilder) *graphql.GetBuilder {
		b = b.WithFields(append(slices.Clone(hitFields), scoreField)...).
			WithBM25((&graphql.BM25ArgumentBuilder{}).WithQuery(query).WithProperties(props...)).
			WithLimit(fetchDepth(n))
		if wh := where(f); wh != nil {
			b = b.WithWhere(wh)
		}
		return b
	}, &rows)
	if err != nil {
		return nil, err
	}
	hits := make([]semsearch.Hit, 0, len(rows))
	kept := rows[:0]
	for _, r := range rows {
		score, err := strconv.ParseFloat(r.Additional.Score, 64)
		if err != nil {
			continue
		}
		hits = append(hits, semsearch.Hit{ChunkID: r.ChunkID, PostID: r.PostID, Score: score})
		kept = append(kept, r)
	}
	return s.visible(ctx, kept, hits, n)
}

// BM25Query is the text LexicalSearch gives Weaviate's BM25 for the user
// query q: its words as index.QueryTerms picks them (FTS5's too), stemmed by stemTerms, joined
// by spaces; "" when q has no words. (Exported for measuring Weaviate's own
// hybrid against ours on the same lexical query: eval/weaviatehybrid.)
func BM25Query(q string) string { return strings.Join(stemTerms(index.QueryTerms(q)), " ") }

// stemTerms stems the query terms, keeping a stem once per distinct query
// word it comes from: FTS5 scores each word of its OR query on its own, so
// "write OR writes" counts the stem "write" twice, and Weaviate's BM25
// counts a repeated query term as often as it appears. Dropping the
// repeats cost LISA 0.014 lexical nDCG@10 against the embedded index.
func stemTerms(terms []string) []string {
	out := terms[:0]
	for _, t := range terms {
		if st := stemWord(t); st != "" {
			out = append(out, st)
		}
	}
	return out
}

func boost(prop string, w float64) string {
	if w <= 0 {
		w = 0.0001
	}
	return prop + "^" + strconv.FormatFloat(w, 'g', -1, 64)
}

// where translates a filter into a Weaviate where filter (nil: no filter).
// Source, author and tag compare the trimmed lower-cased keys written with
// every object; a date bound excludes posts without a date (null).
func where(f semsearch.Filter) *filters.WhereBuilder {
	var ops []*filters.WhereBuilder
	if f.Source != "" {
		ops = append(ops, filters.Where().WithPath([]string{"sourceKey"}).WithOperator(filters.ContainsAny).WithValueText(key(f.Source)))
	}
	if f.Author != "" {
		ops = append(ops, filters.Where().WithPath([]string{"authorKeys"}).WithOperator(filters.ContainsAny).WithValueText(key(f.Author)))
	}
	if f.Tag != "" {
		ops = append(ops, filters.Where().WithPath([]string{"tagKeys"}).WithOperator(filters.ContainsAny).WithValueText(key(f.Tag)))
	}
	if !f.Since.IsZero() {
		ops = append(ops, filters.Where().WithPath([]string{"published"}).WithOperator(filters.GreaterThanEqual).WithValueDate(f.Since))
	}
	if !f.Until.IsZero() {
		ops = append(ops, filters.Where().WithPath([]string{"published"}).WithOperator(filters.LessThanEqual).WithValueDate(f.Until))
	}
	switch len(ops) {
	case 0:
		return nil
	case 1:
		return ops[0]
	}
	return filters.Where().WithOperator(filters.And).WithOperands(ops)
}

func idsWhere(prop string, ids []string) *filters.WhereBuilder {
	return filters.Where().WithPath([]string{prop}).WithOperator(filters.ContainsAny).WithValueText(ids...)
}

// postRows reads the posts with the given IDs (distinct), in batches.
func (s *Store) postRows(ctx context.Context, what string, ids []string, fl []graphql.Field) ([]postRow, error) {
	ids = distinct(ids)
	var out []postRow
	for start := 0; start < len(ids); start += idBatch {
		part := ids[start:min(start+idBatch, len(ids))]
		var rows []postRow
		err := s.get(ctx, what, s.names.post, func(b *graphql.GetBuilder) *graphql.GetBuilder {
			return b.WithFields(fl...).WithWhere(idsWhere("postId", part)).WithLimit(len(part))
		}, &rows)
		if err != nil {
			return nil, err
		}
		out = append(out, rows...)
	}
	return out, nil
}

func distinct(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// postGens returns the current generation of each existing post.
func (s *Store) postGens(ctx context.Context, ids []string) (map[string]int64, error) {
	rows, err := s.postRows(ctx, "read post generations", ids, postGenFields)
	if err != nil {
		return nil, err
	}
	out := make(map[string]int64, len(rows))
	for _, r := range rows {
		out[r.PostID] = int64(r.Gen)
	}
	return out, nil
}

// PostMeta returns the given posts without their text; unknown IDs are
// absent.
func (s *Store) PostMeta(ctx context.Context, ids ...string) (map[string]semsearch.Post, error) {
	rows, err := s.postRows(ctx, "read posts", ids, postMetaFields)
	if err != nil {
		return nil, err
	}
	out := make(map[string]semsearch.Post, len(rows))
	for _, r := range rows {
		out[r.PostID] = r.post(false)
	}
	return out, nil
}

// PostTexts returns the clean text of the given posts; unknown IDs are
// absent.
func (s *Store) PostTexts(ctx context.Context, ids ...string) (map[string]string, error) {
	rows, err := s.postRows(ctx, "read post texts", ids, postTextFields)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		out[r.PostID] = r.Text
	}
	return out, nil
}

// post reads one post; ok is false when it does not exist.
func (s *Store) post(ctx context.Context, id string, fl []graphql.Field) (postRow, bool, error) {
	rows, err := s.postRows(ctx, "read post", []string{id}, fl)
	if err != nil || len(rows) == 0 {
		return postRow{}, false, err
	}
	return rows[0], true, nil
}

// Post returns a stored post with its text; a missing post is a not_found
// error.
func (s *Store) Post(ctx context.Context, id string) (semsearch.Post, error) {
	r, ok, err := s.post(ctx, id, postFields)
	if err != nil {
		return semsearch.Post{}, fmt.Errorf("read post %s: %w", id, err)
	}
	if !ok {
		return semsearch.Post{}, semsearch.Errorf(semsearch.ENotFound, "post %q not found", id)
	}
	return r.post(true), nil
}

// PostHash returns the content hash stored for a post and whether it exists.
func (s *Store) PostHash(ctx context.Context, id string) (string, bool, error) {
	r, ok, err := s.post(ctx, id, fields("postId", "contentHash"))
	if err != nil {
		return "", false, fmt.Errorf("read hash of post %s: %w", id, err)
	}
	return r.ContentHash, ok, nil
}

// Chunks returns the current chunks with the given IDs; unknown IDs are
// absent.
func (s *Store) Chunks(ctx context.Context, ids []string) (map[string]semsearch.Chunk, error) {
	ids = distinct(ids)
	var rows []chunkRow
	for start := 0; start < len(ids); start += idBatch {
		part := ids[start:min(start+idBatch, len(ids))]
		var got []chunkRow
		err := s.get(ctx, "read chunks", s.names.chunk, func(b *graphql.GetBuilder) *graphql.GetBuilder {
			// Room for the chunks of a write in progress.
			return b.WithFields(chunkFields...).WithWhere(idsWhere("chunkId", part)).WithLimit(3*len(part) + 10)
		}, &got)
		if err != nil {
			return nil, err
		}
		rows = append(rows, got...)
	}
	posts := make([]string, len(rows))
	for i, r := range rows {
		posts[i] = r.PostID
	}
	current, err := s.postGens(ctx, posts)
	if err != nil {
		return nil, err
	}
	out := make(map[string]semsearch.Chunk, len(ids))
	for _, r := range rows {
		if g, ok := current[r.PostID]; ok && g == int64(r.Gen) {
			out[r.ChunkID] = r.chunk()
		}
	}
	return out, nil
}

func (r chunkRow) chunk() semsearch.Chunk {
	return semsearch.Chunk{ID: r.ChunkID, PostID: r.PostID, Ordinal: r.Ordinal, Heading: r.Heading, Text: r.Text, Start: r.Start, End: r.End}
}

// maxChunksPerPost bounds one post's chunk read.
const maxChunksPerPost = 10000

// PostChunks returns a post's current chunks in ordinal order with their
// normalised vectors; a missing post is a not_found error.
func (s *Store) PostChunks(ctx context.Context, postID string) ([]semsearch.Chunk, [][]float32, error) {
	r, ok, err := s.post(ctx, postID, postGenFields)
	if err != nil {
		return nil, nil, fmt.Errorf("read chunks of post %s: %w", postID, err)
	}
	if !ok {
		return nil, nil, semsearch.Errorf(semsearch.ENotFound, "post %q not found", postID)
	}
	rows, err := s.chunksOf(ctx, postID, int64(r.Gen), true)
	if err != nil {
		return nil, nil, fmt.Errorf("read chunks of post %s: %w", postID, err)
	}
	chunks := make([]semsearch.Chunk, len(rows))
	vecs := make([][]float32, len(rows))
	for i, r := range rows {
		chunks[i] = r.chunk()
		vecs[i] = r.Additional.Vector
	}
	return chunks, vecs, nil
}

func (s *Store) chunksOf(ctx context.Context, postID string, gen int64, withVectors bool) ([]chunkRow, error) {
	fl := slices.Clone(chunkFields)
	if withVectors {
		fl = append(fl, vectorField)
	}
	var rows []chunkRow
	err := s.get(ctx, "read chunks of a post", s.names.chunk, func(b *graphql.GetBuilder) *graphql.GetBuilder {
		return b.WithFields(fl...).WithLimit(maxChunksPerPost).WithWhere(filters.Where().WithOperator(filters.And).WithOperands([]*filters.WhereBuilder{
			filters.Where().WithPath([]string{"postId"}).WithOperator(filters.Equal).WithValueText(postID),
			filters.Where().WithPath([]string{"gen"}).WithOperator(filters.Equal).WithValueNumber(float64(gen)),
		}))
	}, &rows)
	slices.SortFunc(rows, func(a, b chunkRow) int { return cmp.Compare(a.Ordinal, b.Ordinal) })
	return rows, err
}

// scan visits every object of class in UUID order (Weaviate's cursor),
// page by page.
func (s *Store) scan(ctx context.Context, class string, fl []graphql.Field, visit func(raw json.RawMessage) error) error {
	after := ""
	fl = append(slices.Clone(fl), graphql.Field{Name: cursorFieldName, Fields: fields("id")})
	for {
		var rows []json.RawMessage
		err := s.get(ctx, "list "+class, class, func(b *graphql.GetBuilder) *graphql.GetBuilder {
			b = b.WithFields(fl...).WithLimit(1000)
			if after != "" {
				b = b.WithAfter(after)
			}
			return b
		}, &rows)
		if err != nil {
			return err
		}
		for _, raw := range rows {
			var a struct {
				Additional additional `json:"_additional"`
			}
			if err := json.Unmarshal(raw, &a); err != nil {
				return err
			}
			after = a.Additional.ID
			if err := visit(raw); err != nil {
				return err
			}
		}
		if len(rows) < 1000 {
			return nil
		}
	}
}

// PostIDs returns the IDs of every stored post, sorted.
func (s *Store) PostIDs(ctx context.Context) ([]string, error) {
	var ids []string
	err := s.scan(ctx, s.names.post, fields("postId"), func(raw json.RawMessage) error {
		var r postRow
		if err := json.Unmarshal(raw, &r); err != nil {
			return err
		}
		ids = append(ids, r.PostID)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list posts: %w", err)
	}
	slices.Sort(ids)
	return ids, nil
}

// count returns the number of objects of class (Aggregate meta count).
func (s *Store) count(ctx context.Context, class string) (int, error) {
	var n int
	err := s.call(ctx, "count "+class, func(ctx context.Context, wc *client.Client) error {
		res, err := wc.GraphQL().Raw().WithQuery(fmt.Sprintf(`{Aggregate{%s{meta{count}}}}`, class)).Do(ctx)
		if err != nil {
			return err
		}
		if len(res.Errors) > 0 {
			return fmt.Errorf("graphql: %s", res.Errors[0].Message)
		}
		var parsed map[string][]struct {
			Meta struct {
				Count int `json:"count"`
			} `json:"meta"`
		}
		b, err := json.Marshal(res.Data["Aggregate"])
		if err != nil {
			return err
		}
		if err := json.Unmarshal(b, &parsed); err != nil {
			return err
		}
		if rows := parsed[class]; len(rows) > 0 {
			n = rows[0].Meta.Count
		}
		return nil
	})
	return n, err
}

// Stats counts posts, chunks (those of writes in progress included) and
// distinct source URLs.
func (s *Store) Stats(ctx context.Context) (semsearch.Stats, error) {
	st := semsearch.Stats{Model: s.model, Dims: s.dims}
	var err error
	if st.Posts, err = s.count(ctx, s.names.post); err != nil {
		return st, fmt.Errorf("read stats: %w", err)
	}
	if st.Chunks, err = s.count(ctx, s.names.chunk); err != nil {
		return st, fmt.Errorf("read stats: %w", err)
	}
	sources := map[string]bool{}
	err = s.scan(ctx, s.names.post, fields("sourceUrl"), func(raw json.RawMessage) error {
		var r postRow
		if err := json.Unmarshal(raw, &r); err != nil {
			return err
		}
		if r.SourceURL != "" {
			sources[r.SourceURL] = true
		}
		return nil
	})
	if err != nil {
		return st, fmt.Errorf("read stats: %w", err)
	}
	st.Sources = len(sources)
	return st, nil
}
