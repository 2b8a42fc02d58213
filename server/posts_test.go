package server_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/semsearch/semsearch/server"
	"github.com/semsearch/semsearch/wire"
)

func TestServer_GetPost(t *testing.T) {
	h := newHarness(t, server.Config{})
	rec := h.do(t, http.MethodGet, "/api/posts/"+url.PathEscape("https://example.com/a"), "")
	wantStatus(t, rec, 200)
	got := decode[map[string]any](t, rec)
	want := map[string]any{
		"id": "https://example.com/a", "title": "Fsync and you", "url": "https://example.com/a",
		"source": "Example Blog", "author": "Ann, Bob", "published": "2024-03-01T00:00:00Z",
		"tags": []any{}, "text": "# Fsync\n\nWrites are not durable until fsync returns.",
	}
	for k, v := range want {
		if gv, ok := got[k]; !ok || !equalJSON(gv, v) {
			t.Errorf("%s = %#v, want %#v", k, got[k], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("unexpected keys in %v", got)
	}

	// Source falls back to the feed URL when it has no title.
	rec = h.do(t, http.MethodGet, "/api/posts/"+url.PathEscape("https://example.com/b"), "")
	wantStatus(t, rec, 200)
	if p := decode[wire.PostResponse](t, rec); p.Source != "https://example.com/feed" {
		t.Errorf("source %q", p.Source)
	}

	rec = h.do(t, http.MethodGet, "/api/posts/nope", "")
	wantStatus(t, rec, 404)
	if e := errorOf(t, rec); e.Code != "not_found" || !strings.Contains(e.Message, "nope") {
		t.Errorf("error %+v", e)
	}
}

func equalJSON(a, b any) bool {
	as, aok := a.([]any)
	bs, bok := b.([]any)
	if aok && bok {
		return len(as) == 0 && len(bs) == 0
	}
	return a == b
}

// TestServer_EncodedIDs sends post IDs that are URLs or contain reserved
// characters, escaped as clients must (encodeURIComponent / PathEscape), over
// a real connection, and checks the service sees the exact ID.
func TestServer_EncodedIDs(t *testing.T) {
	h := newHarness(t, server.Config{})
	ts := httptest.NewServer(h.srv.Handler())
	defer ts.Close()
	tests := []struct {
		rawPath string // as sent on the wire
		id      string // as the service must see it
	}{
		{"/api/posts/https%3A%2F%2Fexample.com%2Fa/related", "https://example.com/a"},
		{"/api/posts/https:%2F%2Fexample.com%2Fa/related", "https://example.com/a"},
		{"/api/posts/" + url.PathEscape("100% a b/c?d#e") + "/related", "100% a b/c?d#e"},
		{"/api/posts/100%25%20a%20b%2Fc%3Fd%23e/related", "100% a b/c?d#e"},
	}
	for _, tt := range tests {
		t.Run(tt.rawPath, func(t *testing.T) {
			resp, err := http.Get(ts.URL + tt.rawPath + "?k=3")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			c := h.svc.LastCall()
			if c.Method != "Related" || c.ID != tt.id || c.K != 3 {
				t.Errorf("call %+v, want Related(%q, 3)", c, tt.id)
			}
			if !strings.Contains(string(body), `"id":`) {
				t.Errorf("body %s", body)
			}

			postPath := strings.TrimSuffix(tt.rawPath, "/related")
			resp, err = http.Get(ts.URL + postPath)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 || h.svc.LastCall().ID != tt.id {
				t.Errorf("GET %s: status %d, id %q", postPath, resp.StatusCode, h.svc.LastCall().ID)
			}
		})
	}
}

func TestServer_Related(t *testing.T) {
	h := newHarness(t, server.Config{})
	id := url.PathEscape("https://example.com/a")
	rec := h.do(t, http.MethodGet, "/api/posts/"+id+"/related", "")
	wantStatus(t, rec, 200)
	resp := decode[wire.RelatedResponse](t, rec)
	if resp.ID != "https://example.com/a" || len(resp.Results) != 1 || resp.Results[0].ID != "https://example.com/b" {
		t.Errorf("response %+v", resp)
	}
	if h.svc.LastCall().K != 10 {
		t.Errorf("default k %d", h.svc.LastCall().K)
	}
	// A post without related posts has an empty list, not null.
	rec = h.do(t, http.MethodGet, "/api/posts/"+url.PathEscape("https://example.com/b")+"/related", "")
	wantStatus(t, rec, 200)
	if !strings.Contains(rec.Body.String(), `"results":[]`) {
		t.Errorf("body %s", rec.Body.String())
	}
	for _, k := range []string{"0", "101", "x"} {
		rec = h.do(t, http.MethodGet, "/api/posts/"+id+"/related?k="+k, "")
		wantStatus(t, rec, 400)
		errorOf(t, rec)
	}
	rec = h.do(t, http.MethodGet, "/api/posts/missing/related", "")
	wantStatus(t, rec, 404)
	errorOf(t, rec)
}

func TestServer_DeleteAuth(t *testing.T) {
	id := "/api/posts/" + url.PathEscape("https://example.com/a")
	tests := []struct {
		name    string
		key     string // configured
		headers []string
		status  int
	}{
		{"no key configured, local host", "", nil, 200},
		{"no key configured, foreign host (DNS rebinding)", "", []string{"Host", "evil.example:8080"}, 403},
		{"missing key", testKey, nil, 401},
		{"wrong bearer", testKey, []string{"Authorization", "Bearer nope"}, 401},
		{"prefix of key", testKey, []string{"Authorization", "Bearer " + testKey[:4]}, 401},
		{"basic scheme", testKey, []string{"Authorization", "Basic " + testKey}, 401},
		{"wrong x-api-key", testKey, []string{"X-API-Key", "nope"}, 401},
		{"bearer", testKey, []string{"Authorization", "Bearer " + testKey}, 200},
		{"bearer lowercase scheme", testKey, []string{"Authorization", "bearer " + testKey}, 200},
		{"x-api-key", testKey, []string{"X-API-Key", testKey}, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, server.Config{APIKey: tt.key})
			headers := tt.headers
			rec := h.do(t, http.MethodDelete, id, "", headers...)
			wantStatus(t, rec, tt.status)
			if tt.status != 200 {
				e := errorOf(t, rec)
				if tt.status == 401 && (e.Code != "unauthorized" || rec.Header().Get("WWW-Authenticate") == "") {
					t.Errorf("401 error %+v, WWW-Authenticate %q", e, rec.Header().Get("WWW-Authenticate"))
				}
				if c := h.svc.LastCall(); c.Method == "Delete" {
					t.Errorf("service called without authorization")
				}
				return
			}
			if got := decode[wire.DeleteResponse](t, rec); got.Deleted != "https://example.com/a" {
				t.Errorf("body %s", rec.Body.String())
			}
			// Deleted: a second delete is a 404.
			rec = h.do(t, http.MethodDelete, id, "", headers...)
			wantStatus(t, rec, 404)
		})
	}
}

// TestServer_ReadsNeedNoKey: the key guards writes only.
func TestServer_ReadsNeedNoKey(t *testing.T) {
	h := newHarness(t, server.Config{APIKey: testKey})
	for _, target := range []string{"/api/search?q=x", "/api/stats", "/api/posts/" + url.PathEscape("https://example.com/a"), "/healthz"} {
		if rec := h.do(t, http.MethodGet, target, ""); rec.Code != 200 {
			t.Errorf("GET %s: %d", target, rec.Code)
		}
	}
	if rec := h.do(t, http.MethodPost, "/api/similar", `{"text":"x"}`); rec.Code != 200 {
		t.Errorf("POST /api/similar: %d", rec.Code)
	}
}
