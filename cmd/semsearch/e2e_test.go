package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/internal/testenv"
	"github.com/semsearch/semsearch/wire"
)

// TestSemsearch_EndToEnd ingests testdata/ (and the real seeds when
// ../shared is there) with the real binary and the local model, serves it on
// a real port and checks every read and write endpoint; then restarts the
// server on the same index and expects the same answers. The same suite runs
// against a Weaviate cluster in TestSemsearch_EndToEndWeaviate.
func TestSemsearch_EndToEnd(t *testing.T) {
	endToEnd(t, []string{"SEMSEARCH_DATA=" + t.TempDir(), "SEMSEARCH_MODELS=" + modelsDir(t)})
}

// endToEnd is the suite, run by every backend: env selects it (and holds
// the models dir).
func endToEnd(t *testing.T, env []string) {
	root := testenv.RepoRoot(t)

	sources := []string{filepath.Join(root, "testdata")}
	seeds := filepath.Join(root, "..", "shared", "seeds")
	haveSeeds := false
	if _, err := os.Stat(seeds); err == nil {
		sources, haveSeeds = append(sources, seeds), true
	} else {
		t.Logf("../shared/seeds is absent (%v): checking testdata/ only", err)
	}

	var rep semsearch.IngestReport
	if err := json.Unmarshal(cli(t, env, 0, append([]string{"ingest", "--json"}, sources...)...), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Posts < 10 || rep.Chunks < rep.Posts {
		t.Fatalf("ingest stored %d posts, %d chunks: want ≥ 10 posts and ≥ 1 chunk each", rep.Posts, rep.Chunks)
	}
	for _, s := range rep.Sources {
		if s.Error != "" {
			t.Errorf("source %s failed: %s", s.Source, s.Error)
		}
	}

	// A second ingest of the same sources stores nothing new.
	var again semsearch.IngestReport
	if err := json.Unmarshal(cli(t, env, 0, append([]string{"ingest", "--json"}, sources...)...), &again); err != nil {
		t.Fatal(err)
	}
	if again.Posts != 0 || again.Unchanged != rep.Posts {
		t.Fatalf("re-ingest stored %d posts with %d unchanged, want 0 stored and %d unchanged", again.Posts, again.Unchanged, rep.Posts)
	}

	type query struct{ q, wantTitle string }
	queries := []query{
		{"does a successful write call guarantee my data survives a power loss?", "fsync"},
		{"how does a vector index find nearest neighbours quickly", "HNSW"},
	}
	if haveSeeds {
		queries = append(queries,
			query{"calling a C library from Go through unsafe pointers", "Interacting between C libraries and Go using Unsafe"},
			query{"when the row is too big for a single B-tree page", "SQLite Overflow Pages"},
		)
	}

	const key = "test-key"
	srv := startServer(t, env, "--api-key", key)
	first := make(map[string][]string)
	for _, tc := range queries {
		var body wire.SearchResponse
		do(t, "GET", srv.URL+"/api/search?k=5&q="+url.QueryEscape(tc.q), nil, http.StatusOK, &body)
		if len(body.Results) == 0 {
			t.Fatalf("search %q: no results", tc.q)
		}
		// The answer must be among the first three posts.
		found := false
		for _, r := range body.Results[:min(3, len(body.Results))] {
			found = found || strings.Contains(strings.ToLower(r.Title), strings.ToLower(tc.wantTitle))
		}
		if !found {
			t.Errorf("search %q: top 3 %v, want a title containing %q", tc.q, resultTitles(body.Results), tc.wantTitle)
		}
		top := body.Results[0]
		if len(top.Passages) == 0 || top.Passages[0].Highlight == "" {
			t.Errorf("search %q: top result has no highlighted passage", tc.q)
		}
		first[tc.q] = resultIDs(body.Results)
	}

	// show, related, similar, stats on the top hit of the first query.
	id := first[queries[0].q][0]
	t.Logf("checking post %s", id)
	postURL := srv.URL + "/api/posts/" + url.PathEscape(id)
	var post wire.PostResponse
	do(t, "GET", postURL, nil, http.StatusOK, &post)
	if post.ID != id || post.Text == "" || post.Title == "" {
		t.Fatalf("show %s: got id %q, title %q, %d bytes of text", id, post.ID, post.Title, len(post.Text))
	}
	var related wire.RelatedResponse
	do(t, "GET", postURL+"/related?k=3", nil, http.StatusOK, &related)
	if len(related.Results) == 0 || slices.Contains(resultIDs(related.Results), id) {
		t.Fatalf("related %s: %v (want results, not the post itself)", id, resultIDs(related.Results))
	}
	var similar struct{ Results []semsearch.Result }
	do(t, "POST", srv.URL+"/api/similar", map[string]any{"text": post.Text, "k": 3}, http.StatusOK, &similar)
	if len(similar.Results) == 0 || similar.Results[0].ID != id {
		t.Fatalf("similar to the text of %s: top %v, want the post itself", id, resultIDs(similar.Results))
	}
	var stats semsearch.Stats
	do(t, "GET", srv.URL+"/api/stats", nil, http.StatusOK, &stats)
	if stats.Posts != rep.Posts || stats.Chunks != rep.Chunks || stats.Model == "" || stats.Dims != 384 {
		t.Fatalf("stats %+v, want %d posts, %d chunks, a model of 384 dims", stats, rep.Posts, rep.Chunks)
	}

	// Delete needs the key; then the post is gone from every endpoint.
	do(t, "DELETE", postURL, nil, http.StatusUnauthorized, nil)
	do(t, "DELETE", postURL, nil, http.StatusOK, nil, "Authorization", "Bearer "+key)
	do(t, "GET", postURL, nil, http.StatusNotFound, nil)
	var after wire.SearchResponse
	do(t, "GET", srv.URL+"/api/search?k=10&q="+url.QueryEscape(queries[0].q), nil, http.StatusOK, &after)
	if slices.Contains(resultIDs(after.Results), id) {
		t.Fatalf("deleted post %s is still found", id)
	}
	do(t, "GET", srv.URL+"/api/stats", nil, http.StatusOK, &stats)
	if stats.Posts != rep.Posts-1 {
		t.Fatalf("after delete: %d posts, want %d", stats.Posts, rep.Posts-1)
	}

	// Restart on the same data dir: the same answers. They are compared
	// with answers on the same corpus, taken after the delete: the delete
	// itself moves every lexical score a little (one document fewer), which
	// may swap two results that were nearly tied.
	beforeRestart := make(map[string][]string)
	for _, tc := range queries[1:] {
		var body wire.SearchResponse
		do(t, "GET", srv.URL+"/api/search?k=5&q="+url.QueryEscape(tc.q), nil, http.StatusOK, &body)
		beforeRestart[tc.q] = resultIDs(body.Results)
	}
	srv.stop(t)
	srv = startServer(t, env)
	for _, tc := range queries[1:] {
		var body wire.SearchResponse
		do(t, "GET", srv.URL+"/api/search?k=5&q="+url.QueryEscape(tc.q), nil, http.StatusOK, &body)
		if got := resultIDs(body.Results); !slices.Equal(got, beforeRestart[tc.q]) {
			t.Errorf("after restart, search %q: %v, before: %v", tc.q, got, beforeRestart[tc.q])
		}
	}
	do(t, "GET", srv.URL+"/api/stats", nil, http.StatusOK, &stats)
	if stats.Posts != rep.Posts-1 {
		t.Fatalf("after restart: %d posts, want %d", stats.Posts, rep.Posts-1)
	}
}

func resultTitles(rs []semsearch.Result) []string {
	titles := make([]string, len(rs))
	for i, r := range rs {
		titles[i] = r.Title
	}
	return titles
}

func resultIDs(rs []semsearch.Result) []string {
	ids := make([]string, len(rs))
	for i, r := range rs {
		ids[i] = r.ID
	}
	return ids
}
