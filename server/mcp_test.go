package server_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/semsearch/semsearch/mcpserver"
	"github.com/semsearch/semsearch/openapi/openapitest"
	"github.com/semsearch/semsearch/server"
	"github.com/semsearch/semsearch/wire"
)

// mcpServer serves the fake service's API with /mcp on a loopback port.
func mcpServer(t *testing.T, cfg server.Config) (*harness, *httptest.Server) {
	t.Helper()
	h := newHarness(t, cfg)
	svc := h.svc.Services()
	svc.MCP = mcpserver.New(mcpserver.Services{Search: h.svc, Posts: h.svc, Status: h.svc}, "test", nil).HTTPHandler(mcpserver.HTTPOptions{HostChecked: true})
	srv, err := server.New(server.Config{Addr: "127.0.0.1:0", APIKey: cfg.APIKey}, svc, nil)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return h, ts
}

// keyTransport adds headers to every request.
type keyTransport struct {
	base   http.RoundTripper
	header http.Header
}

func (k keyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	for name, v := range k.header {
		r.Header[name] = v
	}
	return k.base.RoundTrip(r)
}

// TestMCP_HTTP drives /mcp with the go-sdk client over HTTP (every exchange
// checked against the OpenAPI document): initialize, list the tools, search
// and read the top post.
func TestMCP_HTTP(t *testing.T) {
	for _, key := range []string{"", testKey} {
		t.Run("key="+key, func(t *testing.T) {
			_, ts := mcpServer(t, server.Config{APIKey: key})
			hdr := http.Header{}
			if key != "" {
				hdr.Set("Authorization", "Bearer "+key)
			}
			client := &http.Client{Transport: keyTransport{
				base:   &openapitest.Transport{T: t, V: openapitest.MustLoad(t)},
				header: hdr,
			}}
			ctx := t.Context()
			cs, err := mcp.NewClient(&mcp.Implementation{Name: "test", Version: "1"}, nil).
				Connect(ctx, &mcp.StreamableClientTransport{Endpoint: ts.URL + "/mcp", HTTPClient: client}, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer cs.Close()
			if got := cs.InitializeResult().ServerInfo.Name; got != mcpserver.Name {
				t.Errorf("server name %q", got)
			}
			tools, err := cs.ListTools(ctx, nil)
			if err != nil || len(tools.Tools) != 5 {
				t.Fatalf("tools %v, %v; want the 5 read tools", tools, err)
			}
			res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "search", Arguments: map[string]any{"query": "fsync"}})
			if err != nil || res.IsError {
				t.Fatalf("search: %v %+v", err, res)
			}
			var found wire.SearchResponse
			raw, _ := json.Marshal(res.StructuredContent)
			if err := json.Unmarshal(raw, &found); err != nil || len(found.Results) == 0 {
				t.Fatalf("search result %s: %v", raw, err)
			}
			res, err = cs.CallTool(ctx, &mcp.CallToolParams{Name: "get_post", Arguments: map[string]any{"id": found.Results[0].ID}})
			if err != nil || res.IsError {
				t.Fatalf("get_post: %v %+v", err, res)
			}
			var post mcpserver.PostOutput
			raw, _ = json.Marshal(res.StructuredContent)
			if err := json.Unmarshal(raw, &post); err != nil || post.Title != "Fsync and you" || !strings.Contains(post.Text, "durable") {
				t.Fatalf("get_post %s: %v", raw, err)
			}
		})
	}
}

// TestMCP_Guard: /mcp needs the key when one is set, a loopback Host when
// none is, and refuses other origins (DNS rebinding, a page in a browser).
func TestMCP_Guard(t *testing.T) {
	initialize := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`
	accept := "application/json, text/event-stream"
	tests := []struct {
		name    string
		key     string
		headers []string
		status  int
	}{
		{"loopback, no key configured", "", nil, http.StatusOK},
		{"other Host, no key configured", "", []string{"Host", "evil.example.com"}, http.StatusForbidden},
		{"rebinding Host with a port", "", []string{"Host", "evil.example.com:8080"}, http.StatusForbidden},
		{"foreign Origin", "", []string{"Origin", "https://evil.example.com"}, http.StatusForbidden},
		{"cross-site fetch", "", []string{"Sec-Fetch-Site", "cross-site"}, http.StatusForbidden},
		{"own Origin", "", []string{"Origin", "http://127.0.0.1:8080"}, http.StatusOK},
		{"key configured, none sent", testKey, nil, http.StatusUnauthorized},
		{"wrong key", testKey, []string{"Authorization", "Bearer nope"}, http.StatusUnauthorized},
		{"bearer key", testKey, []string{"Authorization", "Bearer " + testKey}, http.StatusOK},
		{"X-API-Key", testKey, []string{"X-API-Key", testKey}, http.StatusOK},
		{"key, any Host (a reverse proxy)", testKey, []string{"X-API-Key", testKey, "Host", "search.example.com"}, http.StatusOK},
		{"key, foreign Origin", testKey, []string{"X-API-Key", testKey, "Origin", "https://evil.example.com"}, http.StatusForbidden},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, server.Config{APIKey: tc.key})
			svc := h.svc.Services()
			svc.MCP = mcpserver.New(mcpserver.Services{Search: h.svc, Posts: h.svc, Status: h.svc}, "test", nil).HTTPHandler(mcpserver.HTTPOptions{HostChecked: true})
			srv, err := server.New(server.Config{Addr: "127.0.0.1:0", APIKey: tc.key}, svc, nil)
			if err != nil {
				t.Fatal(err)
			}
			h.srv = srv
			rec := h.do(t, http.MethodPost, "/mcp", initialize, append([]string{"Accept", accept}, tc.headers...)...)
			wantStatus(t, rec, tc.status)
			if tc.status == http.StatusOK && !strings.Contains(rec.Body.String(), `"serverInfo"`) {
				t.Errorf("initialize answered %s", rec.Body.String())
			}
		})
	}
}
