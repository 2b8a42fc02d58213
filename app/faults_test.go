package app

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/internal/fakeembed"
)

// fault is how the faulty embedding server misbehaves once its healthy
// answers are used up.
type fault string

const (
	faultTimeout   fault = "timeout"   // never answers; the client's timeout fires
	faultDrop      fault = "drop"      // hijacks the connection and closes it
	faultRateLimit fault = "429"       // a storm of 429s
	faultMalformed fault = "malformed" // 200 with broken JSON
	faultWrongDims fault = "dims"      // vectors of another dimension
)

// faultyEmbedder is an OpenAI-compatible embedding server that answers like
// fakeembed for its first `healthy` requests, then fails with `mode`.
type faultyEmbedder struct {
	*httptest.Server
	mode     atomic.Value // fault; "" is healthy
	healthy  atomic.Int64 // healthy answers left once a mode is set
	requests atomic.Int64
}

func newFaultyEmbedder(t *testing.T) *faultyEmbedder {
	f := &faultyEmbedder{}
	f.mode.Store(fault(""))
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

// failAfter makes the server fail with mode after n more healthy answers.
func (f *faultyEmbedder) failAfter(n int64, mode fault) {
	f.healthy.Store(n)
	f.mode.Store(mode)
}

func (f *faultyEmbedder) serve(w http.ResponseWriter, r *http.Request) {
	f.requests.Add(1)
	var req struct {
		Input []string `json:"input"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, `{"error":{"message":"bad json"}}`, http.StatusBadRequest)
		return
	}
	mode := f.mode.Load().(fault)
	if mode != "" && f.healthy.Add(-1) >= 0 {
		mode = ""
	}
	dims := fakeembed.Dims
	switch mode {
	case faultTimeout:
		<-r.Context().Done() // the client gives up and closes the connection
		return
	case faultDrop:
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close()
		}
		return
	case faultRateLimit:
		w.Header().Set("Retry-After", "0")
		http.Error(w, `{"error":{"message":"slow down","type":"rate_limit"}}`, http.StatusTooManyRequests)
		return
	case faultMalformed:
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.1,0.2,}]}`)
		return
	case faultWrongDims:
		dims = fakeembed.Dims / 2
	}
	type datum struct {
		Object    string    `json:"object"`
		Index     int       `json:"index"`
		Embedding []float32 `json:"embedding"`
	}
	data := make([]datum, len(req.Input))
	for i, in := range req.Input {
		data[i] = datum{Object: "embedding", Index: i, Embedding: fakeembed.Vector(in)[:dims]}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"object": "list", "data": data, "model": "fake"})
}

// writeFeed writes an RSS feed of n posts, each with a few paragraphs that
// carry word, and returns its path.
func writeFeed(t *testing.T, dir, name, word string, n int) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0"?><rss version="2.0"><channel><title>%s</title><link>https://%s.example.com/</link>`, name, name)
	for i := range n {
		fmt.Fprintf(&b, `<item><title>%s post %d</title><link>https://%s.example.com/p/%d</link><guid>https://%s.example.com/p/%d</guid><description><![CDATA[`,
			word, i, name, i, name, i)
		for p := range 3 {
			fmt.Fprintf(&b, "<h2>Part %d</h2><p>Paragraph %d of post %d is about %s and nothing else, written at length so that it fills a chunk of its own. ", p, p, i, word)
			b.WriteString(strings.Repeat(word+" matters here. ", 6))
			b.WriteString("</p>")
		}
		b.WriteString(`]]></description></item>`)
	}
	b.WriteString(`</channel></rss>`)
	path := filepath.Join(dir, name+".xml")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// openWithFaultyEmbedder opens an app on a fresh data dir whose embedder is
// a faulty server with a short per-request timeout; both close at cleanup.
func openWithFaultyEmbedder(t *testing.T) (*faultyEmbedder, *App) {
	t.Helper()
	emb := newFaultyEmbedder(t)
	a, err := Open(context.Background(), Config{
		DataDir:      filepath.Join(t.TempDir(), "data"),
		EmbedURL:     emb.URL + "/v1",
		EmbedModel:   "fake",
		EmbedDims:    fakeembed.Dims,
		EmbedTimeout: 300 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return emb, a
}

// TestApp_IngestFaultyEmbedder ingests a feed while the embedding server
// fails in each way a real one does, after answering the first batch: the
// source fails with a clear error after bounded retries, none of its posts
// is stored, what was indexed before is intact and lexical search answers.
func TestApp_IngestFaultyEmbedder(t *testing.T) {
	cases := []struct {
		mode fault
		want string // in the per-source error
	}{
		{faultTimeout, "timed out"},
		{faultDrop, "embedding server"},
		{faultRateLimit, "rate limiting (429)"},
		{faultMalformed, "malformed JSON"},
		{faultWrongDims, "dimensions"},
	}
	for _, tc := range cases {
		t.Run(string(tc.mode), func(t *testing.T) {
			t.Parallel() // the retrying modes spend their time waiting
			ctx := context.Background()
			emb, a := openWithFaultyEmbedder(t)
			dir := t.TempDir()
			good := writeFeed(t, dir, "good", "lighthouse", 5)
			bad := writeFeed(t, dir, "bad", "submarine", 60) // > one 64-text batch

			rep, err := a.Ingest(ctx, []string{good}, IngestOptions{})
			if err != nil || rep.Sources[0].Error != "" || rep.Posts != 5 {
				t.Fatalf("healthy ingest: %+v, %v", rep, err)
			}
			before, err := a.Stats(ctx)
			if err != nil {
				t.Fatal(err)
			}

			emb.failAfter(1, tc.mode) // the first batch of the bad feed succeeds
			start := time.Now()
			rep, err = a.Ingest(ctx, []string{bad}, IngestOptions{})
			took := time.Since(start)
			if err != nil {
				t.Fatalf("ingest returned a call-level error, want a per-source one: %v", err)
			}
			if len(rep.Sources) != 1 || rep.Sources[0].Error == "" {
				t.Fatalf("report %+v: want the source to fail", rep)
			}
			msg := rep.Sources[0].Error
			t.Logf("%s: failed after %d requests in %s: %s", tc.mode, emb.requests.Load(), took.Round(time.Millisecond), msg)
			if !strings.Contains(msg, tc.want) {
				t.Errorf("source error %q does not say %q", msg, tc.want)
			}
			if rep.Sources[0].Posts != 0 || rep.Posts != 0 {
				t.Errorf("report counts stored posts for a failed source: %+v", rep)
			}
			// Bounded retries: 5 retries of 300ms with ≤ 15.5s of backoff.
			if took > 30*time.Second {
				t.Errorf("ingest took %s: retries are not bounded", took)
			}

			if err := a.Verify(ctx); err != nil {
				t.Fatal(err)
			}
			after, err := a.Stats(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if after.Posts != before.Posts || after.Chunks != before.Chunks {
				t.Errorf("stats changed by a failed source: before %+v, after %+v", before, after)
			}
			ids, err := a.PostIDs(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, id := range ids {
				if strings.Contains(id, "bad.example.com") {
					t.Errorf("post %s of the failed source was stored", id)
				}
			}

			// Lexical search needs no embedder: it answers from what is indexed.
			res, err := a.Search(ctx, semsearch.Query{Text: "lighthouse", K: 10, Mode: semsearch.ModeLexical})
			if err != nil || len(res) != 5 {
				t.Fatalf("lexical search with the embedder failing: %d results, %v", len(res), err)
			}
			res, err = a.Search(ctx, semsearch.Query{Text: "submarine", K: 10, Mode: semsearch.ModeLexical})
			if err != nil || len(res) != 0 {
				t.Errorf("lexical search finds the failed source: %d results, %v", len(res), err)
			}
			checkHybridWhileDown(t, a, tc.mode)
		})
	}
}

// checkHybridWhileDown runs a hybrid search while the embedder fails: it
// answers from the lexical index alone, within the query's embedding budget.
func checkHybridWhileDown(t *testing.T, a *App, mode fault) {
	t.Helper()
	start := time.Now()
	res, err := a.Search(context.Background(), semsearch.Query{Text: "lighthouse", K: 10, Mode: semsearch.ModeHybrid})
	took := time.Since(start)
	t.Logf("%s: hybrid search with the embedder down: %d results, err %v, in %s", mode, len(res), err, took.Round(time.Millisecond))
	if err != nil || len(res) != 5 {
		t.Errorf("hybrid search did not degrade to lexical: %d results, %v", len(res), err)
	}
	if took > 30*time.Second {
		t.Errorf("hybrid search took %s", took)
	}
}

// TestApp_IngestFaultySourceAmongGood checks that a failing embedder call
// for one source of several leaves the others stored: errors are per source.
func TestApp_IngestFaultySourceAmongGood(t *testing.T) {
	ctx := context.Background()
	emb, a := openWithFaultyEmbedder(t)
	dir := t.TempDir()
	first := writeFeed(t, dir, "first", "lighthouse", 3)
	second := writeFeed(t, dir, "second", "submarine", 3)
	// Each small feed is one request: the first answers, the second gets
	// vectors of the wrong dimension (not retried).
	emb.failAfter(1, faultWrongDims)
	rep, err := a.Ingest(ctx, []string{first, second}, IngestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Sources) != 2 || rep.Sources[0].Error != "" || rep.Sources[1].Error == "" {
		t.Fatalf("report %+v: want the first source stored and the second failed", rep)
	}
	if rep.Posts != 3 || rep.Sources[0].Posts != 3 {
		t.Errorf("report %+v: want the 3 posts of the first source", rep)
	}
	ids, err := a.PostIDs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 3 || slices.ContainsFunc(ids, func(id string) bool { return strings.Contains(id, "second.example.com") }) {
		t.Errorf("stored posts %v: want only the first source's 3", ids)
	}
	if err := a.Verify(ctx); err != nil {
		t.Fatal(err)
	}
}
