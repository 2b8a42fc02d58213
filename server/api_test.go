package server_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/server"
	"github.com/semsearch/semsearch/wire"
)

// TestServer_IngestAllFailed: when no source could be ingested the status
// says so (502), and the body is both the report and the error shape.
func TestServer_IngestAllFailed(t *testing.T) {
	h := newHarness(t, server.Config{APIKey: testKey})
	h.svc.IngestFunc = func(_ context.Context, sources []string) (semsearch.IngestReport, error) {
		var rep semsearch.IngestReport
		for _, s := range sources {
			rep.Sources = append(rep.Sources, semsearch.SourceReport{Source: s, Error: "fetch: connection refused"})
		}
		return rep, nil
	}
	rec := h.do(t, http.MethodPost, "/api/ingest", `{"sources":["https://a.example/feed","https://b.example/feed"]}`, "Authorization", "Bearer "+testKey)
	wantStatus(t, rec, http.StatusBadGateway)
	got := decode[wire.IngestFailure](t, rec)
	if e := got.Error; e.Code != semsearch.EUpstream || !strings.Contains(e.Message, "connection refused") {
		t.Errorf("error %+v", e)
	}
	if len(got.Sources) != 2 || got.Sources[1].Error == "" {
		t.Errorf("report %+v", got.IngestReport)
	}
	// One source of two failing is still a success.
	h.svc.IngestFunc = func(_ context.Context, sources []string) (semsearch.IngestReport, error) {
		return semsearch.IngestReport{Sources: []semsearch.SourceReport{{Source: sources[0], Posts: 1}, {Source: sources[1], Error: "boom"}}, Posts: 1}, nil
	}
	rec = h.do(t, http.MethodPost, "/api/ingest", `{"sources":["https://a.example/feed","https://b.example/feed"]}`, "Authorization", "Bearer "+testKey)
	wantStatus(t, rec, http.StatusOK)
}

func TestServer_Ingest(t *testing.T) {
	auth := []string{"Authorization", "Bearer " + testKey}
	tests := []struct {
		name    string
		body    string
		headers []string
		status  int
	}{
		{"ok", `{"sources":["https://example.com/feed.xml","https://example.com/b"]}`, auth, 200},
		{"no key", `{"sources":["https://example.com/feed.xml"]}`, nil, 401},
		{"empty list", `{"sources":[]}`, auth, 400},
		{"missing field", `{}`, auth, 400},
		{"blank source", `{"sources":["  "]}`, auth, 400},
		{"stdin", `{"sources":["-"]}`, auth, 400},
		{"unknown field", `{"sources":["x"],"force":true}`, auth, 400},
		{"wrong type", `{"sources":"x"}`, auth, 400},
		{"invalid json", `{"sources":[`, auth, 400},
		{"trailing data", `{"sources":["x"]} {}`, auth, 400},
		{"too many", `{"sources":[` + strings.Repeat(`"x",`, 100) + `"x"]}`, auth, 400},
		{"wrong content type", `{"sources":["x"]}`, append([]string{"Content-Type", "text/plain"}, auth...), 400},
		{"form content type", `sources=x`, append([]string{"Content-Type", "application/x-www-form-urlencoded"}, auth...), 400},
		{"json with charset", `{"sources":["https://example.com/x"]}`, append([]string{"Content-Type", "application/json; charset=utf-8"}, auth...), 200},
		{"a path", `{"sources":["/etc/passwd"]}`, auth, 400},
		{"another scheme", `{"sources":["file:///etc/passwd"]}`, auth, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, server.Config{APIKey: testKey})
			rec := h.do(t, http.MethodPost, "/api/ingest", tt.body, tt.headers...)
			wantStatus(t, rec, tt.status)
			if tt.status != 200 {
				e := errorOf(t, rec)
				if tt.status == 400 && e.Code != "invalid" {
					t.Errorf("code %q", e.Code)
				}
				if h.svc.LastCall().Method == "Ingest" {
					t.Error("service called")
				}
				return
			}
			rep := decode[semsearch.IngestReport](t, rec)
			if rep.Posts == 0 || len(rep.Sources) == 0 || rep.Sources[0].Source == "" {
				t.Errorf("report %+v", rep)
			}
			body := decode[map[string]any](t, rec)
			for _, k := range []string{"sources", "posts", "chunks"} {
				if _, ok := body[k]; !ok {
					t.Errorf("missing %q in %s", k, rec.Body.String())
				}
			}
		})
	}
}

func TestServer_BodyLimit(t *testing.T) {
	h := newHarness(t, server.Config{APIKey: testKey, BodyLimit: "1K"})
	big := `{"sources":["` + strings.Repeat("a", 2000) + `"]}`
	// Declared length over the limit.
	rec := h.do(t, http.MethodPost, "/api/ingest", big, "X-API-Key", testKey)
	wantStatus(t, rec, http.StatusRequestEntityTooLarge)
	if e := errorOf(t, rec); e.Code != "too_large" {
		t.Errorf("code %q", e.Code)
	}
	// Unknown length (chunked): the limit trips while decoding.
	req := httptest.NewRequest(http.MethodPost, "/api/similar", struct{ *strings.Reader }{strings.NewReader(`{"text":"` + strings.Repeat("a", 2000) + `"}`)})
	req.ContentLength = -1
	req.Header.Set("Content-Type", "application/json")
	rec = httptest.NewRecorder()
	h.srv.Handler().ServeHTTP(rec, req)
	wantStatus(t, rec, http.StatusRequestEntityTooLarge)
	errorOf(t, rec)
}

func TestServer_Similar(t *testing.T) {
	h := newHarness(t, server.Config{})
	rec := h.do(t, http.MethodPost, "/api/similar", `{"text":"  fsync durability  ","k":1}`)
	wantStatus(t, rec, 200)
	resp := decode[wire.SimilarResponse](t, rec)
	if len(resp.Results) != 1 {
		t.Errorf("results %+v", resp.Results)
	}
	if c := h.svc.LastCall(); c.Text != "fsync durability" || c.K != 1 {
		t.Errorf("call %+v", c)
	}
	rec = h.do(t, http.MethodPost, "/api/similar", `{"text":"x"}`)
	wantStatus(t, rec, 200)
	if k := h.svc.LastCall().K; k != 10 {
		t.Errorf("default k %d", k)
	}
	for _, body := range []string{`{}`, `{"text":""}`, `{"text":"x","k":-1}`, `{"text":"x","k":101}`, `{"text":"x","k":"5"}`, `[]`, `not json`} {
		rec := h.do(t, http.MethodPost, "/api/similar", body)
		wantStatus(t, rec, 400)
		if e := errorOf(t, rec); e.Code != "invalid" {
			t.Errorf("%s: code %q", body, e.Code)
		}
	}
}

func TestServer_StatsAndHealth(t *testing.T) {
	h := newHarness(t, server.Config{})
	rec := h.do(t, http.MethodGet, "/api/stats", "")
	wantStatus(t, rec, 200)
	st := decode[map[string]any](t, rec)
	for _, k := range []string{"posts", "chunks", "sources", "model", "dims"} {
		if _, ok := st[k]; !ok {
			t.Errorf("stats lacks %q: %s", k, rec.Body.String())
		}
	}
	rec = h.do(t, http.MethodGet, "/healthz", "")
	wantStatus(t, rec, 200)
	if strings.TrimSpace(rec.Body.String()) != `{"status":"ok"}` {
		t.Errorf("healthz %s", rec.Body.String())
	}
	rec = h.do(t, http.MethodGet, "/readyz", "")
	wantStatus(t, rec, 200)

	// Not ready: 503, the internal reason logged but not shown; healthz
	// still answers.
	h.svc.ReadyFunc = func(context.Context) error { return errors.New("open /secret/path/index.db: locked") }
	rec = h.do(t, http.MethodGet, "/readyz", "")
	wantStatus(t, rec, 503)
	if e := errorOf(t, rec); e.Code != "unavailable" || strings.Contains(e.Message, "secret") {
		t.Errorf("error %+v", e)
	}
	if !strings.Contains(h.logs.String(), "/secret/path/index.db") {
		t.Error("readiness failure not logged")
	}
	h.svc.ReadyFunc = func(context.Context) error {
		return semsearch.Errorf(semsearch.EUnavailable, "model weights missing: run make model")
	}
	rec = h.do(t, http.MethodGet, "/readyz", "")
	wantStatus(t, rec, 503)
	if e := errorOf(t, rec); !strings.Contains(e.Message, "make model") {
		t.Errorf("caller-safe reason not shown: %+v", e)
	}
	h.svc.Err = errors.New("everything is broken")
	rec = h.do(t, http.MethodGet, "/healthz", "")
	wantStatus(t, rec, 200)
}

// TestServer_ErrorMapping checks each error kind from the service maps to
// its status, and internal details never reach the caller.
func TestServer_ErrorMapping(t *testing.T) {
	tests := []struct {
		err    error
		status int
		code   string
		msg    string
	}{
		{semsearch.Errorf(semsearch.EInvalid, "bad thing"), 400, "invalid", "bad thing"},
		{semsearch.Errorf(semsearch.ENotFound, "no such post"), 404, "not_found", "no such post"},
		{semsearch.Errorf(semsearch.EConflict, "busy"), 409, "conflict", "busy"},
		{semsearch.Errorf(semsearch.ETooLarge, "too big"), 413, "too_large", "too big"},
		{semsearch.Errorf(semsearch.EUnavailable, "warming up"), 503, "unavailable", "warming up"},
		{fmt.Errorf("search: %w", semsearch.Errorf(semsearch.ENotFound, "wrapped")), 404, "not_found", "wrapped"},
		{semsearch.Errorf(semsearch.EInternal, "db at /var/secret broke"), 500, "internal", "internal error"},
		{errors.New("sql: /var/secret broke"), 500, "internal", "internal error"},
		{fmt.Errorf("embed: %w", context.DeadlineExceeded), 503, "unavailable", "request timed out"},
	}
	for _, tt := range tests {
		t.Run(tt.err.Error(), func(t *testing.T) {
			h := newHarness(t, server.Config{})
			h.offSpec = true // search never fails with not_found, conflict or too_large
			h.svc.Err = tt.err
			rec := h.do(t, http.MethodGet, "/api/search?q=x", "", "X-Request-Id", "req-123")
			wantStatus(t, rec, tt.status)
			e := errorOf(t, rec)
			if e.Code != tt.code || e.Message != tt.msg {
				t.Errorf("error %+v, want %s %q", e, tt.code, tt.msg)
			}
			if tt.status == 500 {
				logs := h.logs.String()
				if !strings.Contains(logs, "/var/secret broke") || !strings.Contains(logs, "req-123") {
					t.Errorf("internal error not logged with its request id: %s", logs)
				}
			}
		})
	}
}

func TestServer_EchoErrors(t *testing.T) {
	h := newHarness(t, server.Config{})
	tests := []struct {
		method, target string
		status         int
		code           string
	}{
		{http.MethodGet, "/api/nope", 404, "not_found"},
		{http.MethodGet, "/nope.html", 404, "not_found"},
		{http.MethodPut, "/api/search?q=x", 405, "method_not_allowed"},
		{http.MethodGet, "/api/ingest", 405, "method_not_allowed"},
		{http.MethodGet, "/v1/embeddings", 405, "method_not_allowed"},
	}
	for _, tt := range tests {
		rec := h.do(t, tt.method, tt.target, "")
		wantStatus(t, rec, tt.status)
		if e := errorOf(t, rec); e.Code != tt.code {
			t.Errorf("%s %s: code %q, want %q", tt.method, tt.target, e.Code, tt.code)
		}
	}
}

func TestServer_SecurityHeaders(t *testing.T) {
	h := newHarness(t, server.Config{})
	for _, target := range []string{"/", "/app.js", "/api/search?q=x", "/api/search", "/nope", "/healthz"} {
		rec := h.do(t, http.MethodGet, target, "")
		hd := rec.Header()
		csp := hd.Get("Content-Security-Policy")
		if !strings.Contains(csp, "default-src 'self'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: CSP %q", target, csp)
		}
		for k, v := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY"} {
			if hd.Get(k) != v {
				t.Errorf("%s: %s = %q, want %q", target, k, hd.Get(k), v)
			}
		}
	}
}

func TestServer_RequestIDAndLogs(t *testing.T) {
	h := newHarness(t, server.Config{})
	rec := h.do(t, http.MethodGet, "/api/search?q=x", "", "X-Request-Id", "abc-123")
	if got := rec.Header().Get("X-Request-Id"); got != "abc-123" {
		t.Errorf("request id %q, want the client's", got)
	}
	rec = h.do(t, http.MethodGet, "/api/search?q=x", "", "X-Request-Id", "bad id\nwith newline")
	if got := rec.Header().Get("X-Request-Id"); got == "" || strings.ContainsAny(got, " \n") {
		t.Errorf("request id %q, want a fresh one", got)
	}
	rec = h.do(t, http.MethodGet, "/api/search?q=x", "")
	fresh := rec.Header().Get("X-Request-Id")
	if len(fresh) < 16 {
		t.Errorf("generated request id %q", fresh)
	}
	logs := h.logs.String()
	line := ""
	for _, l := range strings.Split(logs, "\n") {
		if strings.Contains(l, fresh) && strings.Contains(l, `"msg":"http request"`) {
			line = l
		}
	}
	if line == "" {
		t.Fatalf("no request log with id %s in %s", fresh, logs)
	}
	for _, key := range []string{`"method":"GET"`, `"path":"/api/search"`, `"status":200`, `"latency_ms":`, `"request_id":"` + fresh, `"remote_ip":"192.0.2.1"`, `"route":"/api/search"`} {
		if !strings.Contains(line, key) {
			t.Errorf("log line lacks %s: %s", key, line)
		}
	}
}

func TestServer_Metrics(t *testing.T) {
	h := newHarness(t, server.Config{})
	h.do(t, http.MethodGet, "/api/search?q=x", "")
	h.do(t, http.MethodGet, "/api/search?q=x", "")
	h.do(t, http.MethodGet, "/api/search", "")
	h.do(t, http.MethodGet, "/no/such/route", "")
	rec := h.do(t, http.MethodGet, "/metrics", "")
	wantStatus(t, rec, 200)
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("content type %q", ct)
	}
	body := rec.Body.String()
	for _, want := range []string{
		"# TYPE semsearch_http_requests_total counter",
		`semsearch_http_requests_total{route="/api/search",method="GET",status="200"} 2`,
		`semsearch_http_requests_total{route="/api/search",method="GET",status="400"} 1`,
		`semsearch_http_request_duration_seconds_count{route="/api/search",method="GET"} 3`,
		`semsearch_http_request_duration_seconds_sum{route="/api/search",method="GET"} `,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "/no/such/route") {
		t.Errorf("unmatched path became a label (unbounded cardinality):\n%s", body)
	}
}

func TestServer_WebPage(t *testing.T) {
	h := newHarness(t, server.Config{})
	rec := h.do(t, http.MethodGet, "/", "")
	wantStatus(t, rec, 200)
	html := rec.Body.String()
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("content type %q", ct)
	}
	if !strings.Contains(html, `<script src="/app.js"`) || !strings.Contains(html, `href="/style.css"`) {
		t.Errorf("page does not load its script and style")
	}
	// CSP forbids inline code: every <script> has a src, no style attributes
	// or blocks, no inline handlers.
	if strings.Count(html, "<script") != strings.Count(html, "<script src=") || strings.Contains(html, "<style") ||
		strings.Contains(html, " style=") || strings.Contains(html, " onclick=") {
		t.Errorf("inline script or style in index.html")
	}
	for target, ct := range map[string]string{"/app.js": "javascript", "/style.css": "text/css", "/favicon.svg": "image/svg+xml"} {
		rec := h.do(t, http.MethodGet, target, "")
		wantStatus(t, rec, 200)
		if got := rec.Header().Get("Content-Type"); !strings.Contains(got, ct) {
			t.Errorf("%s: content type %q", target, got)
		}
	}
}

func TestServer_PanicIsInternalError(t *testing.T) {
	h := newHarness(t, server.Config{})
	h.svc.SearchFunc = func(context.Context, semsearch.Query) ([]semsearch.Result, error) {
		panic("nil map in /secret/code.go")
	}
	rec := h.do(t, http.MethodGet, "/api/search?q=x", "")
	wantStatus(t, rec, 500)
	if e := errorOf(t, rec); e.Code != "internal" || strings.Contains(e.Message, "secret") {
		t.Errorf("error %+v", e)
	}
	if !strings.Contains(h.logs.String(), "nil map in /secret/code.go") {
		t.Error("panic not logged")
	}
	// The server keeps serving.
	h.svc.SearchFunc = nil
	wantStatus(t, h.do(t, http.MethodGet, "/api/search?q=x", ""), 200)
}

// TestServer_QueryStringAndHead: a malformed query string is named as such
// (not "q is required"), and every GET route answers HEAD.
func TestServer_QueryStringAndHead(t *testing.T) {
	h := newHarness(t, server.Config{})
	rec := h.do(t, http.MethodGet, "/api/search?q=%zz", "")
	wantStatus(t, rec, http.StatusBadRequest)
	if e := errorOf(t, rec); !strings.Contains(e.Message, "malformed query string") {
		t.Errorf("q=%%zz: %+v", e)
	}
	for _, path := range []string{"/api/search?q=fsync", "/api/stats", "/healthz", "/readyz", "/api/posts/" + url.PathEscape("https://example.com/a"), "/"} {
		rec := h.do(t, http.MethodHead, path, "")
		if rec.Code != http.StatusOK {
			t.Errorf("HEAD %s: status %d", path, rec.Code)
		}
	}
}

// TestServer_FieldNamesAreCaseSensitive: encoding/json would take "Text"
// or "inPut" for the field; the contract spells names exactly.
func TestServer_FieldNamesAreCaseSensitive(t *testing.T) {
	h := newHarness(t, server.Config{})
	for _, tc := range []struct{ path, body string }{
		{"/api/similar", `{"Text":"fsync durability"}`},
		{"/v1/embeddings", `{"inPut":"hello","model":"x"}`},
	} {
		rec := h.do(t, http.MethodPost, tc.path, tc.body)
		wantStatus(t, rec, http.StatusBadRequest)
		if e := errorOf(t, rec); !strings.Contains(e.Message, "case-sensitive") {
			t.Errorf("%s %s: %+v", tc.path, tc.body, e)
		}
	}
	wantStatus(t, h.do(t, http.MethodPost, "/api/similar", `{"text":"fsync durability"}`), http.StatusOK)
}
