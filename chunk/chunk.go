// Package chunk splits a post's clean text into passages sized for the
// embedder: along headings first, then paragraphs, then sentences, then
// words, with a small overlap of trailing sentences between consecutive
// passages of the same section.
package chunk

import (
	"strconv"
	"strings"

	"github.com/semsearch/semsearch"
)

// Defaults for the zero Options.
const (
	DefaultMaxTokens     = 256
	DefaultOverlapTokens = 32
)

// HeadingSep joins the headings of nested sections in Chunk.Heading.
const HeadingSep = " › "

// Options sizes the passages.
type Options struct {
	// MaxTokens bounds CountTokens(chunk.Context), the embedded text including
	// the title and heading prefix. 0 means DefaultMaxTokens.
	MaxTokens int
	// OverlapTokens bounds the trailing sentences of the previous passage of
	// the same section repeated at the start of the next one. 0 means
	// DefaultOverlapTokens; negative disables overlap. It is capped at half
	// of MaxTokens.
	OverlapTokens int
	// CountTokens counts the tokens of a text; nil means EstimateTokens. Pass
	// the embedder's own tokenizer (embed/local Model.CountTokens) for exact
	// budgets. It must not decrease when text is appended or prepended.
	CountTokens func(string) int
}

func (o Options) withDefaults() Options {
	if o.MaxTokens <= 0 {
		o.MaxTokens = DefaultMaxTokens
	}
	switch {
	case o.OverlapTokens == 0:
		o.OverlapTokens = DefaultOverlapTokens
	case o.OverlapTokens < 0:
		o.OverlapTokens = 0
	}
	o.OverlapTokens = min(o.OverlapTokens, o.MaxTokens/2)
	if o.CountTokens == nil {
		o.CountTokens = EstimateTokens
	}
	return o
}

// ChunkID is the ID of the ordinal-th chunk of a post: postID + "#" +
// ordinal. It is injective (the ordinal follows the last '#') and needs no
// escaping as a chromem or SQLite key.
func ChunkID(postID string, ordinal int) string {
	return postID + "#" + strconv.Itoa(ordinal)
}

// Split cuts p.Text into chunks, in text order, Ordinal 0..n-1.
//
// Every chunk satisfies p.Text[c.Start:c.End] == c.Text, its Text has no
// leading or trailing white space, and CountTokens(c.Context) <=
// MaxTokens (the title and heading in Context are shortened if they alone
// would take more than half the budget; a single rune that still does not
// fit is emitted alone). Every non-space byte of p.Text is in some chunk.
// A section's heading line is part of the first chunk of that section.
//
// A post whose text is empty or blank yields one chunk with empty Text at
// offsets 0,0 whose Context is the title (else the summary, else the ID),
// so that every post can be found.
func Split(p semsearch.Post, opts Options) []semsearch.Chunk {
	opts = opts.withDefaults()
	secs := parseSections(p.Text)
	if len(secs) == 0 {
		ctx := p.Title
		if strings.TrimSpace(ctx) == "" {
			ctx = p.Summary
		}
		if strings.TrimSpace(ctx) == "" {
			ctx = p.ID
		}
		ctx = truncateTokens(strings.TrimSpace(ctx), opts.MaxTokens, opts.CountTokens)
		return []semsearch.Chunk{{ID: ChunkID(p.ID, 0), PostID: p.ID, Context: ctx}}
	}
	var out []semsearch.Chunk
	for i := range secs {
		s := &secs[i]
		prefix := contextPrefix(p.Title, s.heading, opts)
		sp := splitter{text: p.Text, sec: s, prefix: prefix, opts: opts}
		for _, r := range sp.spans() {
			out = append(out, semsearch.Chunk{
				ID:      ChunkID(p.ID, len(out)),
				PostID:  p.ID,
				Ordinal: len(out),
				Heading: s.heading,
				Text:    p.Text[r.start:r.end],
				Start:   r.start,
				End:     r.end,
				Context: prefix + p.Text[r.start:r.end],
			})
		}
	}
	return out
}

// contextPrefix is what precedes a chunk's text in its Context: the title and
// the heading path, each on its own line, empty ones left out. A prefix that
// would take more than half the budget is shortened (last heading only, then
// cut at a word) so that text still fits.
func contextPrefix(title, heading string, opts Options) string {
	title, heading = strings.TrimSpace(title), strings.TrimSpace(heading)
	join := func(h string) string {
		var parts []string
		for _, s := range []string{title, h} {
			if s != "" {
				parts = append(parts, s)
			}
		}
		if len(parts) == 0 {
			return ""
		}
		return strings.Join(parts, "\n") + "\n"
	}
	limit := opts.MaxTokens / 2
	prefix := join(heading)
	if opts.CountTokens(prefix) <= limit {
		return prefix
	}
	if i := strings.LastIndex(heading, HeadingSep); i >= 0 {
		prefix = join(heading[i+len(HeadingSep):])
		if opts.CountTokens(prefix) <= limit {
			return prefix
		}
	}
	cut := truncateTokens(strings.TrimSpace(prefix), limit, opts.CountTokens)
	if cut == "" {
		return ""
	}
	return cut + "\n"
}

// truncateTokens returns the longest prefix of s, cut after a word (or, for a
// single giant word, after a rune), that counts at most limit tokens.
func truncateTokens(s string, limit int, count func(string) int) string {
	if count(s) <= limit {
		return s
	}
	ends := wordEnds(s, 0, len(s))
	if i := lastFit(len(ends), func(i int) bool { return count(s[:ends[i]]) <= limit }); i >= 0 {
		return s[:ends[i]]
	}
	ends = runeEnds(s, 0, len(s))
	if i := lastFit(len(ends), func(i int) bool { return count(s[:ends[i]]) <= limit }); i >= 0 {
		return s[:ends[i]]
	}
	return ""
}
