package search

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/semsearch/semsearch"
)

// Related posts: a post is related to the target as much as
//
//	score = (semantic + LexicalWeight × lexical) / (1 + LexicalWeight)
//
// where semantic is the best cosine between a chunk of the target and a
// chunk of the post, both taken relative to the corpus mean (centred), and
// lexical is the tf·idf cosine of the two whole posts (mlt.go). On the seed
// judgments (`semsearch eval --related`, docs/BENCHMARKS.md) each part
// matters: the mean of the target's chunks against every chunk (the
// previous ranking) scores nDCG@5 0.667, the best chunk pair 0.765, centred
// 0.791, and with the lexical part 0.819, where a TF-IDF "more like this"
// alone scores 0.727. Centring removes what every text of one model and one
// corpus has in common (two chunks of unrelated seed posts have a mean
// cosine of 0.14, not 0), which spreads the cosines; the best pair, rather
// than whole-post means, lets a long post on several subjects relate to a
// short one on any of them.
//
// The score is absolute, not a rank: a post with nothing on its subject gets
// a list of low scores, which MinScore cuts. Passages that are the same
// text (cosine ≥ SameSim: a shared footer, a quoted paragraph) count for
// nothing, and a post most of whose passages are the same text as the
// target's, or as an earlier result's, is a near-duplicate and left out.

// RelatedOptions tune the related-posts ranking. Zero fields take
// DefaultRelatedOptions().
type RelatedOptions struct {
	// LexicalWeight is the weight of the tf·idf cosine beside the
	// semantic score; negative means 0 (semantic only).
	LexicalWeight float64
	// MinScore: posts scoring below are left out; negative keeps all.
	MinScore float64
	// SameSim is the chunk cosine (uncentred) from which two passages are
	// the same text.
	SameSim float64
	// DupShare is the share of the shorter post's passages that must be the
	// same text as the other's for two posts to be near-duplicates.
	DupShare float64
}

// DefaultRelatedOptions returns the values used for zero fields.
func DefaultRelatedOptions() RelatedOptions { return defaultRelatedOptions }

// Calibrated with all-MiniLM-L6-v2 on the seed judgments. The lexical
// weight is flat between 1 and 2 (nDCG@5 0.818–0.822); 1 weighs the two
// cosines alike. MinScore 0.15 costs no seed judgment (nDCG@5 unchanged up
// to 0.15, 0.813 at 0.17) and leaves two posts on an unrelated subject
// (sourdough, tomatoes) with no related post (their best: 0.14, each
// other); 11 of the 109 seed posts, on subjects the seeds cover once or
// twice (matroids, interviews), keep fewer than five. No seed posts are
// near-duplicates: the closest pair's best chunk cosine is 0.86. The
// threshold is the model's: bge-small-en-v1.5 scores on another scale, and
// 0.15 cuts its nDCG@5 from 0.755 to 0.732.
var defaultRelatedOptions = RelatedOptions{LexicalWeight: 1, MinScore: 0.15, SameSim: 0.95, DupShare: 0.5}

func (o RelatedOptions) withDefaults() RelatedOptions {
	d := defaultRelatedOptions
	switch {
	case o.LexicalWeight == 0:
		o.LexicalWeight = d.LexicalWeight
	case o.LexicalWeight < 0:
		o.LexicalWeight = 0
	}
	if o.MinScore == 0 {
		o.MinScore = d.MinScore
	}
	if o.SameSim <= 0 {
		o.SameSim = d.SameSim
	}
	if o.DupShare <= 0 {
		o.DupShare = d.DupShare
	}
	return o
}

// PostVectorLister is what the related ranking needs of an Index beyond
// the Index methods: every post with its chunk vectors, sorted by post ID,
// read cheaply (from memory: it is called on every Related). *index.Store
// implements it. Related over an Index without it falls back to
// relatedByMean (the mean of the post's chunk vectors as a vector query),
// which scores nDCG@5 0.667 on the seed judgments against 0.819.
type PostVectorLister interface {
	AllPostVectors(ctx context.Context) ([]semsearch.PostVectors, error)
}

// PostVectorsVersioner is optional beside PostVectorLister: a number read
// cheaply that changes whenever AllPostVectors' answer may have, so that
// Related on an unchanged index skips the snapshot (at 100k chunks the
// snapshot and its comparison cost about an eighth of a list). *index.Store
// implements it.
type PostVectorsVersioner interface {
	PostVectorsVersion(ctx context.Context) (int64, error)
}

// Related returns up to k posts related to the post postID, best first,
// each with the passages that relate it (its chunks closest to the
// target's). The post itself, exact copies (same content hash) and
// near-duplicates are never among them; posts scoring below MinScore are
// left out, so an off-topic post may get none. A missing post is a
// not_found error; k outside 1..MaxK is an invalid one. Scores are in
// [-1, 1] and comparable across targets of one index.
func (s *Searcher) Related(ctx context.Context, postID string, k int) ([]semsearch.Result, error) {
	if err := semsearch.CheckK(k); err != nil {
		return nil, err
	}
	lister, ok := s.store.(PostVectorLister)
	if !ok {
		return s.relatedByMean(ctx, postID, k)
	}
	rc, err := s.related.current(ctx, s.store, lister)
	if err != nil {
		return nil, fmt.Errorf("related to %s: %w", postID, err)
	}
	t, ok := rc.byID[postID]
	if !ok {
		return nil, semsearch.Errorf(semsearch.ENotFound, "post %q not found", postID)
	}
	o := s.opts.Related
	hits := rc.rank(t, k, o, s.opts.Passages)
	return s.results(ctx, hits, nil)
}

// candidate is one post scored against the target.
type candidate struct {
	post   int
	score  float64
	chunks []int // its best passages, best first
}

// rank scores every post against post t and returns the best k, with up
// to passages chunks each.
func (rc *relatedCorpus) rank(t, k int, o RelatedOptions, passages int) []postHit {
	target := &rc.posts[t]
	if len(target.Vecs) == 0 {
		return nil
	}
	lex := make([]float32, len(rc.posts))
	rc.terms.cosines(t, lex)
	sc := newPairScanner(rc, t, float32(o.SameSim))
	var cands []candidate
	for d := range rc.posts {
		p := &rc.posts[d]
		if d == t || len(p.Vecs) == 0 || (target.ContentHash != "" && p.ContentHash == target.ContentHash) {
			continue
		}
		sem, best, dup := sc.scan(d, passages, o.DupShare)
		if dup {
			continue
		}
		score := (float64(sem) + o.LexicalWeight*float64(lex[d])) / (1 + o.LexicalWeight)
		if o.MinScore >= 0 && score < o.MinScore {
			continue
		}
		cands = append(cands, candidate{post: d, score: score, chunks: best})
	}
	slices.SortFunc(cands, func(a, b candidate) int {
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		return cmp.Compare(rc.posts[a.post].PostID, rc.posts[b.post].PostID)
	})
	var out []postHit
	var kept []int
	for _, c := range cands {
		if len(out) == k {
			break
		}
		if slices.ContainsFunc(kept, func(q int) bool { return rc.nearDuplicate(c.post, q, float32(o.SameSim), o.DupShare) }) {
			continue
		}
		kept = append(kept, c.post)
		p := &rc.posts[c.post]
		h := postHit{postID: p.PostID, score: c.score}
		for _, j := range c.chunks {
			h.chunks = append(h.chunks, scored{chunkID: p.ChunkIDs[j], postID: p.PostID, score: c.score})
		}
		out = append(out, h)
	}
	return out
}

// Similar returns up to k posts most similar to text (embedded as a query),
// best first. Passages are not highlighted: text is not a keyword query.
// Empty text or k outside 1..MaxK is an invalid error.
func (s *Searcher) Similar(ctx context.Context, text string, k int) ([]semsearch.Result, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, semsearch.Errorf(semsearch.EInvalid, "text is required: it is empty")
	}
	if err := semsearch.CheckText("text", text, semsearch.MaxTextRunes); err != nil {
		return nil, err
	}
	if err := semsearch.CheckK(k); err != nil {
		return nil, err
	}
	hits, _, err := s.vector(ctx, text, s.depth(k), semsearch.Filter{})
	if err != nil {
		return nil, err
	}
	return s.results(ctx, group(s.opts, fromHits(hits), k, nil), nil)
}
