package mcpserver

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/wire"
)

// SearchInput is the search tool's arguments.
type SearchInput struct {
	Query  string `json:"query" jsonschema:"the question or keywords, in natural language"`
	K      int    `json:"k,omitempty" jsonschema:"how many posts to return"`
	Mode   string `json:"mode,omitempty" jsonschema:"hybrid (meaning and words, the default), vector (meaning only) or lexical (words only)"`
	Source string `json:"source,omitempty" jsonschema:"only posts of this source (its title or feed URL)"`
	Author string `json:"author,omitempty" jsonschema:"only posts by this author"`
	Tag    string `json:"tag,omitempty" jsonschema:"only posts with this tag"`
	Since  string `json:"since,omitempty" jsonschema:"only posts published from this date on: YYYY-MM-DD or RFC 3339"`
	Until  string `json:"until,omitempty" jsonschema:"only posts published up to this date: YYYY-MM-DD (the whole day) or RFC 3339"`
}

// query is the validated search query in asks for (mode hybrid and k
// semsearch.DefaultK when left out).
func (in SearchInput) query() (semsearch.Query, error) {
	q := semsearch.Query{
		Text: strings.TrimSpace(in.Query),
		K:    orDefault(in.K),
		Mode: semsearch.Mode(in.Mode),
		Filter: semsearch.Filter{
			Source: strings.TrimSpace(in.Source),
			Author: strings.TrimSpace(in.Author),
			Tag:    strings.TrimSpace(in.Tag),
		},
	}
	if q.Mode == "" {
		q.Mode = semsearch.ModeHybrid
	}
	var err error
	if q.Filter.Since, err = semsearch.ParseDate(in.Since, false); err != nil {
		return q, err
	}
	if q.Filter.Until, err = semsearch.ParseDate(in.Until, true); err != nil {
		return q, err
	}
	return q, q.Validate()
}

// RelatedInput is the related tool's arguments.
type RelatedInput struct {
	ID string `json:"id" jsonschema:"the post's id, as search results give it"`
	K  int    `json:"k,omitempty" jsonschema:"how many posts to return"`
}

// SimilarInput is the similar tool's arguments.
type SimilarInput struct {
	Text string `json:"text" jsonschema:"a text (a draft, a paragraph, a whole post) to find similar posts for"`
	K    int    `json:"k,omitempty" jsonschema:"how many posts to return"`
}

// GetPostInput is the get_post tool's arguments: a post and, optionally, a
// range of its text in characters (Unicode code points).
type GetPostInput struct {
	ID     string `json:"id" jsonschema:"the post's id, as search results give it"`
	Offset int    `json:"offset,omitempty" jsonschema:"the first character of the text to return (default 0)"`
	Length int    `json:"length,omitempty" jsonschema:"how many characters of the text to return (default and at most 100000)"`
}

// PostOutput is the get_post tool's result: the post (its text cut to the
// range asked for), where the range starts, and the length of the whole
// text, so that a caller can page through a long post.
type PostOutput struct {
	wire.PostResponse
	Offset     int  `json:"offset"`      // of Text within the whole text, in characters
	TotalChars int  `json:"total_chars"` // of the whole text
	More       bool `json:"more"`        // the text goes on after this range
}

// StatsInput is the stats tool's (empty) arguments.
type StatsInput struct{}

// IngestInput is the ingest tool's arguments.
type IngestInput struct {
	Sources []string `json:"sources" jsonschema:"http(s) URLs of feeds or pages to fetch and index"`
}

// maxGetChars caps one get_post range, as the HTTP API caps texts.
const maxGetChars = semsearch.MaxTextRunes

// maxIngestSources bounds one ingest call, as POST /api/ingest does.
const maxIngestSources = 100

type tools struct {
	svc Services
	log *slog.Logger
}

func (t tools) register(s *mcp.Server) {
	read := &mcp.ToolAnnotations{ReadOnlyHint: true, IdempotentHint: true, OpenWorldHint: new(false)}
	mcp.AddTool(s, &mcp.Tool{
		Name:        "search",
		Title:       "Search posts",
		Description: "Search the indexed blog posts by meaning and words. Each result is a post with its title, url, published date, source, score and best passages; each passage has a link that opens the post at that passage.",
		Annotations: read,
		InputSchema: searchSchema(),
	}, t.search)
	if t.svc.Answers != nil {
		mcp.AddTool(s, &mcp.Tool{
			Name:        "ask",
			Title:       "Answer a question",
			Description: "Answer a question from the indexed posts: answer holds up to 3 sentences quoted verbatim from the posts (found by the local embedding model, no generative model), best first, each with its post id, title, url and a link that opens the post at that sentence. answered is false, with no sentences, when nothing in the index answers; confidence in [0, 1] is calibrated. Date phrases (\"the latest\", \"in 2024\", \"since March\") become filters or ordering, reported in interpreted. results are the posts searched, as the search tool gives them. When the server has a chat model configured, phrased holds its answer written from the quoted sentences, citing them as [1], [2].",
			Annotations: read,
			InputSchema: searchSchema(),
		}, t.ask)
	}
	mcp.AddTool(s, &mcp.Tool{
		Name:        "related",
		Title:       "Related posts",
		Description: "Posts related to a stored post (never the post itself), best first.",
		Annotations: read,
		InputSchema: idKSchema[RelatedInput](),
	}, t.related)
	mcp.AddTool(s, &mcp.Tool{
		Name:        "similar",
		Title:       "Posts similar to a text",
		Description: "Posts similar to a given text, best first.",
		Annotations: read,
		InputSchema: similarSchema(),
	}, t.similar)
	mcp.AddTool(s, &mcp.Tool{
		Name:        "get_post",
		Title:       "Read a post",
		Description: "A stored post: title, url, source, author, published date, tags and its clean text (Markdown-like headings and paragraphs), or a range of the text (offset and length in characters; more says whether it goes on).",
		Annotations: read,
		InputSchema: getPostSchema(),
	}, t.getPost)
	mcp.AddTool(s, &mcp.Tool{
		Name:        "stats",
		Title:       "Index stats",
		Description: "How many posts, chunks and sources the index holds, and its embedding model.",
		Annotations: read,
	}, t.stats)
	if t.svc.Sources != nil {
		mcp.AddTool(s, &mcp.Tool{
			Name:        "sources",
			Title:       "Subscribed sources",
			Description: "The feeds, sites and files the index follows, with their polling state (last and next check, HTTP status, errors) and how many posts each contributed.",
			Annotations: read,
		}, t.sources)
	}
	if t.svc.Ingest != nil {
		mcp.AddTool(s, &mcp.Tool{
			Name:        "ingest",
			Title:       "Add sources",
			Description: "Fetch feeds or pages (http(s) URLs) and add their posts to the index. A post already stored with the same content is left as it is.",
			Annotations: &mcp.ToolAnnotations{DestructiveHint: new(false), IdempotentHint: true, OpenWorldHint: new(true)},
			InputSchema: ingestSchema(),
		}, t.ingest)
	}
}

func (t tools) search(ctx context.Context, _ *mcp.CallToolRequest, in SearchInput) (*mcp.CallToolResult, wire.SearchResponse, error) {
	q, err := in.query()
	if err != nil {
		return nil, wire.SearchResponse{}, t.fail(ctx, "search", err)
	}
	start := time.Now()
	results, err := t.svc.Search.Search(ctx, q)
	if err != nil {
		return nil, wire.SearchResponse{}, t.fail(ctx, "search", err)
	}
	return nil, wire.SearchResponse{
		Query:   q.Text,
		Mode:    q.Mode,
		TookMS:  float64(time.Since(start).Microseconds()) / 1000,
		Results: wire.Results(results),
	}, nil
}

func (t tools) related(ctx context.Context, _ *mcp.CallToolRequest, in RelatedInput) (*mcp.CallToolResult, wire.RelatedResponse, error) {
	k := orDefault(in.K)
	if err := semsearch.CheckK(k); err != nil {
		return nil, wire.RelatedResponse{}, t.fail(ctx, "related", err)
	}
	results, err := t.svc.Search.Related(ctx, in.ID, k)
	if err != nil {
		return nil, wire.RelatedResponse{}, t.fail(ctx, "related", err)
	}
	return nil, wire.RelatedResponse{ID: in.ID, Results: wire.Results(results)}, nil
}

func (t tools) similar(ctx context.Context, _ *mcp.CallToolRequest, in SimilarInput) (*mcp.CallToolResult, wire.SimilarResponse, error) {
	text := strings.TrimSpace(in.Text)
	k := orDefault(in.K)
	err := semsearch.CheckText("text", text, semsearch.MaxTextRunes)
	if text == "" {
		err = semsearch.Errorf(semsearch.EInvalid, "text is required")
	}
	if err == nil {
		err = semsearch.CheckK(k)
	}
	if err != nil {
		return nil, wire.SimilarResponse{}, t.fail(ctx, "similar", err)
	}
	results, err := t.svc.Search.Similar(ctx, text, k)
	if err != nil {
		return nil, wire.SimilarResponse{}, t.fail(ctx, "similar", err)
	}
	return nil, wire.SimilarResponse{Results: wire.Results(results)}, nil
}

func (t tools) getPost(ctx context.Context, _ *mcp.CallToolRequest, in GetPostInput) (*mcp.CallToolResult, PostOutput, error) {
	if in.Offset < 0 || in.Length < 0 || in.Length > maxGetChars {
		return nil, PostOutput{}, t.fail(ctx, "get_post", semsearch.Errorf(semsearch.EInvalid,
			"offset must be ≥ 0 and length from 0 to %d", maxGetChars))
	}
	p, err := t.svc.Posts.Post(ctx, in.ID)
	if err != nil {
		return nil, PostOutput{}, t.fail(ctx, "get_post", err)
	}
	out := PostOutput{PostResponse: wire.NewPostResponse(p), Offset: in.Offset}
	length := in.Length
	if length == 0 {
		length = maxGetChars
	}
	out.Text, out.TotalChars, out.More = runeRange(p.Text, in.Offset, length)
	return nil, out, nil
}

// runeRange returns the length runes of s from rune offset on (clipped to
// s), the rune count of s, and whether s goes on after the range.
func runeRange(s string, offset, length int) (string, int, bool) {
	total := utf8.RuneCountInString(s)
	if offset >= total {
		return "", total, false
	}
	start, i := len(s), 0
	end := len(s)
	for b := range s {
		if i == offset {
			start = b
		}
		if i == offset+length {
			end = b
			break
		}
		i++
	}
	return s[start:end], total, offset+length < total
}

func (t tools) stats(ctx context.Context, _ *mcp.CallToolRequest, _ StatsInput) (*mcp.CallToolResult, semsearch.Stats, error) {
	st, err := t.svc.Status.Stats(ctx)
	if err != nil {
		return nil, semsearch.Stats{}, t.fail(ctx, "stats", err)
	}
	return nil, st, nil
}

// SourcesInput is the sources tool's (empty) arguments.
type SourcesInput struct{}

// sources lists the subscriptions as GET /api/sources does: URLs with
// credentials redacted, local paths by their last element only.
func (t tools) sources(ctx context.Context, _ *mcp.CallToolRequest, _ SourcesInput) (*mcp.CallToolResult, wire.SourcesResponse, error) {
	subs, err := t.svc.Sources.Sources(ctx)
	if err != nil {
		return nil, wire.SourcesResponse{}, t.fail(ctx, "sources", err)
	}
	return nil, wire.NewSources(subs, semsearch.PublicSourceName), nil
}

func (t tools) ingest(ctx context.Context, _ *mcp.CallToolRequest, in IngestInput) (*mcp.CallToolResult, semsearch.IngestReport, error) {
	if len(in.Sources) == 0 || len(in.Sources) > maxIngestSources {
		return nil, semsearch.IngestReport{}, t.fail(ctx, "ingest",
			semsearch.Errorf(semsearch.EInvalid, "sources must hold 1 to %d http(s) URLs", maxIngestSources))
	}
	srcs := make([]string, len(in.Sources))
	for i, src := range in.Sources {
		srcs[i] = strings.TrimSpace(src)
		if err := semsearch.CheckRemoteSource(srcs[i]); err != nil {
			return nil, semsearch.IngestReport{}, t.fail(ctx, "ingest",
				semsearch.Errorf(semsearch.EInvalid, "sources[%d]: %s", i, semsearch.ErrorMessage(err)))
		}
	}
	rep, err := t.svc.Ingest.IngestURLs(ctx, srcs)
	if err != nil {
		return nil, semsearch.IngestReport{}, t.fail(ctx, "ingest", err)
	}
	if rep.Sources == nil {
		rep.Sources = []semsearch.SourceReport{}
	}
	return nil, rep, nil
}

// fail turns err into the tool error the client sees: its caller-safe
// message (an internal error's details are logged, never shown).
func (t tools) fail(ctx context.Context, tool string, err error) error {
	if semsearch.ErrorCode(err) == semsearch.EInternal {
		t.log.LogAttrs(ctx, slog.LevelError, "mcp tool failed", slog.String("tool", tool), slog.String("error", err.Error()))
		return errors.New("internal error")
	}
	return errors.New(semsearch.ErrorMessage(err))
}

func orDefault(k int) int {
	if k == 0 {
		return semsearch.DefaultK
	}
	return k
}
