package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/openapi/openapitest"
	"github.com/semsearch/semsearch/server"
	"github.com/semsearch/semsearch/server/servertest"
	"github.com/semsearch/semsearch/wire"
)

const testKey = "s3cret-key"

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type harness struct {
	srv  *server.Server
	svc  *servertest.Service
	logs *syncBuffer
	// offSpec turns off the OpenAPI check, for tests that make the fake
	// service fail in ways the real one cannot on that route (to test the
	// error mapping itself).
	offSpec bool
}

// newHarness builds a server on a fake service with sample posts; cfg.Addr
// defaults to a loopback address.
func newHarness(t testing.TB, cfg server.Config) *harness {
	t.Helper()
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	svc := &servertest.Service{
		Posts: map[string]semsearch.Post{
			"https://example.com/a": {
				ID: "https://example.com/a", Title: "Fsync and you", URL: "https://example.com/a",
				Authors: []string{"Ann", "Bob"}, Published: time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC),
				Source: semsearch.Source{Title: "Example Blog", URL: "https://example.com/feed"},
				Text:   "# Fsync\n\nWrites are not durable until fsync returns.",
			},
			"https://example.com/b": {ID: "https://example.com/b", Title: "B", Source: semsearch.Source{URL: "https://example.com/feed"}},
			"100% a b/c?d#e":        {ID: "100% a b/c?d#e", Title: "odd id"},
		},
		Results: []semsearch.Result{
			{ID: "https://example.com/a", Title: "Fsync and you", URL: "https://example.com/a", Source: "Example Blog", Score: 0.9,
				Passages: []semsearch.Passage{{Text: "not durable until fsync", Highlight: "not durable until <mark>fsync</mark>", Heading: "Fsync"}}},
			{ID: "https://example.com/b", Title: "B", Score: 0.5},
		},
		RelatedTo: map[string][]semsearch.Result{
			"https://example.com/a": {{ID: "https://example.com/b", Title: "B", Score: 0.7}},
		},
	}
	logs := &syncBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv, err := server.New(cfg, svc.Services(), log)
	if err != nil {
		t.Fatalf("server.New: %v", err)
	}
	return &harness{srv: srv, svc: svc, logs: logs}
}

// do sends one request to the handler. A non-empty body is sent as JSON
// unless headers set another Content-Type.
func (h *harness) do(t testing.TB, method, target, body string, headers ...string) *httptest.ResponseRecorder {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, r)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Host = "127.0.0.1:8080" // as a local client would send
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i] == "Host" {
			req.Host = headers[i+1]
			continue
		}
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	h.srv.Handler().ServeHTTP(rec, req)
	// Every exchange must match the OpenAPI document.
	if h.offSpec {
		return rec
	}
	if err := openapitest.MustLoad(t).Check(req, []byte(body), rec.Code, rec.Header(), rec.Body.Bytes()); err != nil {
		t.Errorf("openapi: %v", err)
	}
	return rec
}

// errorOf decodes an error response, failing the test if the body is not
// exactly {"error":{"code","message"}}.
func errorOf(t testing.TB, rec *httptest.ResponseRecorder) wire.ErrorDetail {
	t.Helper()
	var raw map[string]map[string]string
	if err := json.Unmarshal(rec.Body.Bytes(), &raw); err != nil {
		t.Fatalf("error body %q is not JSON: %v", rec.Body.String(), err)
	}
	e, ok := raw["error"]
	if !ok || len(raw) != 1 || e["code"] == "" || e["message"] == "" || len(e) != 2 {
		t.Fatalf("error body %q is not {\"error\":{\"code\",\"message\"}}", rec.Body.String())
	}
	return wire.ErrorDetail{Code: e["code"], Message: e["message"]}
}

func decode[T any](t *testing.T, rec *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("body %q: %v", rec.Body.String(), err)
	}
	return v
}

func wantStatus(t *testing.T, rec *httptest.ResponseRecorder, status int) {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status %d, want %d; body %s", rec.Code, status, rec.Body.String())
	}
}

var (
	_ server.Searcher  = (*servertest.Service)(nil)
	_ server.PostStore = (*servertest.Service)(nil)
	_ server.Ingester  = (*servertest.Service)(nil)
	_ server.Status    = (*servertest.Service)(nil)
)
