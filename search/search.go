// Package search answers post-level queries over an Index: it runs the
// vector and lexical retrievers, fuses their chunk rankings, groups chunks
// by post and highlights the best passages.
package search

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/deeplink"
)

// Index is what search reads: *index.Store implements it (SQLite + an
// in-memory vector index), and so can a remote backend. Every method may do
// I/O; results are best first, n ≥ 1.
type Index interface {
	// VectorSearch returns up to n chunks most cosine-similar to vec among
	// the chunks of posts matching f.
	VectorSearch(ctx context.Context, vec []float32, n int, f semsearch.Filter) ([]semsearch.Hit, error)
	// LexicalSearch returns up to n chunks ranked by BM25 for the words of
	// q (plain text, never query syntax) among posts matching f.
	LexicalSearch(ctx context.Context, q string, n int, f semsearch.Filter, w semsearch.BM25Weights) ([]semsearch.Hit, error)
	// Chunks returns the chunks with the given IDs; unknown IDs are absent.
	Chunks(ctx context.Context, ids []string) (map[string]semsearch.Chunk, error)
	// PostChunks returns a post's chunks in order with their normalised
	// vectors; a missing post is a not_found error.
	PostChunks(ctx context.Context, postID string) ([]semsearch.Chunk, [][]float32, error)
	// PostMeta returns the given posts without their text; unknown IDs are
	// absent. The posts' slices must not be modified.
	PostMeta(ctx context.Context, ids ...string) (map[string]semsearch.Post, error)
	// PostTexts returns the clean text (semsearch.Post.Text) of the given
	// posts; unknown IDs are absent. Passage links are built from it.
	PostTexts(ctx context.Context, ids ...string) (map[string]string, error)
}

// Options tune retrieval and presentation. Zero fields take the value of
// DefaultOptions(); the evaluation harness tunes them.
type Options struct {
	Fusion        Fusion  // how hybrid mode combines the rankings
	RRFK          float64 // RRF's rank constant (FusionRRF)
	VectorWeight  float64 // weight of the vector ranking in either fusion
	LexicalWeight float64 // weight of the lexical ranking in either fusion

	// Each retriever returns max(MinDepth, DepthPerK×k) chunks.
	MinDepth  int
	DepthPerK int

	BM25 semsearch.BM25Weights // lexical field weights (title, heading, text)

	Passages     int // best passages shown per post
	PassageChars int // passage window in bytes around the first match; negative: whole chunk

	Related RelatedOptions // the related-posts ranking (related.go)

	QueryEmbedTimeout time.Duration // bound on embedding one query, retries included
	MaxQueryRunes     int           // longest query accepted (0: semsearch.MaxQueryRunes)
	Logger            *slog.Logger  // nil: discard
}

// DefaultOptions returns the values used for zero fields.
func DefaultOptions() Options { return defaultOptions }

// The defaults were tuned on the 8 collections in ../shared/datasets with
// all-MiniLM-L6-v2 (`go run ./eval/tune`): a min-max score blend over 200+
// candidates beat RRF (k 5..60, lexical weight 0.5..1.5) on mean nDCG@10
// (0.606 vs 0.595) and on SciFact (0.735 vs 0.683); adding a share of a
// post's second-best chunk score lowered nDCG in every mode, so a post
// scores its best chunk alone.
var defaultOptions = Options{
	Fusion:        FusionBlend,
	RRFK:          60,
	VectorWeight:  1,
	LexicalWeight: 1,
	MinDepth:      200,
	DepthPerK:     5,
	BM25:          semsearch.DefaultBM25Weights(),
	Passages:      2,
	PassageChars:  300,
	Related:       defaultRelatedOptions,

	QueryEmbedTimeout: 5 * time.Second,
	MaxQueryRunes:     semsearch.MaxQueryRunes,
	Logger:            slog.New(slog.DiscardHandler),
}

func (o Options) withDefaults() Options {
	d := defaultOptions
	if o.Fusion == "" {
		o.Fusion = d.Fusion
	}
	if o.RRFK <= 0 {
		o.RRFK = d.RRFK
	}
	if o.VectorWeight == 0 && o.LexicalWeight == 0 {
		o.VectorWeight, o.LexicalWeight = d.VectorWeight, d.LexicalWeight
	}
	if o.MinDepth <= 0 {
		o.MinDepth = d.MinDepth
	}
	if o.DepthPerK <= 0 {
		o.DepthPerK = d.DepthPerK
	}
	if o.BM25 == (semsearch.BM25Weights{}) {
		o.BM25 = d.BM25
	}
	if o.Passages <= 0 {
		o.Passages = d.Passages
	}
	if o.PassageChars == 0 {
		o.PassageChars = d.PassageChars
	}
	o.Related = o.Related.withDefaults()
	if o.QueryEmbedTimeout <= 0 {
		o.QueryEmbedTimeout = d.QueryEmbedTimeout
	}
	if o.MaxQueryRunes <= 0 {
		o.MaxQueryRunes = d.MaxQueryRunes
	}
	if o.Logger == nil {
		o.Logger = d.Logger
	}
	return o
}

// Searcher answers queries. It is safe for concurrent use.
type Searcher struct {
	store   Index
	emb     semsearch.Embedder
	opts    Options
	related relatedCache // the corpus Related reads, rebuilt on change
}

// New returns a Searcher with DefaultOptions(). emb must be the model the
// index was built with.
func New(store Index, emb semsearch.Embedder) *Searcher {
	return NewWithOptions(store, emb, Options{})
}

// NewWithOptions returns a Searcher with tuned options (zero fields take
// DefaultOptions()).
func NewWithOptions(store Index, emb semsearch.Embedder, opts Options) *Searcher {
	return &Searcher{store: store, emb: emb, opts: opts.withDefaults()}
}

func (s *Searcher) depth(k int) int { return max(s.opts.MinDepth, s.opts.DepthPerK*k) }

// Search returns up to q.K posts for q.Text, best first, each with its best
// passages highlighted. A query that fails Query.Validate (with
// Options.MaxQueryRunes) is an invalid error; an empty mode means hybrid.
// Scores are comparable only within one response.
func (s *Searcher) Search(ctx context.Context, q semsearch.Query) ([]semsearch.Result, error) {
	f, err := s.find(ctx, q, false)
	return f.Results, err
}

// retrieve runs q's retrievers and fuses their rankings; it also returns
// the query's vector and the vector hits (nil in lexical mode or when the
// embedder failed).
func (s *Searcher) retrieve(ctx context.Context, q semsearch.Query) ([]scored, []float32, []semsearch.Hit, error) {
	text := strings.TrimSpace(q.Text)
	mode := q.Mode
	if mode == "" {
		mode = semsearch.ModeHybrid
	}
	depth := s.depth(q.K)
	switch mode {
	case semsearch.ModeVector:
		hits, v, err := s.vector(ctx, text, depth, q.Filter)
		if err != nil {
			return nil, nil, nil, err
		}
		return fromHits(hits), v, hits, nil
	case semsearch.ModeLexical:
		hits, err := s.store.LexicalSearch(ctx, text, depth, q.Filter, s.opts.BM25)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("search %q: %w", text, err)
		}
		return fromHits(hits), nil, nil, nil
	}
	// Hybrid. The query embedding dominates latency: run lexical alongside it.
	var lex []semsearch.Hit
	var lexErr error
	var wg sync.WaitGroup
	wg.Go(func() {
		lex, lexErr = s.store.LexicalSearch(ctx, text, depth, q.Filter, s.opts.BM25)
	})
	vec, v, vecErr := s.vector(ctx, text, depth, q.Filter)
	wg.Wait()
	if lexErr != nil {
		return nil, nil, nil, fmt.Errorf("search %q: %w", text, lexErr)
	}
	switch {
	case vecErr == nil:
		return fuse(s.opts, vec, lex), v, vec, nil
	case ctx.Err() == nil:
		// Keyword results beat an error while the embedder is down or
		// slower than QueryEmbedTimeout.
		s.opts.Logger.Warn("vector retrieval failed: hybrid search answered from the lexical index only", "error", vecErr)
		return fromHits(lex), nil, nil, nil
	default:
		return nil, nil, nil, vecErr
	}
}

// passageLink links to c.Text[from:to] inside the post at pageURL whose
// clean text is text. When text no longer holds the chunk (the post was
// replaced meanwhile) the link is the bare URL.
func passageLink(pageURL, text string, c semsearch.Chunk, from, to int) string {
	if pageURL == "" {
		return ""
	}
	if c.Start < 0 || c.End > len(text) || text[c.Start:c.End] != c.Text {
		return pageURL
	}
	return deeplink.Link(pageURL, text, c.Start+from, c.Start+to)
}

func (s *Searcher) vector(ctx context.Context, text string, depth int, f semsearch.Filter) ([]semsearch.Hit, []float32, error) {
	// A query is interactive: it gets a short budget for retries, unlike an
	// ingest's embedding calls.
	qctx, cancel := context.WithTimeout(ctx, s.opts.QueryEmbedTimeout)
	defer cancel()
	v, err := s.emb.EmbedQuery(qctx, text)
	if err != nil {
		return nil, nil, fmt.Errorf("embed query: %w", err)
	}
	hits, err := s.store.VectorSearch(ctx, v, depth, f)
	if err != nil {
		return nil, nil, fmt.Errorf("vector search: %w", err)
	}
	return hits, v, nil
}

// results fetches the passages of the grouped posts and builds the
// response. A post or chunk deleted since retrieval is left out.
func (s *Searcher) results(ctx context.Context, posts []postHit, ts terms) ([]semsearch.Result, error) {
	var chunkIDs, postIDs []string
	for _, p := range posts {
		postIDs = append(postIDs, p.postID)
		for _, c := range p.chunks {
			chunkIDs = append(chunkIDs, c.chunkID)
		}
	}
	chunks, err := s.store.Chunks(ctx, chunkIDs)
	if err != nil {
		return nil, fmt.Errorf("fetch passages: %w", err)
	}
	meta, err := s.store.PostMeta(ctx, postIDs...)
	if err != nil {
		return nil, fmt.Errorf("fetch posts: %w", err)
	}
	var linked []string // posts with a URL: their passages get a link
	for _, id := range postIDs {
		if meta[id].URL != "" {
			linked = append(linked, id)
		}
	}
	texts := map[string]string{}
	if len(linked) > 0 {
		if texts, err = s.store.PostTexts(ctx, linked...); err != nil {
			return nil, fmt.Errorf("fetch post texts: %w", err)
		}
	}
	views := make([][]chunkView, len(posts))
	df := map[string]int{}
	nSentences := 0
	for i, p := range posts {
		for _, sc := range p.chunks {
			if c, ok := chunks[sc.chunkID]; ok {
				prior := 0.0
				if p.score > 0 {
					prior = max(0, sc.score/p.score)
				}
				views[i] = append(views[i], newChunkView(c, prior))
			}
		}
		nSentences += countTerms(views[i], ts, df)
	}
	out := make([]semsearch.Result, 0, len(posts))
	for i, p := range posts {
		m, ok := meta[p.postID]
		if !ok {
			continue
		}
		r := semsearch.Result{
			ID: m.ID, Title: m.Title, URL: m.URL, Source: m.Source.Name(),
			Author: strings.Join(m.Authors, ", "), Published: m.Published, Score: p.score,
			Passages: []semsearch.Passage{},
		}
		passage := func(v chunkView, plain, marked string, from, to int) semsearch.Passage {
			return semsearch.Passage{
				Text: plain, Highlight: marked, Heading: v.c.Heading,
				Link: passageLink(m.URL, texts[p.postID], v.c, v.orig[from], v.orig[to]),
			}
		}
		if len(ts) > 0 {
			// The passages that answer: windows on the best sentences.
			shown := map[int][]span{}
			for _, sc := range pickSentences(views[i], ts, df, nSentences) {
				if len(r.Passages) == s.opts.Passages || (len(r.Passages) > 0 && sc.lex == 0) {
					break // a second passage must hold a query term
				}
				if slices.ContainsFunc(shown[sc.chunk], func(w span) bool { return overlaps(w, sc.focus) }) {
					continue
				}
				v := views[i][sc.chunk]
				plain, marked, from, to := highlightAround(v.shown, ts, s.opts.PassageChars, sc.focus)
				shown[sc.chunk] = append(shown[sc.chunk], span{from, to})
				r.Passages = append(r.Passages, passage(v, plain, marked, from, to))
			}
		}
		if len(r.Passages) > 0 {
			out = append(out, r)
			continue
		}
		// Without terms or sentences: the best chunks, from their first match.
		for _, v := range views[i][:min(len(views[i]), s.opts.Passages)] {
			plain, marked, from, to := highlightRange(v.shown, ts, s.opts.PassageChars)
			r.Passages = append(r.Passages, passage(v, plain, marked, from, to))
		}
		if len(r.Passages) == 0 {
			continue // replaced or deleted meanwhile
		}
		out = append(out, r)
	}
	return out, nil
}
