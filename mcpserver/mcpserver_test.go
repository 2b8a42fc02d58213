package mcpserver_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/mcpserver"
	"github.com/semsearch/semsearch/wire"
)

// fake implements every interface of mcpserver.Services.
type fake struct {
	mu      sync.Mutex
	posts   map[string]semsearch.Post
	results []semsearch.Result
	err     error
	queries []semsearch.Query
	ingests [][]string
}

func (f *fake) Search(_ context.Context, q semsearch.Query) ([]semsearch.Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queries = append(f.queries, q)
	return f.results, f.err
}

// Ask answers from the first result unless the question mentions
// sourdough, which nothing answers.
func (f *fake) Ask(_ context.Context, q semsearch.Query) (semsearch.Answer, error) {
	f.mu.Lock()
	f.queries = append(f.queries, q)
	f.mu.Unlock()
	a := semsearch.Answer{Query: q.Text, Results: f.results, Interpreted: semsearch.Interpretation{Text: q.Text}}
	if strings.Contains(q.Text, "sourdough") || f.err != nil {
		return a, f.err
	}
	r := f.results[0]
	a.Answered, a.Confidence = true, 0.8
	a.Sentences = []semsearch.AnswerSentence{{Text: "Writes are not durable until fsync returns.", PostID: r.ID, Title: r.Title, URL: r.URL,
		Link: r.URL + "#:~:text=Writes%20are%20not%20durable%20until%20fsync%20returns.", Heading: "Fsync"}}
	return a, nil
}

func (f *fake) Related(_ context.Context, id string, k int) ([]semsearch.Result, error) {
	if _, ok := f.posts[id]; !ok {
		return nil, semsearch.Errorf(semsearch.ENotFound, "no post with id %q", id)
	}
	return f.results[1:], f.err
}

func (f *fake) Similar(context.Context, string, int) ([]semsearch.Result, error) {
	return f.results, f.err
}

func (f *fake) Post(_ context.Context, id string) (semsearch.Post, error) {
	if f.err != nil {
		return semsearch.Post{}, f.err
	}
	p, ok := f.posts[id]
	if !ok {
		return p, semsearch.Errorf(semsearch.ENotFound, "no post with id %q", id)
	}
	return p, nil
}

func (f *fake) Sources(context.Context) ([]semsearch.Subscription, error) {
	return []semsearch.Subscription{
		{ID: 1, URL: "https://alice:hunter2@blog.example.com/feed.xml", Kind: semsearch.SourceKind("feed"), Title: "Alice's blog"},
		{ID: 2, URL: "/home/alice/notes", Kind: semsearch.SourceKind("dir")},
	}, f.err
}

func (f *fake) Stats(context.Context) (semsearch.Stats, error) {
	return semsearch.Stats{Posts: len(f.posts), Chunks: 7, Sources: 1, Model: "m", Dims: 8}, f.err
}

func (f *fake) IngestURLs(_ context.Context, urls []string) (semsearch.IngestReport, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ingests = append(f.ingests, urls)
	rep := semsearch.IngestReport{Posts: 1}
	for _, u := range urls {
		rep.Sources = append(rep.Sources, semsearch.SourceReport{Source: u, Posts: 1})
	}
	return rep, nil
}

func newFake() *fake {
	when := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	return &fake{
		posts: map[string]semsearch.Post{
			"https://example.com/fsync": {ID: "https://example.com/fsync", Title: "Fsync and you", URL: "https://example.com/fsync",
				Published: when, Source: semsearch.Source{Title: "Example"}, Text: "# Fsync\n\nWrites are not durable until fsync returns. Ünïcode ✓."},
			"https://example.com/b": {ID: "https://example.com/b", Title: "B"},
		},
		results: []semsearch.Result{
			{ID: "https://example.com/fsync", Title: "Fsync and you", URL: "https://example.com/fsync", Source: "Example", Published: when, Score: 0.9,
				Passages: []semsearch.Passage{{Text: "not durable until fsync", Highlight: "not durable until <mark>fsync</mark>", Heading: "Fsync",
					Link: "https://example.com/fsync#:~:text=not%20durable%20until%20fsync"}}},
			{ID: "https://example.com/b", Title: "B", Score: 0.5},
		},
	}
}

// connect starts the server and an in-process go-sdk client on it.
func connect(t *testing.T, svc mcpserver.Services, log *slog.Logger) *mcp.ClientSession {
	t.Helper()
	ctx := t.Context()
	srv := mcpserver.New(svc, "test", log)
	ct, st := mcp.NewInMemoryTransports()
	ss, err := srv.Connect(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ss.Close() })
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "test-client", Version: "1"}, nil).Connect(ctx, ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}

func readOnly(f *fake) mcpserver.Services {
	return mcpserver.Services{Search: f, Posts: f, Status: f}
}

// call calls a tool and decodes its structured result into out; it returns
// the result for its IsError and text.
func call(t *testing.T, cs *mcp.ClientSession, name string, args map[string]any, out any) *mcp.CallToolResult {
	t.Helper()
	res, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		t.Fatalf("call %s: %v", name, err)
	}
	if out != nil && !res.IsError {
		raw, err := json.Marshal(res.StructuredContent)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s: structured content %s: %v", name, raw, err)
		}
	}
	return res
}

func textOf(res *mcp.CallToolResult) string {
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String()
}

func toolNames(t *testing.T, cs *mcp.ClientSession) map[string]*mcp.Tool {
	t.Helper()
	res, err := cs.ListTools(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	tools := map[string]*mcp.Tool{}
	for _, tool := range res.Tools {
		tools[tool.Name] = tool
	}
	return tools
}

func TestTools_Listed(t *testing.T) {
	f := newFake()
	tests := []struct {
		name string
		svc  mcpserver.Services
		want []string
	}{
		{"read only", readOnly(f), []string{"get_post", "related", "search", "similar", "stats"}},
		{"writes allowed", mcpserver.Services{Search: f, Posts: f, Status: f, Ingest: f}, []string{"get_post", "ingest", "related", "search", "similar", "stats"}},
		{"with sources", mcpserver.Services{Search: f, Posts: f, Status: f, Sources: f}, []string{"get_post", "related", "search", "similar", "sources", "stats"}},
		{"with answers", mcpserver.Services{Search: f, Answers: f, Posts: f, Status: f}, []string{"ask", "get_post", "related", "search", "similar", "stats"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tools := toolNames(t, connect(t, tc.svc, nil))
			var got []string
			for name, tool := range tools {
				got = append(got, name)
				if tool.Description == "" || tool.InputSchema == nil || tool.OutputSchema == nil {
					t.Errorf("tool %s lacks a description or a schema", name)
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Fatalf("tools %v, want %v", got, tc.want)
			}
			schema, _ := json.Marshal(tools["search"].InputSchema)
			for _, want := range []string{`"required":["query"]`, `"maximum":100`, `"enum":["hybrid","vector","lexical"]`} {
				if !bytes.Contains(schema, []byte(want)) {
					t.Errorf("search input schema %s lacks %s", schema, want)
				}
			}
			out, _ := json.Marshal(tools["search"].OutputSchema)
			for _, want := range []string{`"passages"`, `"link"`, `"published"`, `"url"`, `"source"`} {
				if !bytes.Contains(out, []byte(want)) {
					t.Errorf("search output schema lacks %s: %s", want, out)
				}
			}
		})
	}
}

func TestTools_Search(t *testing.T) {
	f := newFake()
	cs := connect(t, readOnly(f), nil)
	var got wire.SearchResponse
	res := call(t, cs, "search", map[string]any{"query": "  is a write durable?  ", "k": 3, "mode": "vector", "tag": "go", "since": "2024-01-01"}, &got)
	if res.IsError {
		t.Fatalf("search failed: %s", textOf(res))
	}
	if got.Query != "is a write durable?" || got.Mode != semsearch.ModeVector || len(got.Results) != 2 {
		t.Fatalf("search answered %+v", got)
	}
	top := got.Results[0]
	if top.Title != "Fsync and you" || top.URL == "" || top.Source != "Example" || top.Published.IsZero() ||
		len(top.Passages) != 1 || !strings.Contains(top.Passages[0].Link, "#:~:text=") {
		t.Errorf("top hit lacks what an agent needs to cite: %+v", top)
	}
	if got.Results[1].Passages == nil {
		t.Error("passages is null, want []")
	}
	q := f.queries[len(f.queries)-1]
	if q.K != 3 || q.Filter.Tag != "go" || q.Filter.Since != time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC) {
		t.Errorf("query passed on as %+v", q)
	}
	// The text content is the same JSON, for clients that ignore structure.
	if !strings.Contains(textOf(res), `"Fsync and you"`) {
		t.Errorf("text content %q", textOf(res))
	}
	call(t, cs, "search", map[string]any{"query": "x"}, nil)
	if q := f.queries[len(f.queries)-1]; q.K != semsearch.DefaultK || q.Mode != semsearch.ModeHybrid {
		t.Errorf("defaults: k %d, mode %q", q.K, q.Mode)
	}
}

func TestTools_Ask(t *testing.T) {
	f := newFake()
	cs := connect(t, mcpserver.Services{Search: f, Answers: f, Posts: f, Status: f}, nil)
	tests := []struct {
		name     string
		args     map[string]any
		answered bool
	}{
		{"answered", map[string]any{"query": " is a write durable? ", "k": 2, "tag": "go", "since": "2024-01-01"}, true},
		{"nothing answers", map[string]any{"query": "how long to proof sourdough?"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got wire.AskResponse
			res := call(t, cs, "ask", tc.args, &got)
			if res.IsError {
				t.Fatalf("ask failed: %s", textOf(res))
			}
			if got.Answered != tc.answered || got.Answer == nil || got.Results == nil || len(got.Results) != 2 {
				t.Fatalf("ask answered %+v", got)
			}
			if tc.answered {
				s := got.Answer[0]
				if s.Text == "" || s.PostID != got.Results[0].ID || !strings.HasPrefix(s.Link, s.URL+"#:~:text=") || got.Confidence != 0.8 {
					t.Errorf("answer lacks what an agent needs to cite: %+v", got)
				}
			} else if len(got.Answer) != 0 || got.Confidence != 0 {
				t.Errorf("abstained answer %+v", got)
			}
			if !strings.Contains(textOf(res), `"answered":`+strconv.FormatBool(tc.answered)) {
				t.Errorf("text content %q", textOf(res))
			}
		})
	}
	q := f.queries[0]
	if q.Text != "is a write durable?" || q.K != 2 || q.Mode != semsearch.ModeHybrid || q.Filter.Tag != "go" || q.Filter.Since.IsZero() {
		t.Errorf("query passed on as %+v", q)
	}
	if q := f.queries[1]; q.K != semsearch.DefaultK {
		t.Errorf("default k %d", q.K)
	}
}

func TestTools_Errors(t *testing.T) {
	f := newFake()
	var logs bytes.Buffer
	var mu sync.Mutex
	log := slog.New(slog.NewTextHandler(&lockedWriter{w: &logs, mu: &mu}, nil))
	cs := connect(t, mcpserver.Services{Search: f, Answers: f, Posts: f, Status: f, Ingest: f}, log)
	tests := []struct {
		tool string
		args map[string]any
		want string
	}{
		{"search", map[string]any{"query": ""}, "query"},
		{"search", map[string]any{"query": "   "}, "empty"},
		{"search", map[string]any{"query": "x", "k": 1000}, "k"},
		{"search", map[string]any{"query": "x", "mode": "magic"}, "mode"},
		{"search", map[string]any{"query": "x", "since": "last tuesday"}, "date"},
		{"search", map[string]any{"query": "x", "since": "2024-05-01", "until": "2024-01-01"}, "until is before since"},
		{"search", map[string]any{}, "query"},
		{"ask", map[string]any{"query": "  "}, "empty"},
		{"ask", map[string]any{"query": "x", "k": 0.5}, "k"},
		{"ask", map[string]any{"query": "x", "until": "soon"}, "date"},
		{"related", map[string]any{"id": "https://nope.example/"}, "no post"},
		{"similar", map[string]any{"text": " "}, "text is required"},
		{"get_post", map[string]any{"id": "https://nope.example/"}, "no post"},
		{"get_post", map[string]any{"id": "https://example.com/b", "offset": -1}, "offset"},
		{"ingest", map[string]any{"sources": []string{"/etc/passwd"}}, "sources[0]"},
		{"ingest", map[string]any{"sources": []string{}}, "sources"},
	}
	for _, tc := range tests {
		t.Run(tc.tool+" "+tc.want, func(t *testing.T) {
			res := call(t, cs, tc.tool, tc.args, nil)
			if !res.IsError || !strings.Contains(textOf(res), tc.want) {
				t.Fatalf("%s %v: error %v, text %q; want an error naming %q", tc.tool, tc.args, res.IsError, textOf(res), tc.want)
			}
		})
	}
	if len(f.ingests) != 0 {
		t.Errorf("refused ingests reached the service: %v", f.ingests)
	}

	// An internal error shows no details; they are logged.
	f.err = semsearch.Errorf(semsearch.EInternal, "db at /var/secret broke")
	res := call(t, cs, "search", map[string]any{"query": "x"}, nil)
	if !res.IsError || strings.Contains(textOf(res), "secret") || !strings.Contains(textOf(res), "internal error") {
		t.Fatalf("internal error shown as %q", textOf(res))
	}
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(logs.String(), "/var/secret broke") {
		t.Errorf("internal error not logged: %s", logs.String())
	}
}

type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestTools_GetPost(t *testing.T) {
	f := newFake()
	cs := connect(t, readOnly(f), nil)
	full := f.posts["https://example.com/fsync"].Text
	runes := []rune(full)
	tests := []struct {
		name           string
		offset, length int
		want           string
		more           bool
	}{
		{"whole", 0, 0, full, false},
		{"head", 0, 7, string(runes[:7]), true},
		{"middle, multibyte", len(runes) - 12, 4, string(runes[len(runes)-12 : len(runes)-8]), true},
		{"tail", len(runes) - 3, 10, string(runes[len(runes)-3:]), false},
		{"past the end", len(runes) + 5, 10, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got mcpserver.PostOutput
			res := call(t, cs, "get_post", map[string]any{"id": "https://example.com/fsync", "offset": tc.offset, "length": tc.length}, &got)
			if res.IsError {
				t.Fatal(textOf(res))
			}
			if got.ID != "https://example.com/fsync" || got.Title != "Fsync and you" || got.Source != "Example" || got.Published.IsZero() {
				t.Errorf("post fields %+v", got.PostResponse)
			}
			if got.Text != tc.want || got.More != tc.more || got.TotalChars != len(runes) || got.Offset != tc.offset {
				t.Errorf("text %q more %v total %d offset %d; want %q more %v total %d", got.Text, got.More, got.TotalChars, got.Offset, tc.want, tc.more, len(runes))
			}
		})
	}
}

func TestTools_RelatedSimilarStatsIngest(t *testing.T) {
	f := newFake()
	cs := connect(t, mcpserver.Services{Search: f, Posts: f, Status: f, Ingest: f}, nil)
	var rel wire.RelatedResponse
	if res := call(t, cs, "related", map[string]any{"id": "https://example.com/fsync", "k": 2}, &rel); res.IsError || rel.ID != "https://example.com/fsync" || len(rel.Results) != 1 {
		t.Errorf("related: %v %q %+v", res.IsError, textOf(res), rel)
	}
	var sim wire.SimilarResponse
	if res := call(t, cs, "similar", map[string]any{"text": "durable writes"}, &sim); res.IsError || len(sim.Results) != 2 {
		t.Errorf("similar: %v %q %+v", res.IsError, textOf(res), sim)
	}
	var st semsearch.Stats
	if res := call(t, cs, "stats", nil, &st); res.IsError || st.Posts != 2 || st.Dims != 8 {
		t.Errorf("stats: %v %q %+v", res.IsError, textOf(res), st)
	}
	var rep semsearch.IngestReport
	if res := call(t, cs, "ingest", map[string]any{"sources": []string{" https://blog.example/feed.xml "}}, &rep); res.IsError || rep.Posts != 1 {
		t.Errorf("ingest: %v %q %+v", res.IsError, textOf(res), rep)
	}
	if len(f.ingests) != 1 || f.ingests[0][0] != "https://blog.example/feed.xml" {
		t.Errorf("ingested %v", f.ingests)
	}
}

// TestHTTPHandler_Guards: on its own (HostChecked false) the handler
// refuses a non-loopback Host on a loopback listener (DNS rebinding) and a
// cross-site browser request; a plain loopback request initializes.
func TestHTTPHandler_Guards(t *testing.T) {
	for _, checked := range []bool{false, true} {
		ts := httptest.NewServer(mcpserver.New(readOnly(newFake()), "test", nil).HTTPHandler(mcpserver.HTTPOptions{HostChecked: checked}))
		t.Cleanup(ts.Close)
		tests := []struct {
			name    string
			headers map[string]string
			status  int
		}{
			{"loopback", nil, http.StatusOK},
			{"rebinding Host", map[string]string{"Host": "evil.example.com"}, map[bool]int{false: http.StatusForbidden, true: http.StatusOK}[checked]},
			{"cross-site", map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		}
		for _, tc := range tests {
			t.Run(fmt.Sprintf("%s, host checked %v", tc.name, checked), func(t *testing.T) {
				body := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`
				req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, ts.URL, strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Accept", "application/json, text/event-stream")
				for k, v := range tc.headers {
					if k == "Host" {
						req.Host = v
						continue
					}
					req.Header.Set(k, v)
				}
				resp, err := ts.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != tc.status {
					t.Errorf("status %d, want %d", resp.StatusCode, tc.status)
				}
			})
		}
	}
}

func TestRuneRange(t *testing.T) {
	tests := []struct {
		s              string
		offset, length int
		want           string
		total          int
		more           bool
	}{
		{"", 0, 5, "", 0, false},
		{"héllo", 0, 5, "héllo", 5, false},
		{"héllo", 1, 2, "él", 5, true},
		{"héllo", 4, 9, "o", 5, false},
		{"héllo", 5, 1, "", 5, false},
		{"✓✓✓", 2, 1, "✓", 3, false},
	}
	for _, tc := range tests {
		got, total, more := mcpserver.RuneRange(tc.s, tc.offset, tc.length)
		if got != tc.want || total != tc.total || more != tc.more {
			t.Errorf("RuneRange(%q, %d, %d) = %q %d %v, want %q %d %v", tc.s, tc.offset, tc.length, got, total, more, tc.want, tc.total, tc.more)
		}
	}
}

// TestTools_Sources: the sources tool lists the subscriptions as the API
// does, with credentials redacted and local paths shortened.
func TestTools_Sources(t *testing.T) {
	f := newFake()
	cs := connect(t, mcpserver.Services{Search: f, Posts: f, Status: f, Sources: f}, nil)
	var got wire.SourcesResponse
	if res := call(t, cs, "sources", map[string]any{}, &got); res.IsError {
		t.Fatalf("sources: %s", textOf(res))
	}
	if len(got.Sources) != 2 {
		t.Fatalf("sources: %+v", got)
	}
	raw, _ := json.Marshal(got)
	if strings.Contains(string(raw), "hunter2") || strings.Contains(string(raw), "/home/alice") {
		t.Errorf("sources leak a secret or a local path: %s", raw)
	}
	if !strings.Contains(got.Sources[0].URL, "blog.example.com/feed.xml") {
		t.Errorf("first source URL %q", got.Sources[0].URL)
	}
}
