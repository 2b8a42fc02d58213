package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/semsearch/semsearch/internal/testenv"
	"github.com/semsearch/semsearch/mcpserver"
	"github.com/semsearch/semsearch/wire"
)

// The seed question and the post that answers it.
const (
	mcpQuery     = "when the row is too big for a single B-tree page"
	mcpWantTitle = "SQLite Overflow Pages"
)

var readTools = []string{"ask", "get_post", "related", "search", "similar", "sources", "stats"}

// mcpResult is what each client reports: the tools, the search, the post
// read back and the answer.
type mcpResult struct {
	Server string               `json:"server"`
	Tools  []string             `json:"tools"`
	Search wire.SearchResponse  `json:"search"`
	Post   mcpserver.PostOutput `json:"post"`
	Ask    wire.AskResponse     `json:"ask"`
}

// check fails t unless the client found the right post, read it and got
// an answer quoted from it.
func (r mcpResult) check(t *testing.T, who string) {
	t.Helper()
	if r.Server != mcpserver.Name || !slices.Equal(r.Tools, readTools) {
		t.Errorf("%s: server %q, tools %v; want %q and %v", who, r.Server, r.Tools, mcpserver.Name, readTools)
	}
	if len(r.Search.Results) == 0 {
		t.Fatalf("%s: search %q found nothing", who, mcpQuery)
	}
	top := r.Search.Results[0]
	if !strings.Contains(top.Title, mcpWantTitle) || top.URL == "" || len(top.Passages) == 0 || top.Passages[0].Text == "" {
		t.Errorf("%s: top hit %q (%s, %d passages), want %q with passages", who, top.Title, top.URL, len(top.Passages), mcpWantTitle)
	}
	if r.Post.ID != top.ID || r.Post.Title != top.Title || r.Post.Text == "" || r.Post.TotalChars == 0 {
		t.Errorf("%s: get_post %q gave id %q, title %q, %d characters of %d", who, top.ID, r.Post.ID, r.Post.Title, len([]rune(r.Post.Text)), r.Post.TotalChars)
	}
	if a := r.Ask; !a.Answered || len(a.Answer) == 0 || a.Query != mcpQuery || len(a.Results) == 0 {
		t.Errorf("%s: ask %q: answered %v, %d sentences, %d results", who, mcpQuery, a.Answered, len(a.Answer), len(a.Results))
	} else if s := a.Answer[0]; !strings.Contains(s.Title, mcpWantTitle) || s.PostID != r.Post.ID || s.Text == "" || !strings.HasPrefix(s.Link, s.URL+"#:~:text=") {
		t.Errorf("%s: first answer sentence %+v: want one quoted from %q with a link to it", who, s, mcpWantTitle)
	}
}

// goClient drives a session with the go-sdk client the way the Python
// script does.
func goClient(t *testing.T, ctx context.Context, tr mcp.Transport) mcpResult {
	t.Helper()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "semsearch-test", Version: "1"}, nil).Connect(ctx, tr, nil)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer cs.Close()
	var r mcpResult
	r.Server = cs.InitializeResult().ServerInfo.Name
	tools, err := cs.ListTools(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tool := range tools.Tools {
		r.Tools = append(r.Tools, tool.Name)
	}
	slices.Sort(r.Tools)
	structured := func(name string, args map[string]any, out any) {
		res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: name, Arguments: args})
		if err != nil || res.IsError {
			t.Fatalf("%s: %v %+v", name, err, res)
		}
		raw, _ := json.Marshal(res.StructuredContent)
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s: %s: %v", name, raw, err)
		}
	}
	structured("search", map[string]any{"query": mcpQuery, "k": 3}, &r.Search)
	if len(r.Search.Results) > 0 {
		structured("get_post", map[string]any{"id": r.Search.Results[0].ID, "length": 2000}, &r.Post)
	}
	structured("ask", map[string]any{"query": mcpQuery, "k": 3}, &r.Ask)
	return r
}

// pythonClient runs testdata/mcp_client.py (the official Python SDK).
func pythonClient(t *testing.T, env []string, args ...string) mcpResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "python3", append([]string{filepath.Join("testdata", "mcp_client.py")}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python mcp client %v: %v\n%s", args[0], err, stderr.String())
	}
	var r mcpResult
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("python mcp client printed %.500s: %v", out, err)
	}
	return r
}

func havePythonMCP(t *testing.T) {
	t.Helper()
	err := exec.Command("python3", "-c", "import mcp, httpx2").Run()
	testenv.Need(t, err == nil, "the Python MCP SDK is missing: pip install mcp==2.3.0 (%v)", err)
}

// TestMCP_RealClients serves the seeds to real MCP clients: the go-sdk
// client and the official Python SDK, each over stdio (spawning `semsearch
// mcp`) and over streamable HTTP (`semsearch serve`, with an API key); each
// initializes, lists the tools, searches and reads the post that answers.
func TestMCP_RealClients(t *testing.T) {
	seeds := testenv.Shared(t, "seeds")
	env := []string{"SEMSEARCH_DATA=" + t.TempDir(), "SEMSEARCH_MODELS=" + modelsDir(t)}
	cli(t, env, 0, "ingest", "--json", seeds)

	t.Run("go-sdk over stdio", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
		defer cancel()
		cmd := exec.Command(binPath, "mcp")
		cmd.Env = append(os.Environ(), env...)
		goClient(t, ctx, &mcp.CommandTransport{Command: cmd}).check(t, "go-sdk stdio")
	})
	t.Run("python over stdio", func(t *testing.T) {
		havePythonMCP(t)
		pythonClient(t, env, "stdio", mcpQuery, binPath, "mcp").check(t, "python stdio")
	})

	const key = "mcp-test-key"
	srv := startServer(t, env, "--api-key", key)
	t.Run("go-sdk over HTTP", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
		defer cancel()
		client := specClient(t)
		client.Transport = bearer{key: key, base: client.Transport}
		goClient(t, ctx, &mcp.StreamableClientTransport{Endpoint: srv.URL + "/mcp", HTTPClient: client}).check(t, "go-sdk http")
	})
	t.Run("python over HTTP", func(t *testing.T) {
		havePythonMCP(t)
		pythonClient(t, env, "http", mcpQuery, srv.URL+"/mcp", key).check(t, "python http")
	})
	// Without the key /mcp is refused like any write endpoint.
	do(t, "POST", srv.URL+"/mcp", map[string]any{"jsonrpc": "2.0", "id": 1, "method": "tools/list"}, http.StatusUnauthorized, nil)
}

// bearer adds the API key to every request.
type bearer struct {
	key  string
	base http.RoundTripper
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.key)
	return b.base.RoundTrip(r)
}
