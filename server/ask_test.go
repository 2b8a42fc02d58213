package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/server"
	"github.com/semsearch/semsearch/server/servertest"
	"github.com/semsearch/semsearch/wire"
)

var _ server.Answerer = (*servertest.Service)(nil)

func TestServer_Ask(t *testing.T) {
	h := newHarness(t, server.Config{})
	rec := h.do(t, http.MethodGet, "/api/ask?q=is+fsync+durable&k=3&sort=date&interpret=0&source=Example+Blog", "")
	wantStatus(t, rec, http.StatusOK)
	got := decode[wire.AskResponse](t, rec)
	if !got.Answered || got.Confidence != 0.9 || len(got.Answer) != 1 || got.Answer[0].PostID != "https://example.com/a" || len(got.Results) != 2 {
		t.Errorf("body %+v", got)
	}
	q := h.svc.LastCall().Query
	if q.Text != "is fsync durable" || q.K != 3 || q.Sort != semsearch.SortDate || !q.Literal || q.Filter.Source != "Example Blog" {
		t.Errorf("query %+v", q)
	}
	// The contract's shape: every field present, arrays never null.
	raw := decode[map[string]any](t, rec)
	for _, k := range []string{"query", "answered", "confidence", "answer", "results", "interpreted", "took_ms"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("no %q in %s", k, rec.Body.String())
		}
	}
}

func TestServer_AskAbstains(t *testing.T) {
	h := newHarness(t, server.Config{})
	h.svc.AskFunc = func(_ context.Context, q semsearch.Query) (semsearch.Answer, error) {
		return semsearch.Answer{Query: q.Text, Confidence: 0.05}, nil
	}
	rec := h.do(t, http.MethodGet, "/api/ask?q=sourdough", "")
	wantStatus(t, rec, http.StatusOK)
	if body := rec.Body.String(); !contains(body, `"answered":false`) || !contains(body, `"answer":[]`) || !contains(body, `"results":[]`) {
		t.Errorf("body %s", body)
	}
}

// A phrasing is in the body only when the answer has one (a chat endpoint
// is configured), beside the quoted sentences.
func TestServer_AskPhrased(t *testing.T) {
	h := newHarness(t, server.Config{})
	phrased := &semsearch.Phrasing{Text: "Only after fsync [1].", Model: "tiny-chat"}
	h.svc.AskFunc = func(_ context.Context, q semsearch.Query) (semsearch.Answer, error) {
		return semsearch.Answer{Query: q.Text, Answered: true, Confidence: 0.8, Phrased: phrased,
			Sentences: []semsearch.AnswerSentence{{Text: "Writes are durable after fsync.", PostID: "p", Title: "T", URL: "https://example.com/p", Link: "https://example.com/p#:~:text=Writes"}}}, nil
	}
	rec := h.do(t, http.MethodGet, "/api/ask?q=durable", "")
	wantStatus(t, rec, http.StatusOK)
	got := decode[wire.AskResponse](t, rec)
	if got.Phrased == nil || *got.Phrased != *phrased || len(got.Answer) != 1 {
		t.Errorf("body %s", rec.Body.String())
	}
	phrased = nil
	rec = h.do(t, http.MethodGet, "/api/ask?q=durable", "")
	if body := rec.Body.String(); contains(body, `"phrased"`) {
		t.Errorf("body %s has a phrasing", body)
	}
}

func TestServer_AskValidation(t *testing.T) {
	h := newHarness(t, server.Config{})
	for _, target := range []string{"/api/ask", "/api/ask?q=x&sort=newest", "/api/ask?q=x&interpret=maybe", "/api/ask?q=x&k=0", "/api/search?q=x&sort=oldest"} {
		rec := h.do(t, http.MethodGet, target, "")
		wantStatus(t, rec, http.StatusBadRequest)
		if e := errorOf(t, rec); e.Code != semsearch.EInvalid {
			t.Errorf("%s: code %q", target, e.Code)
		}
	}
}

func TestServer_SearchFacets(t *testing.T) {
	h := newHarness(t, server.Config{})
	rec := h.do(t, http.MethodGet, "/api/search?q=fsync&sort=date", "")
	wantStatus(t, rec, http.StatusOK)
	got := decode[wire.SearchResponse](t, rec)
	if got.Facets == nil || len(got.Facets.Sources) != 1 || got.Facets.Sources[0] != (semsearch.FacetCount{Value: "Example Blog", Count: 1}) {
		t.Errorf("facets %+v", got.Facets)
	}
	if got.Interpreted == nil || got.Interpreted.Text != "fsync" {
		t.Errorf("interpreted %+v", got.Interpreted)
	}
	if q := h.svc.LastCall().Query; q.Sort != semsearch.SortDate {
		t.Errorf("sort %q", q.Sort)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func TestServer_Gaps(t *testing.T) {
	h := newHarness(t, server.Config{APIKey: testKey})
	h.svc.GapsList = []semsearch.Gap{{Query: "sourdough proofing", Count: 3, Queries: []string{"sourdough proofing"},
		Closest: []semsearch.GapPost{{ID: "p1", Title: "Bread", Count: 2}}}}
	rec := h.do(t, http.MethodGet, "/api/gaps", "")
	wantStatus(t, rec, http.StatusUnauthorized)

	rec = h.do(t, http.MethodGet, "/api/gaps?since=2026-11-01", "", "Authorization", "Bearer "+testKey)
	wantStatus(t, rec, http.StatusOK)
	got := decode[wire.GapsResponse](t, rec)
	if len(got.Gaps) != 1 || got.Gaps[0].Count != 3 || got.Since.Format("2006-01-02") != "2026-11-01" {
		t.Errorf("body %+v", got)
	}
	if c := h.svc.LastCall(); c.Method != "Gaps" || c.Text != "2026-11-01T00:00:00Z" {
		t.Errorf("call %+v", c)
	}
	rec = h.do(t, http.MethodGet, "/api/gaps?since=720h", "", "X-API-Key", testKey)
	wantStatus(t, rec, http.StatusOK)
	rec = h.do(t, http.MethodGet, "/api/gaps?since=soon", "", "X-API-Key", testKey)
	wantStatus(t, rec, http.StatusBadRequest)

	h.svc.GapsList = nil
	rec = h.do(t, http.MethodGet, "/api/gaps", "", "X-API-Key", testKey)
	if body := rec.Body.String(); !strings.Contains(body, `"gaps":[]`) {
		t.Errorf("empty gaps body %s", body)
	}
}
