package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/server"
	"github.com/semsearch/semsearch/wire"
)

func TestServer_Sources(t *testing.T) {
	h := newHarness(t, server.Config{APIKey: testKey})
	auth := []string{"Authorization", "Bearer " + testKey}

	rec := h.do(t, http.MethodGet, "/api/sources", "")
	wantStatus(t, rec, 200)
	if got := rec.Body.String(); !strings.Contains(got, `"sources":[]`) {
		t.Errorf("empty list: %s", got)
	}

	// Writes need the key.
	rec = h.do(t, http.MethodPost, "/api/sources", `{"url":"https://blog.example/feed.xml"}`)
	wantStatus(t, rec, 401)

	rec = h.do(t, http.MethodPost, "/api/sources", `{"url":"https://user:pw@blog.example/feed.xml?token=t0k","interval":"2h"}`, auth...)
	wantStatus(t, rec, 201)
	added := decode[wire.SubscribeResponse](t, rec)
	if len(added.Sources) != 1 || added.Sources[0].ID != 1 || added.Ingest.Posts != 2 {
		t.Fatalf("added %+v", added)
	}
	if u := added.Sources[0].URL; strings.Contains(u, "pw") || strings.Contains(u, "t0k") {
		t.Errorf("secret shown: %s", u)
	}

	rec = h.do(t, http.MethodGet, "/api/sources", "")
	wantStatus(t, rec, 200)
	list := decode[map[string][]map[string]any](t, rec)
	keys := []string{"id", "url", "kind", "status", "last_checked", "next_check", "http_status", "errors", "last_error", "posts"}
	if len(list["sources"]) != 1 || len(list["sources"][0]) != len(keys) {
		t.Fatalf("list %+v", list)
	}
	for _, k := range keys {
		if _, ok := list["sources"][0][k]; !ok {
			t.Errorf("key %s missing", k)
		}
	}

	rec = h.do(t, http.MethodPost, "/api/sources/1/poll", "", auth...)
	wantStatus(t, rec, 200)
	if p := decode[wire.PollResponse](t, rec); len(p.Sources) != 1 || p.Sources[0].Result != "not_modified" || p.Sources[0].HTTPStatus != 304 {
		t.Errorf("poll %+v", p)
	}

	rec = h.do(t, http.MethodDelete, "/api/sources/1?purge=true", "", auth...)
	wantStatus(t, rec, 200)
	if r := decode[wire.RemoveSourceResponse](t, rec); r.Removed != 1 || r.Purged != 2 {
		t.Errorf("remove %+v", r)
	}
	if c := h.svc.LastCall(); c.Method != "RemoveSource" || c.Source != 1 || !c.Purge {
		t.Errorf("call %+v", c)
	}
	rec = h.do(t, http.MethodDelete, "/api/sources/1", "", auth...)
	wantStatus(t, rec, 404)
	rec = h.do(t, http.MethodPost, "/api/sources/1/poll", "", auth...)
	wantStatus(t, rec, 404)
}

func TestServer_SourcesRefusals(t *testing.T) {
	h := newHarness(t, server.Config{})
	tests := []struct {
		method, target, body string
		status               int
		say                  string
	}{
		{http.MethodPost, "/api/sources", `{"url":"/etc/passwd"}`, 400, "http"},
		{http.MethodPost, "/api/sources", `{"url":"file:///etc/passwd"}`, 400, "http"},
		{http.MethodPost, "/api/sources", `{"url":""}`, 400, "empty"},
		{http.MethodPost, "/api/sources", `{"url":"https://a.example/","interval":"soon"}`, 400, "interval"},
		{http.MethodPost, "/api/sources", `{"url":"https://a.example/","interval":"-1h"}`, 400, "interval"},
		{http.MethodPost, "/api/sources", `{"url":"https://a.example/","extra":1}`, 400, "extra"},
		{http.MethodDelete, "/api/sources/abc", "", 400, "positive integer"},
		{http.MethodDelete, "/api/sources/0", "", 400, "positive integer"},
		{http.MethodDelete, "/api/sources/1?purge=maybe", "", 400, "purge"},
		{http.MethodPost, "/api/sources/-3/poll", "", 400, "positive integer"},
	}
	for _, tt := range tests {
		rec := h.do(t, tt.method, tt.target, tt.body)
		wantStatus(t, rec, tt.status)
		if e := errorOf(t, rec); !strings.Contains(e.Message, tt.say) {
			t.Errorf("%s %s: %+v, want it to say %q", tt.method, tt.target, e, tt.say)
		}
	}
	if calls := h.svc.Calls(); len(calls) != 0 {
		t.Errorf("refused requests reached the service: %+v", calls)
	}
	// A duplicate is a conflict; an unreadable source is a bad gateway.
	rec := h.do(t, http.MethodPost, "/api/sources", `{"url":"https://a.example/feed"}`)
	wantStatus(t, rec, 201)
	rec = h.do(t, http.MethodPost, "/api/sources", `{"url":"https://a.example/feed"}`)
	wantStatus(t, rec, 409)
	h.svc.SubscribeFunc = func(context.Context, string, time.Duration, bool) ([]semsearch.Subscription, semsearch.IngestReport, error) {
		return nil, semsearch.IngestReport{}, semsearch.Errorf(semsearch.EUpstream, "the source could not be subscribed: http status 404")
	}
	rec = h.do(t, http.MethodPost, "/api/sources", `{"url":"https://a.example/missing"}`)
	wantStatus(t, rec, 502)
}
