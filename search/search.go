// Package search answers post-level queries over an index.Store: it runs
// the vector and lexical retrievers, fuses their chunk rankings, groups
// chunks by post and highlights the best passages.
package search

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/index"
)

// MaxK is the largest number of posts one request may ask for.
const MaxK = 100

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

	BM25 index.BM25Weights // FTS5 column weights (title, heading, text)

	// SecondChunkBonus × the second-best chunk score is added to a post's
	// best chunk score. Negative values count as 0.
	SecondChunkBonus float64
	Passages         int // best passages shown per post
	PassageChars     int // passage window in bytes around the first match; negative: whole chunk

	QueryEmbedTimeout time.Duration // bound on embedding one query, retries included
	MaxQueryRunes     int           // longest query accepted (0: semsearch.MaxQueryRunes)
	Logger            *slog.Logger  // nil: discard
}

// DefaultOptions returns the values used for zero fields.
func DefaultOptions() Options { return defaultOptions }

// The defaults were tuned on the 8 collections in ../shared/datasets with
// all-MiniLM-L6-v2 (`go run ./eval/tune`): a min-max score blend over 200+
// candidates beat RRF (k 5..60, lexical weight 0.5..1.5) on mean nDCG@10
// (0.606 vs 0.595) and on SciFact (0.735 vs 0.683); any second-chunk bonus
// lowered nDCG in every mode.
var defaultOptions = Options{
	Fusion:           FusionBlend,
	RRFK:             60,
	VectorWeight:     1,
	LexicalWeight:    1,
	MinDepth:         200,
	DepthPerK:        5,
	BM25:             index.DefaultBM25Weights(),
	SecondChunkBonus: 0,
	Passages:         2,
	PassageChars:     300,

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
	if o.BM25 == (index.BM25Weights{}) {
		o.BM25 = d.BM25
	}
	if o.SecondChunkBonus < 0 {
		o.SecondChunkBonus = 0
	} else if o.SecondChunkBonus == 0 {
		o.SecondChunkBonus = d.SecondChunkBonus
	}
	if o.Passages <= 0 {
		o.Passages = d.Passages
	}
	if o.PassageChars == 0 {
		o.PassageChars = d.PassageChars
	}
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
	store *index.Store
	emb   semsearch.Embedder
	opts  Options
}

// New returns a Searcher with DefaultOptions(). emb must be the model the
// store was built with.
func New(store *index.Store, emb semsearch.Embedder) *Searcher {
	return NewWithOptions(store, emb, Options{})
}

// NewWithOptions returns a Searcher with tuned options (zero fields take
// DefaultOptions()).
func NewWithOptions(store *index.Store, emb semsearch.Embedder, opts Options) *Searcher {
	return &Searcher{store: store, emb: emb, opts: opts.withDefaults()}
}

func checkK(k int) error {
	if k < 1 || k > MaxK {
		return semsearch.Errorf(semsearch.EInvalid, "k must be between 1 and %d, got %d", MaxK, k)
	}
	return nil
}

func (s *Searcher) depth(k int) int { return max(s.opts.MinDepth, s.opts.DepthPerK*k) }

// Search returns up to q.K posts for q.Text, best first, each with its best
// passages highlighted. An empty query, a K outside 1..MaxK or an unknown
// mode is an invalid error; an empty mode means hybrid. Scores are
// comparable only within one response.
func (s *Searcher) Search(ctx context.Context, q semsearch.Query) ([]semsearch.Result, error) {
	text := strings.TrimSpace(q.Text)
	if text == "" {
		return nil, semsearch.Errorf(semsearch.EInvalid, "the query is empty")
	}
	if n := utf8.RuneCountInString(text); n > s.opts.MaxQueryRunes {
		return nil, semsearch.Errorf(semsearch.EInvalid, "the query is too long: %d characters, at most %d", n, s.opts.MaxQueryRunes)
	}
	if err := checkK(q.K); err != nil {
		return nil, err
	}
	mode := q.Mode
	if mode == "" {
		mode = semsearch.ModeHybrid
	}
	depth := s.depth(q.K)
	var chunks []scored
	switch mode {
	case semsearch.ModeVector:
		hits, err := s.vector(ctx, text, depth, q.Filter)
		if err != nil {
			return nil, err
		}
		chunks = fromHits(hits)
	case semsearch.ModeLexical:
		hits, err := s.store.LexicalSearch(ctx, text, depth, q.Filter, s.opts.BM25)
		if err != nil {
			return nil, fmt.Errorf("search %q: %w", text, err)
		}
		chunks = fromHits(hits)
	case semsearch.ModeHybrid:
		// The query embedding dominates latency: run lexical alongside it.
		var lex []index.Hit
		var lexErr error
		var wg sync.WaitGroup
		wg.Go(func() {
			lex, lexErr = s.store.LexicalSearch(ctx, text, depth, q.Filter, s.opts.BM25)
		})
		vec, vecErr := s.vector(ctx, text, depth, q.Filter)
		wg.Wait()
		if lexErr != nil {
			return nil, fmt.Errorf("search %q: %w", text, lexErr)
		}
		switch {
		case vecErr == nil:
			chunks = fuse(s.opts, vec, lex)
		case ctx.Err() == nil:
			// Keyword results beat an error while the embedder is down or
			// slower than QueryEmbedTimeout.
			s.opts.Logger.Warn("vector retrieval failed: hybrid search answered from the lexical index only", "err", vecErr)
			chunks = fromHits(lex)
		default:
			return nil, vecErr
		}
	default:
		return nil, semsearch.Errorf(semsearch.EInvalid, "unknown search mode %q (want hybrid, vector or lexical)", q.Mode)
	}
	return s.results(ctx, group(s.opts, chunks, q.K, nil), queryTerms(text))
}

func (s *Searcher) vector(ctx context.Context, text string, depth int, f semsearch.Filter) ([]index.Hit, error) {
	// A query is interactive: it gets a short budget for retries, unlike an
	// ingest's embedding calls.
	qctx, cancel := context.WithTimeout(ctx, s.opts.QueryEmbedTimeout)
	defer cancel()
	v, err := s.emb.EmbedQuery(qctx, text)
	if err != nil {
		return nil, fmt.Errorf("embed query: %w", err)
	}
	hits, err := s.store.VectorSearch(ctx, v, depth, f)
	if err != nil {
		return nil, fmt.Errorf("vector search: %w", err)
	}
	return hits, nil
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
	meta := s.store.PostMeta(postIDs...)
	out := make([]semsearch.Result, 0, len(posts))
	for _, p := range posts {
		m, ok := meta[p.postID]
		if !ok {
			continue
		}
		r := semsearch.Result{
			ID: m.ID, Title: m.Title, URL: m.URL, Source: m.Source.Name(),
			Author: strings.Join(m.Authors, ", "), Published: m.Published, Score: p.score,
			Passages: []semsearch.Passage{},
		}
		for _, sc := range p.chunks {
			c, ok := chunks[sc.chunkID]
			if !ok {
				continue
			}
			plain, marked := highlight(displayText(c.Text), ts, s.opts.PassageChars)
			r.Passages = append(r.Passages, semsearch.Passage{Text: plain, Highlight: marked, Heading: c.Heading})
		}
		if len(r.Passages) == 0 {
			continue // replaced or deleted meanwhile
		}
		out = append(out, r)
	}
	return out, nil
}
