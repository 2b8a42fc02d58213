// Package answer finds the sentences that answer a question: it searches
// (package search), splits the best chunks of the best posts into
// sentences, scores each with the local model (cosine to the question)
// and its overlap with the question's words, and says how sure it is with
// a calibrated confidence, abstaining when nothing in the index answers.
// It is fully local: no generative model is involved.
package answer

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/dateintent"
	"github.com/semsearch/semsearch/deeplink"
	"github.com/semsearch/semsearch/search"
	"github.com/semsearch/semsearch/sentence"
)

// Searcher finds the posts and chunks an answer quotes; *search.Searcher
// implements it.
type Searcher interface {
	Find(ctx context.Context, q semsearch.Query) (search.Found, error)
}

// Index is what answers read besides search; *index.Store implements it.
type Index interface {
	// Chunks returns the chunks with the given IDs; unknown IDs are absent.
	Chunks(ctx context.Context, ids []string) (map[string]semsearch.Chunk, error)
	// PostTexts returns the clean text of the given posts (for links).
	PostTexts(ctx context.Context, ids ...string) (map[string]string, error)
}

// Options tune answering; zero fields take DefaultOptions().
type Options struct {
	Posts         int // results whose chunks are quoted from
	ChunksPerPost int // best chunks of each such post
	MaxEmbedded   int // sentences embedded per question (the cost bound)
	MaxSentences  int // sentences in an answer, 1..3
	Weights       Weights
	Calibration   Calibration
	// Now is the clock relative dates ("last year") are read against.
	Now func() time.Time
}

// DefaultOptions returns the values used for zero fields; see
// calibration.go for how Weights and Calibration were fitted.
func DefaultOptions() Options {
	return Options{
		Posts: 3, ChunksPerPost: 3, MaxEmbedded: 40, MaxSentences: 3,
		Weights: DefaultWeights, Calibration: DefaultCalibration, Now: time.Now,
	}
}

func (o Options) withDefaults() Options {
	d := DefaultOptions()
	if o.Posts <= 0 {
		o.Posts = d.Posts
	}
	if o.ChunksPerPost <= 0 {
		o.ChunksPerPost = d.ChunksPerPost
	}
	if o.MaxEmbedded <= 0 {
		o.MaxEmbedded = d.MaxEmbedded
	}
	if o.MaxSentences <= 0 || o.MaxSentences > 3 {
		o.MaxSentences = d.MaxSentences
	}
	if o.Weights == (Weights{}) {
		o.Weights = d.Weights
	}
	if o.Calibration == (Calibration{}) {
		o.Calibration = d.Calibration
	}
	if o.Now == nil {
		o.Now = d.Now
	}
	return o
}

// Answerer answers questions. It is safe for concurrent use.
type Answerer struct {
	search Searcher
	index  Index
	emb    semsearch.Embedder
	opts   Options
}

// New returns an Answerer. emb embeds sentences and must be the model the
// index was built with.
func New(s Searcher, idx Index, emb semsearch.Embedder, opts Options) *Answerer {
	return &Answerer{search: s, index: idx, emb: emb, opts: opts.withDefaults()}
}

// Candidate is one sentence considered for an answer, with the features
// it was scored on.
type Candidate struct {
	semsearch.AnswerSentence
	Features Features
	Score    float64 // Weights applied to Features
	postRank int
	chunk    int    // which candidate chunk, and
	seq      int    // which sentence of it
	context  string // the sentence after the one before it
	start    int    // byte offsets in the post's clean text
	end      int
}

// Scored is a question's candidate sentences, best first, with the search
// they came from.
type Scored struct {
	Query       semsearch.Query // as searched, after date interpretation
	Interpreted semsearch.Interpretation
	Found       search.Found
	Sentences   []Candidate
	// BestCosine is the highest cosine of any candidate to the question:
	// what the confidence is calibrated on.
	BestCosine float64
}

// Ask answers q: see semsearch.Answer. q is validated as a search query.
func (a *Answerer) Ask(ctx context.Context, q semsearch.Query) (semsearch.Answer, error) {
	sc, err := a.Score(ctx, q)
	if err != nil {
		return semsearch.Answer{}, err
	}
	out := semsearch.Answer{
		Query:       q.Text,
		Results:     sc.Found.Results,
		Facets:      sc.Found.Facets,
		Interpreted: sc.Interpreted,
		Sentences:   []semsearch.AnswerSentence{},
	}
	if out.Results == nil {
		out.Results = []semsearch.Result{}
	}
	if len(sc.Sentences) == 0 {
		return out, nil
	}
	out.Confidence = a.opts.Calibration.Confidence(sc.BestCosine)
	out.Answered = out.Confidence >= a.opts.Calibration.Threshold
	if !out.Answered {
		return out, nil
	}
	for _, c := range pick(sc.Sentences, a.opts.MaxSentences) {
		out.Sentences = append(out.Sentences, c.AnswerSentence)
	}
	return out, nil
}

// Interpret reads q's date phrases as filters and ordering (package
// dateintent) unless q.Literal, and returns the query to search (valid)
// with what it was read as. A blog the question names ("the latest post
// on X on bnjoroge's blog") becomes a source filter when one source
// stands out for it (see resolveSource); else its words are searched with
// the topic.
func (a *Answerer) Interpret(ctx context.Context, q semsearch.Query) (semsearch.Query, semsearch.Interpretation, error) {
	if q.Literal {
		return q, semsearch.Interpretation{Text: strings.TrimSpace(q.Text)}, q.Validate()
	}
	in := dateintent.Parse(q.Text, a.opts.Now())
	q = dateintent.Apply(q, in)
	if in.SourceHint != "" && q.Filter.Source == "" {
		src, err := a.resolveSource(ctx, in.SourceHint, q.Mode)
		if err != nil {
			return q, in, err
		}
		if src != "" {
			q.Filter.Source, in.Source = src, src
		} else {
			q.Text = q.Text + " " + in.SourceHint
			in.Text = q.Text
		}
	}
	return q, in, q.Validate()
}

// resolveSource finds the source a phrase names: one whose name's words
// (of four letters or more, "blog" aside) the phrase holds, else the
// source of most of the ten posts the phrase finds (at least six).
func (a *Answerer) resolveSource(ctx context.Context, hint string, mode semsearch.Mode) (string, error) {
	found, err := a.search.Find(ctx, semsearch.Query{Text: hint, K: 10, Mode: mode, Literal: true})
	if err != nil {
		return "", fmt.Errorf("ask: find the blog %q: %w", hint, err)
	}
	words := map[string]bool{}
	for _, w := range semsearch.Words(hint) {
		words[w] = true
	}
	for _, f := range found.Facets.Sources {
		for _, w := range semsearch.Words(f.Value) {
			if len(w) >= 4 && w != "blog" && !semsearch.IsStopword(w) && words[w] {
				return f.Value, nil
			}
		}
	}
	count := map[string]int{}
	best := ""
	for _, r := range found.Results {
		count[r.Source]++
		if r.Source != "" && count[r.Source] > count[best] {
			best = r.Source
		}
	}
	if count[best] >= 6 {
		return best, nil
	}
	return "", nil
}

// pick takes up to n sentences, best first, leaving out repeats of a text
// already taken and sentences far below the best.
func pick(cands []Candidate, n int) []Candidate {
	var out []Candidate
	seen := map[string]bool{}
	for _, c := range cands {
		if len(out) == n {
			break
		}
		key := strings.ToLower(strings.Join(strings.Fields(c.Text), " "))
		if seen[key] || (len(out) > 0 && c.Score < followShare*out[0].Score) {
			continue
		}
		seen[key] = true
		out = append(out, c)
	}
	return out
}

// followShare: a second or third sentence must score at least this share
// of the first.
const followShare = 0.8

// Score searches for q and ranks the sentences of the best chunks of the
// best posts; Ask calibrates and shapes the outcome.
func (a *Answerer) Score(ctx context.Context, q semsearch.Query) (Scored, error) {
	if err := q.Validate(); err != nil {
		return Scored{}, err
	}
	q, interp, err := a.Interpret(ctx, q)
	if err != nil {
		return Scored{}, err
	}
	found, err := a.search.Find(ctx, q)
	if err != nil {
		return Scored{}, err
	}
	sc := Scored{Query: q, Interpreted: interp, Found: found}
	cands, err := a.candidates(ctx, found)
	if err != nil || len(cands) == 0 {
		return sc, err
	}
	qv := found.Vector
	if qv == nil {
		if qv, err = a.emb.EmbedQuery(ctx, q.Text); err != nil {
			return Scored{}, fmt.Errorf("ask: embed question: %w", err)
		}
	}
	ts := questionTerms(q.Text)
	lexicalFeatures(cands, ts)
	typeFeatures(cands, q.Text)
	// Embed the most promising sentences only: the cost bound.
	for i := range cands {
		cands[i].Score = a.opts.Weights.prescore(cands[i].Features)
	}
	slices.SortStableFunc(cands, byScore)
	cands = cands[:min(len(cands), a.opts.MaxEmbedded)]
	texts := make([]string, 0, 2*len(cands))
	for _, c := range cands {
		texts = append(texts, c.Text)
	}
	if a.opts.Weights.Window != 0 {
		for _, c := range cands {
			texts = append(texts, c.context)
		}
	}
	vecs, err := a.emb.EmbedPassages(ctx, texts)
	if err != nil {
		return Scored{}, fmt.Errorf("ask: embed sentences: %w", err)
	}
	if a.opts.Weights.Window != 0 {
		for i := range cands {
			cands[i].Features.Window = dot(qv, vecs[len(cands)+i])
		}
	}
	type pos struct{ chunk, seq int }
	cos := map[pos]float64{}
	for i := range cands {
		cands[i].Features.Cosine = dot(qv, vecs[i])
		cos[pos{cands[i].chunk, cands[i].seq}] = cands[i].Features.Cosine
	}
	for i := range cands {
		c := &cands[i]
		c.Features.Prev = cos[pos{c.chunk, c.seq - 1}]
		c.Features.Next = cos[pos{c.chunk, c.seq + 1}]
		c.Score = a.opts.Weights.score(c.Features)
		sc.BestCosine = max(sc.BestCosine, c.Features.Cosine)
	}
	slices.SortStableFunc(cands, byScore)
	sc.Sentences = cands
	return sc, nil
}

func byScore(a, b Candidate) int {
	switch {
	case a.Score > b.Score:
		return -1
	case a.Score < b.Score:
		return 1
	}
	return 0
}

func dot(a, b []float32) float64 {
	var s float64
	for i := range min(len(a), len(b)) {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

// candidates splits the best chunks of the best posts into sentences.
func (a *Answerer) candidates(ctx context.Context, found search.Found) ([]Candidate, error) {
	var ids, postIDs []string
	for _, c := range found.Candidates[:min(len(found.Candidates), a.opts.Posts)] {
		postIDs = append(postIDs, c.PostID)
		for _, ch := range c.Chunks[:min(len(c.Chunks), a.opts.ChunksPerPost)] {
			ids = append(ids, ch.ChunkID)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	chunks, err := a.index.Chunks(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("ask: fetch chunks: %w", err)
	}
	texts, err := a.index.PostTexts(ctx, postIDs...)
	if err != nil {
		return nil, fmt.Errorf("ask: fetch posts: %w", err)
	}
	var out []Candidate
	top := found.Candidates[0].Score
	nchunk := 0
	for rank, c := range found.Candidates[:len(postIDs)] {
		r := found.Results[rank]
		text := texts[c.PostID]
		for ci, ch := range c.Chunks[:min(len(c.Chunks), a.opts.ChunksPerPost)] {
			chunk, ok := chunks[ch.ChunkID]
			if !ok {
				continue
			}
			inText := chunk.Start >= 0 && chunk.End <= len(text) && text[chunk.Start:chunk.End] == chunk.Text
			nchunk++
			sents := sentence.Split(chunk.Text)
			for seq, sp := range sents {
				words := len(strings.Fields(sp.Text))
				if words < minWords {
					continue
				}
				context := sp.Text
				if seq > 0 {
					context = sents[seq-1].Text + " " + sp.Text
				}
				cand := Candidate{
					AnswerSentence: semsearch.AnswerSentence{
						Text: sp.Text, PostID: c.PostID, Title: r.Title, URL: r.URL, Link: r.URL,
						Heading: firstNonEmpty(sp.Heading, chunk.Heading),
					},
					Features: Features{
						Post:  ratioOf(c.Score, top),
						Chunk: ratioOf(ch.Score, c.Score),
						Rank:  float64(rank),
						Order: float64(ci),
						Words: float64(words),
					},
					postRank: rank, chunk: nchunk, seq: seq, context: context,
				}
				if inText {
					cand.start, cand.end = chunk.Start+sp.Start, chunk.Start+sp.End
					cand.Link = deeplink.Link(r.URL, text, cand.start, cand.end)
				}
				out = append(out, cand)
			}
		}
	}
	return out, nil
}

// minWords: shorter sentences ("Yes.", "See below.") answer nothing alone.
const minWords = 4

func ratioOf(a, b float64) float64 {
	if b <= 0 {
		return 0
	}
	return max(0, min(1, a/b))
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
