package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/semsearch/semsearch/server"
	"github.com/semsearch/semsearch/server/servertest"
)

const blog = "https://blog.example.org"

// TestServer_CORS checks that allowed origins may call the read endpoints
// from a browser, other origins and write endpoints get no CORS headers,
// and nothing changes when no origin is configured.
func TestServer_CORS(t *testing.T) {
	on := newHarness(t, server.Config{CORSOrigins: []string{"https://Blog.example.org:443", "http://127.0.0.1:4000"}})
	off := newHarness(t, server.Config{})
	tests := []struct {
		name         string
		h            *harness
		method, path string
		body         string
		headers      []string
		status       int
		allowOrigin  string // "" means: no Access-Control-Allow-Origin
		allowMethods bool   // a preflight answer listing GET, HEAD, POST
	}{
		{"search from the blog", on, "GET", "/api/search?q=fsync", "", []string{"Origin", blog}, 200, blog, false},
		{"search from a loopback blog", on, "GET", "/api/search?q=fsync", "", []string{"Origin", "http://127.0.0.1:4000"}, 200, "http://127.0.0.1:4000", false},
		{"post", on, "GET", "/api/posts/https:%2F%2Fexample.com%2Fa", "", []string{"Origin", blog}, 200, blog, false},
		{"related", on, "GET", "/api/posts/https:%2F%2Fexample.com%2Fa/related", "", []string{"Origin", blog}, 200, blog, false},
		{"stats", on, "GET", "/api/stats", "", []string{"Origin", blog}, 200, blog, false},
		{"similar", on, "POST", "/api/similar", `{"text":"fsync","k":2}`, []string{"Origin", blog}, 200, blog, false},
		{"similar preflight", on, "OPTIONS", "/api/similar", "", []string{"Origin", blog, "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "content-type"}, 204, blog, true},
		{"an error answer keeps CORS", on, "GET", "/api/search?q=", "", []string{"Origin", blog}, 400, blog, false},

		{"another origin", on, "GET", "/api/search?q=fsync", "", []string{"Origin", "https://evil.example"}, 200, "", false},
		{"a look-alike subdomain", on, "GET", "/api/search?q=fsync", "", []string{"Origin", "https://evil.blog.example.org"}, 200, "", false},
		{"another scheme", on, "GET", "/api/search?q=fsync", "", []string{"Origin", "http://blog.example.org"}, 200, "", false},
		{"another origin's preflight", on, "OPTIONS", "/api/similar", "", []string{"Origin", "https://evil.example", "Access-Control-Request-Method", "POST"}, 204, "", false},

		{"ingest (write)", on, "POST", "/api/ingest", `{"sources":["https://example.com/feed"]}`, []string{"Origin", blog}, 200, "", false},
		{"ingest preflight", on, "OPTIONS", "/api/ingest", "", []string{"Origin", blog, "Access-Control-Request-Method", "POST"}, 204, "", false},
		{"delete (write)", on, "DELETE", "/api/posts/https:%2F%2Fexample.com%2Fb", "", []string{"Origin", blog}, 200, "", false},
		{"delete preflight", on, "OPTIONS", "/api/posts/https:%2F%2Fexample.com%2Fb", "", []string{"Origin", blog, "Access-Control-Request-Method", "DELETE"}, 204, "", false},
		{"embeddings (write)", on, "POST", "/v1/embeddings", `{"input":"x"}`, []string{"Origin", blog}, 200, "", false},

		{"off by default", off, "GET", "/api/search?q=fsync", "", []string{"Origin", blog}, 200, "", false},
		{"off: preflight", off, "OPTIONS", "/api/similar", "", []string{"Origin", blog, "Access-Control-Request-Method", "POST"}, 204, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := tt.h.do(t, tt.method, tt.path, tt.body, tt.headers...)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d; body %s", rec.Code, tt.status, rec.Body.String())
			}
			if got := rec.Header().Get("Access-Control-Allow-Origin"); got != tt.allowOrigin {
				t.Errorf("Access-Control-Allow-Origin %q, want %q", got, tt.allowOrigin)
			}
			if rec.Header().Get("Access-Control-Allow-Credentials") != "" {
				t.Error("credentials allowed")
			}
			methods := rec.Header().Get("Access-Control-Allow-Methods")
			if tt.allowMethods != (methods != "") {
				t.Errorf("Access-Control-Allow-Methods %q", methods)
			}
			if strings.Contains(methods, "DELETE") {
				t.Errorf("a preflight allows DELETE: %q", methods)
			}
			if tt.allowOrigin != "" && !strings.Contains(strings.Join(rec.Header().Values("Vary"), ","), "Origin") {
				t.Errorf("Vary %q lacks Origin", rec.Header().Values("Vary"))
			}
		})
	}
}

func TestNew_CORSOrigins(t *testing.T) {
	tests := []struct {
		origins []string
		ok      bool
	}{
		{nil, true},
		{[]string{"https://blog.example.org", "http://localhost:1313"}, true},
		{[]string{"*"}, true},
		{[]string{"https://blog.example.org/"}, true},
		{[]string{"*", "https://blog.example.org"}, false},
		{[]string{"blog.example.org"}, false},
		{[]string{"https://blog.example.org/path"}, false},
		{[]string{"ftp://blog.example.org"}, false},
		{[]string{"https://user@blog.example.org"}, false},
		{[]string{"https://blog.example.org?x=1"}, false},
	}
	for _, tt := range tests {
		_, err := server.New(server.Config{Addr: "127.0.0.1:0", CORSOrigins: tt.origins}, (&servertest.Service{}).Services(), nil)
		if (err == nil) != tt.ok {
			t.Errorf("New with CORS origins %q: error %v, want ok=%v", tt.origins, err, tt.ok)
		}
	}
	// "*" allows any origin.
	any := newHarness(t, server.Config{CORSOrigins: []string{"*"}})
	if got := any.do(t, http.MethodGet, "/api/stats", "", "Origin", "https://anywhere.example").Header().Get("Access-Control-Allow-Origin"); got != "*" {
		t.Errorf("with *: Access-Control-Allow-Origin %q", got)
	}
}
