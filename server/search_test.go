package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/server"
	"github.com/semsearch/semsearch/wire"
)

func TestServer_SearchValidation(t *testing.T) {
	h := newHarness(t, server.Config{})
	long := strings.Repeat("é", 1000) // 1000 runes, 2000 bytes: allowed
	tests := []struct {
		name   string
		query  string
		status int
		check  func(t *testing.T, q semsearch.Query)
	}{
		{"defaults", "q=fsync", 200, func(t *testing.T, q semsearch.Query) {
			if q.Text != "fsync" || q.K != 10 || q.Mode != semsearch.ModeHybrid {
				t.Errorf("query = %+v, want text fsync, k 10, hybrid", q)
			}
		}},
		{"trimmed", "q=+%20fsync%20", 200, func(t *testing.T, q semsearch.Query) {
			if q.Text != "fsync" {
				t.Errorf("text %q, want trimmed", q.Text)
			}
		}},
		{"missing q", "", 400, nil},
		{"blank q", "q=%20%20", 400, nil},
		{"q 1000 runes", "q=" + url.QueryEscape(long), 200, nil},
		{"q 1001 runes", "q=" + url.QueryEscape(long+"x"), 400, nil},
		{"q invalid utf8", "q=%ff", 400, nil},
		{"k 1", "q=x&k=1", 200, func(t *testing.T, q semsearch.Query) {
			if q.K != 1 {
				t.Errorf("k %d", q.K)
			}
		}},
		{"k 100", "q=x&k=100", 200, nil},
		{"k 0", "q=x&k=0", 400, nil},
		{"k 101", "q=x&k=101", 400, nil},
		{"k negative", "q=x&k=-1", 400, nil},
		{"k not a number", "q=x&k=ten", 400, nil},
		{"mode vector", "q=x&mode=vector", 200, func(t *testing.T, q semsearch.Query) {
			if q.Mode != semsearch.ModeVector {
				t.Errorf("mode %q", q.Mode)
			}
		}},
		{"mode lexical", "q=x&mode=lexical", 200, nil},
		{"mode hybrid", "q=x&mode=hybrid", 200, nil},
		{"mode unknown", "q=x&mode=magic", 400, nil},
		{"filters", "q=x&source=Example+Blog&author=Ann&tag=go&since=2024-01-01&until=2024-01-31", 200, func(t *testing.T, q semsearch.Query) {
			f := q.Filter
			if f.Source != "Example Blog" || f.Author != "Ann" || f.Tag != "go" {
				t.Errorf("filter %+v", f)
			}
			if !f.Since.Equal(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)) {
				t.Errorf("since %v", f.Since)
			}
			// A plain-date upper bound includes the whole day.
			if !f.Until.After(time.Date(2024, 1, 31, 23, 59, 59, 0, time.UTC)) || !f.Until.Before(time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)) {
				t.Errorf("until %v, want the end of 2024-01-31", f.Until)
			}
		}},
		{"rfc3339", "q=x&since=2024-01-01T10:00:00%2B02:00", 200, func(t *testing.T, q semsearch.Query) {
			if !q.Filter.Since.Equal(time.Date(2024, 1, 1, 8, 0, 0, 0, time.UTC)) {
				t.Errorf("since %v", q.Filter.Since)
			}
		}},
		{"since bad", "q=x&since=yesterday", 400, nil},
		{"until bad", "q=x&until=2024-13-01", 400, nil},
		{"until before since", "q=x&since=2024-02-01&until=2024-01-01", 400, nil},
		{"author too long", "q=x&author=" + strings.Repeat("a", 1001), 400, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := h.do(t, http.MethodGet, "/api/search?"+tt.query, "")
			wantStatus(t, rec, tt.status)
			if tt.status != 200 {
				if e := errorOf(t, rec); e.Code != "invalid" {
					t.Errorf("code %q, want invalid", e.Code)
				}
				if c := h.svc.LastCall(); c.Method == "Search" && c.Query.Text == "" {
					t.Errorf("service called with an invalid query")
				}
				return
			}
			if tt.check != nil {
				tt.check(t, h.svc.LastCall().Query)
			}
		})
	}
}

func TestServer_SearchResponse(t *testing.T) {
	h := newHarness(t, server.Config{})
	rec := h.do(t, http.MethodGet, "/api/search?q=fsync&mode=lexical&k=1", "")
	wantStatus(t, rec, 200)
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("content type %q", ct)
	}
	body := decode[map[string]any](t, rec)
	for _, key := range []string{"query", "mode", "took_ms", "results"} {
		if _, ok := body[key]; !ok {
			t.Errorf("missing %q in %s", key, rec.Body.String())
		}
	}
	resp := decode[wire.SearchResponse](t, rec)
	if resp.Query != "fsync" || resp.Mode != semsearch.ModeLexical || resp.TookMS < 0 {
		t.Errorf("response %+v", resp)
	}
	if len(resp.Results) != 1 || resp.Results[0].Passages[0].Highlight != "not durable until <mark>fsync</mark>" {
		t.Errorf("results %+v", resp.Results)
	}
	result := body["results"].([]any)[0].(map[string]any)
	for _, key := range []string{"id", "title", "url", "source", "author", "score", "passages"} {
		if _, ok := result[key]; !ok {
			t.Errorf("result lacks %q: %v", key, result)
		}
	}

	// No results is an empty list, never null.
	h.svc.Results = nil
	rec = h.do(t, http.MethodGet, "/api/search?q=nothing", "")
	wantStatus(t, rec, 200)
	if !strings.Contains(rec.Body.String(), `"results":[]`) {
		t.Errorf("empty results not [] : %s", rec.Body.String())
	}
}

func TestServer_SearchTimeout(t *testing.T) {
	h := newHarness(t, server.Config{RequestTimeout: 20 * time.Millisecond})
	h.svc.SearchFunc = func(ctx context.Context, q semsearch.Query) ([]semsearch.Result, error) {
		<-ctx.Done() // a search that only ends when the deadline fires
		return nil, ctx.Err()
	}
	rec := h.do(t, http.MethodGet, "/api/search?q=slow", "")
	wantStatus(t, rec, http.StatusServiceUnavailable)
	if e := errorOf(t, rec); e.Code != "unavailable" {
		t.Errorf("code %q", e.Code)
	}
}

func FuzzSearchQuery(f *testing.F) {
	h := newHarness(f, server.Config{})
	for _, s := range []string{"q=x", "q=x&k=5&mode=vector", "q=%ff&since=2024-01-01", "k=100&q=a&until=2024-01-01T00:00:00Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		req := "/api/search?" + url.PathEscape(raw)
		if _, err := url.ParseRequestURI(req); err != nil {
			return
		}
		rec := h.do(t, http.MethodGet, req, "")
		switch rec.Code {
		case 200:
			q := h.svc.LastCall().Query
			if q.Text == "" || q.K < 1 || q.K > 100 {
				t.Fatalf("accepted invalid query %+v from %q", q, raw)
			}
		case 400:
			errorOf(t, rec)
		default:
			t.Fatalf("status %d for %q", rec.Code, raw)
		}
	})
}
