package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/openapi/openapitest"
	"github.com/semsearch/semsearch/server"
)

func TestOpenAPI_Served(t *testing.T) {
	h := newHarness(t, server.Config{})
	rec := h.do(t, http.MethodGet, "/openapi.json", "")
	wantStatus(t, rec, http.StatusOK)
	if _, err := openapitest.New(rec.Body.Bytes()); err != nil {
		t.Fatalf("served document: %v", err)
	}
	var doc struct {
		OpenAPI string `json:"openapi"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil || doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi %q (%v), want 3.1.0", doc.OpenAPI, err)
	}
}

// TestOpenAPI_CatchesViolations shows that the check every API test runs
// (harness.do) fails on exchanges that break the document: each case is a
// real request whose response (or status) is then broken on purpose.
func TestOpenAPI_CatchesViolations(t *testing.T) {
	v := openapitest.MustLoad(t)
	tests := []struct {
		name, method, target, reqBody string
		status                        int // 0: the server's own
		body                          string
		want                          string // in the error
	}{
		{name: "stats with a string count", method: "GET", target: "/api/stats",
			body: `{"posts":"many","chunks":1,"sources":1,"model":"m","dims":8}`, want: "posts"},
		{name: "search without results", method: "GET", target: "/api/search?q=fsync",
			body: `{"query":"fsync","mode":"hybrid","took_ms":1}`, want: "results"},
		{name: "search result with an undocumented field", method: "GET", target: "/api/search?q=fsync",
			body: `{"query":"fsync","mode":"hybrid","took_ms":1,"results":[{"id":"a","title":"","url":"","source":"","author":"","score":1,"passages":[],"secret":"x"}]}`, want: "secret"},
		{name: "error without a message", method: "GET", target: "/api/posts/nope",
			body: `{"error":{"code":"not_found"}}`, want: "message"},
		{name: "undocumented status", method: "GET", target: "/api/stats", status: http.StatusTeapot, want: "status"},
		{name: "accepted a request the document forbids", method: "GET", target: "/api/search?q=fsync&k=1000",
			status: http.StatusOK, want: "forbids"},
		{name: "unknown route answered 200", method: "GET", target: "/api/nothing-here", status: http.StatusOK, body: `{}`, want: "not in the document"},
		{name: "similar body with an unknown field accepted", method: "POST", target: "/api/similar", reqBody: `{"text":"a","evil":1}`,
			status: http.StatusOK, body: `{"results":[]}`, want: "forbids"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, server.Config{})
			h.offSpec = true // this test checks by hand, after breaking the exchange
			req := httptest.NewRequest(tc.method, tc.target, strings.NewReader(tc.reqBody))
			if tc.reqBody != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			req.Host = "127.0.0.1:8080"
			rec := h.do(t, tc.method, tc.target, tc.reqBody)
			status, body := rec.Code, rec.Body.String()
			if tc.status != 0 {
				status = tc.status
			}
			if tc.body != "" {
				body = tc.body
			}
			// The untouched exchange passes (unless the case forges the status).
			if tc.status == 0 {
				if err := v.Check(req, []byte(tc.reqBody), rec.Code, rec.Header(), rec.Body.Bytes()); err != nil {
					t.Fatalf("the server's own answer fails: %v", err)
				}
			}
			err := v.Check(req, []byte(tc.reqBody), status, rec.Header(), []byte(body))
			if err == nil {
				t.Fatalf("a broken exchange (%d %s) passed the check", status, body)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not mention %q", err, tc.want)
			}
		})
	}
}

// TestOpenAPI_CatchesBadService: a service that returns a result without an
// ID makes the harness's own check fail the test.
func TestOpenAPI_CatchesBadService(t *testing.T) {
	h := newHarness(t, server.Config{})
	h.svc.SearchFunc = func(context.Context, semsearch.Query) ([]semsearch.Result, error) {
		return []semsearch.Result{{Title: "no id", Score: 1}}, nil
	}
	rt := &recordingTB{TB: t}
	rec := h.do(rt, http.MethodGet, "/api/search?q=fsync", "")
	wantStatus(t, rec, http.StatusOK)
	if len(rt.errors) != 1 || !strings.Contains(rt.errors[0], "id") {
		t.Fatalf("the harness reported %q, want one OpenAPI error about the empty id", rt.errors)
	}
}

// recordingTB records Errorf calls instead of failing.
type recordingTB struct {
	testing.TB
	errors []string
}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}
