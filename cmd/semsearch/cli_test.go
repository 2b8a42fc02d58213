package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/internal/fakeembed"
	"github.com/semsearch/semsearch/wire"
)

func TestCLI_Help(t *testing.T) {
	for _, cmd := range []string{"ingest", "serve", "search", "ask", "gaps", "show", "related", "stats", "delete", "reindex", "eval", "model", "model pull", "mcp", "openapi"} {
		t.Run(cmd, func(t *testing.T) {
			out := string(cli(t, nil, 0, append(strings.Fields(cmd), "--help")...))
			if !strings.Contains(out, "Usage:") || !strings.Contains(out, "--data") {
				t.Errorf("%s --help:\n%s", cmd, out)
			}
		})
	}
}

// TestCLI_FlagUsage checks that every flag's usage names a value type
// that reads as one (cobra takes a back-quoted word for it: "`make model`"
// once showed as "--models make model").
func TestCLI_FlagUsage(t *testing.T) {
	root := newRootCommand(&cliEnv{})
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		check := func(f *pflag.Flag) {
			name, _ := pflag.UnquoteUsage(f)
			if strings.ContainsAny(name, " '\"") {
				t.Errorf("%s --%s: value shown as %q", c.CommandPath(), f.Name, name)
			}
		}
		c.LocalFlags().VisitAll(check)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	out := string(cli(t, nil, 0, "serve", "--help"))
	for _, want := range []string{"--models DIR", "--cors-origin ORIGIN "} {
		if !strings.Contains(out, want) {
			t.Errorf("serve --help lacks %q:\n%s", want, out)
		}
	}
}

// keysOf decodes a JSON object and returns its sorted keys.
func keysOf(t *testing.T, data []byte) []string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("not a JSON object: %v\n%s", err, data)
	}
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// TestCLI_JSONContract checks the --json bodies against the contract table
// of ../shared/DESIGN.md, with a fake embedding server for speed.
func TestCLI_JSONContract(t *testing.T) {
	fake := fakeembed.New()
	defer fake.Close()
	env := []string{"SEMSEARCH_DATA=" + t.TempDir(), "SEMSEARCH_EMBED_URL=" + fake.URL + "/v1", "SEMSEARCH_EMBED_MODEL=fake"}
	dir := t.TempDir()
	post := filepath.Join(dir, "raft.md")
	os.WriteFile(post, []byte("---\ntitle: Raft leader election\nauthor: Ada\ntags: [raft]\n---\n\nA follower that hears no heartbeat becomes a candidate and asks for votes.\n"), 0o644)

	// A missing source fails on its own; the good one still goes in; exit 1.
	out := cli(t, env, 1, "ingest", "--json", post, filepath.Join(dir, "missing.xml"))
	if got := keysOf(t, out); !slices.Equal(got, []string{"chunks", "posts", "sources", "unchanged"}) {
		t.Errorf("ingest --json keys %v", got)
	}
	var rep semsearch.IngestReport
	json.Unmarshal(out, &rep)
	if rep.Posts != 1 || len(rep.Sources) != 2 || rep.Sources[0].Error != "" || !strings.Contains(rep.Sources[1].Error, "missing.xml") {
		t.Fatalf("ingest report %+v", rep)
	}

	// Standard input is a source too.
	cmd := exec.Command(binPath, "ingest", "--json", "-")
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = strings.NewReader("# Gossip protocols\n\nEpidemic broadcast spreads updates in O(log n) rounds.\n")
	stdinOut, err := cmd.Output()
	if err != nil {
		t.Fatalf("ingest -: %v", err)
	}
	json.Unmarshal(stdinOut, &rep)
	if rep.Posts != 1 {
		t.Fatalf("ingest - stored %d posts", rep.Posts)
	}

	out = cli(t, env, 0, "search", "--json", "--k", "5", "leader election votes")
	if got := keysOf(t, out); !slices.Equal(got, []string{"facets", "interpreted", "mode", "query", "results", "took_ms"}) {
		t.Errorf("search --json keys %v", got)
	}
	var sr struct {
		Results []json.RawMessage `json:"results"`
	}
	json.Unmarshal(out, &sr)
	if len(sr.Results) == 0 {
		t.Fatalf("search found nothing: %s", out)
	}
	if got := keysOf(t, sr.Results[0]); !slices.Equal(got, []string{"author", "id", "passages", "published", "score", "source", "title", "url"}) &&
		!slices.Equal(got, []string{"author", "id", "passages", "score", "source", "title", "url"}) {
		t.Errorf("search result keys %v", got)
	}
	var first semsearch.Result
	json.Unmarshal(sr.Results[0], &first)
	if first.Title != "Raft leader election" || first.Author != "Ada" {
		t.Errorf("top result %+v", first)
	}

	out = cli(t, env, 0, "show", "--json", first.ID)
	if got := keysOf(t, out); !slices.Equal(got, []string{"author", "id", "source", "tags", "text", "title", "url"}) &&
		!slices.Equal(got, []string{"author", "id", "published", "source", "tags", "text", "title", "url"}) {
		t.Errorf("show --json keys %v", got)
	}
	out = cli(t, env, 0, "related", "--json", first.ID)
	if got := keysOf(t, out); !slices.Equal(got, []string{"id", "results"}) {
		t.Errorf("related --json keys %v", got)
	}
	out = cli(t, env, 0, "ask", "--json", "--k", "3", "how does a follower become a candidate")
	if got := keysOf(t, out); !slices.Equal(got, []string{"answer", "answered", "confidence", "facets", "interpreted", "query", "results", "took_ms"}) {
		t.Errorf("ask --json keys %v", got)
	}
	var ar wire.AskResponse
	json.Unmarshal(out, &ar)
	if ar.Answer == nil || len(ar.Results) == 0 || ar.Confidence < 0 || ar.Confidence > 1 || (ar.Answered != (len(ar.Answer) > 0)) {
		t.Errorf("ask body %+v", ar)
	}
	cli(t, env, 2, "ask", "--k", "0", "x")

	// With a chat server, the answer is also phrased from its quotes.
	chat := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"choices":[{"index":0,"message":{"role":"assistant","content":"By winning a vote [1]."}}]}`)
	}))
	defer chat.Close()
	out = cli(t, env, 0, "ask", "--chat-url", chat.URL+"/v1", "--chat-model", "tiny-chat", "how does a follower become a candidate")
	if !ar.Answered || !strings.Contains(string(out), "By winning a vote [1].\n    — phrased by tiny-chat from the sentences below") || !strings.Contains(string(out), "  [1] ") {
		t.Errorf("ask with a chat server (answered %v):\n%s", ar.Answered, out)
	}
	cli(t, env, 1, "ask", "--chat-url", chat.URL+"/v1", "x") // no --chat-model: refused at open

	// gaps reads the query log serve keeps in the data dir.
	logged := `{"time":"2026-11-30T10:00:00Z","query":"sourdough proofing","answered":false,"confidence":0.1,"posts":[{"id":"p","title":"Raft"}]}
{"time":"2026-11-30T11:00:00Z","query":"Sourdough  proofing","answered":false,"confidence":0.2}
{"time":"2026-11-30T12:00:00Z","query":"raft votes","answered":true,"confidence":0.9}
`
	os.WriteFile(filepath.Join(strings.TrimPrefix(env[0], "SEMSEARCH_DATA="), "queries.jsonl"), []byte(logged), 0o600)
	out = cli(t, env, 0, "gaps", "--json", "--since", "2026-11-01")
	var gr wire.GapsResponse
	if err := json.Unmarshal(out, &gr); err != nil || len(gr.Gaps) != 1 || gr.Gaps[0].Count != 2 || len(gr.Gaps[0].Closest) != 1 {
		t.Errorf("gaps --json: %s (%v)", out, err)
	}
	if out := cli(t, env, 0, "gaps", "--since", "2026-12-01"); !strings.Contains(string(out), "no unanswered questions") {
		t.Errorf("gaps since a later date: %s", out)
	}
	cli(t, env, 2, "gaps", "--since", "soon")
	out = cli(t, env, 0, "stats", "--json")
	if got := keysOf(t, out); !slices.Equal(got, []string{"chunks", "dims", "model", "posts", "sources"}) {
		t.Errorf("stats --json keys %v", got)
	}

	// Bad input: a clear message and a non-zero exit, never a panic.
	cli(t, env, 2, "search", "--k", "1000", "x")
	cli(t, env, 2, "search", "--since", "yesterday", "x")
	cli(t, env, 1, "show", "no-such-post")
	cli(t, append(env, "SEMSEARCH_EMBED_TIMEOUT=soon"), 2, "stats")
	cli(t, append(env, "SEMSEARCH_EMBED_MODEL=other"), 1, "stats") // the index belongs to model "fake"
}

// TestCLI_ModelPull fetches the local model from a fake hub that serves the
// real files (taken from the models dir) in the hub's public layout, then
// verifies them; a hub serving corrupt bytes is refused.
func TestCLI_ModelPull(t *testing.T) {
	src := filepath.Join(modelsDir(t), "all-MiniLM-L6-v2")
	var corrupt atomic.Bool
	hub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		file, ok := strings.CutPrefix(r.URL.Path, "/sentence-transformers/all-MiniLM-L6-v2/resolve/main/")
		if !ok || strings.Contains(file, "..") {
			http.NotFound(w, r)
			return
		}
		if corrupt.Load() && file == "config.json" {
			w.Write([]byte(`{"corrupt": true}`))
			return
		}
		http.ServeFile(w, r, filepath.Join(src, filepath.FromSlash(file)))
	}))
	defer hub.Close()

	dest := t.TempDir()
	out := cli(t, nil, 0, "--models", dest, "model", "pull", "--hub", hub.URL, "all-MiniLM-L6-v2")
	if !strings.Contains(string(out), "all-MiniLM-L6-v2: ok") {
		t.Fatalf("pull: %s", out)
	}
	cli(t, nil, 0, "--models", dest, "model", "verify", "all-MiniLM-L6-v2")

	corrupt.Store(true)
	cli(t, nil, 1, "--models", t.TempDir(), "model", "pull", "--hub", hub.URL, "all-MiniLM-L6-v2")
	// Missing weights name the command that fetches them.
	cmd := exec.Command(binPath, "--models", t.TempDir(), "--data", t.TempDir(), "stats")
	msg, _ := cmd.CombinedOutput()
	if !strings.Contains(string(msg), "make model") && !strings.Contains(string(msg), "model pull") {
		t.Errorf("missing weights: %s", msg)
	}
}

// Test collections have queries longer than the API's limit (CISI's reach
// 1,400 characters); eval scores them whole instead of failing the run.
func TestCLI_EvalLongQueries(t *testing.T) {
	fake := fakeembed.New()
	defer fake.Close()
	ds := t.TempDir()
	files := map[string]string{
		"corpus.jsonl": `{"_id":"d1","title":"Rope data structures","text":"Editors keep large documents in ropes, balanced trees of strings."}
{"_id":"d2","title":"Gap buffers","text":"A gap buffer keeps free space at the cursor."}
`,
		"queries.jsonl": `{"_id":"q1","text":"` + strings.Repeat("how do editors store large documents in ropes ", 40) + `"}` + "\n",
		"qrels.tsv":     "query-id\tcorpus-id\tscore\nq1\td1\t1\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(ds, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	env := []string{"SEMSEARCH_EMBED_URL=" + fake.URL + "/v1", "SEMSEARCH_EMBED_MODEL=fake"}
	var rep struct {
		NDCG    float64 `json:"ndcg@10"`
		Queries int     `json:"queries"`
	}
	out := cli(t, env, 0, "eval", "--dataset", ds, "--mode", "hybrid", "--json", "--work", t.TempDir())
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if rep.Queries != 1 || rep.NDCG != 1 {
		t.Fatalf("eval of a 1,880-character query: %+v, want 1 query with nDCG@10 1", rep)
	}
}

// eval --related ingests the posts beside the judgments and prints the
// related ranking beside the TF-IDF baseline.
func TestCLI_EvalRelated(t *testing.T) {
	fake := fakeembed.New()
	defer fake.Close()
	root := t.TempDir()
	posts := map[string]string{
		"ropes.md":  "# Ropes\n\nA rope is a balanced tree of strings that editors use for large buffers.\n",
		"pieces.md": "# Piece tables\n\nA piece table keeps the original buffer and an add buffer; editors like it.\n",
		"bread.md":  "# Sourdough\n\nFlour, water and salt; the starter ferments overnight.\n",
	}
	os.Mkdir(filepath.Join(root, "seeds"), 0o755)
	os.Mkdir(filepath.Join(root, "eval"), 0o755)
	for name, body := range posts {
		if err := os.WriteFile(filepath.Join(root, "seeds", name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	judgments := filepath.Join(root, "eval", "related.jsonl")
	os.WriteFile(judgments, []byte(`{"post": "Ropes", "related": {"Piece tables": 2}}`+"\n"), 0o644)
	env := []string{"SEMSEARCH_EMBED_URL=" + fake.URL + "/v1", "SEMSEARCH_EMBED_MODEL=fake"}
	out := cli(t, env, 0, "eval", "--related", judgments, "--json", "--work", t.TempDir())
	var rep struct {
		Dataset string `json:"dataset"`
		Systems []struct {
			System  string  `json:"system"`
			NDCG    float64 `json:"ndcg@5"`
			Self    int     `json:"self"`
			Targets int     `json:"targets"`
		} `json:"systems"`
	}
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if rep.Dataset != "related" || len(rep.Systems) != 2 || rep.Systems[0].System != "related" || rep.Systems[1].System != "tfidf" {
		t.Fatalf("eval --related --json: %s", out)
	}
	for _, s := range rep.Systems {
		if s.Targets != 1 || s.Self != 0 {
			t.Errorf("%s: %+v, want 1 target and never the target itself", s.System, s)
		}
	}
	if rep.Systems[1].NDCG != 1 {
		t.Errorf("tfidf nDCG@5 %v, want 1 (the piece table shares the most terms)", rep.Systems[1].NDCG)
	}
	// Exactly one of --dataset, --questions, --related.
	cli(t, env, 2, "eval", "--related", judgments, "--questions", judgments)
}

// A reindex swaps the database file, so it must not run under a live server
// (the server would keep writing to the replaced file); an ingest beside the
// server is fine.
func TestCLI_ReindexRefusedWhileServing(t *testing.T) {
	fake := fakeembed.New()
	defer fake.Close()
	env, _ := crashEnv(t, fake.URL+"/v1", "fake")
	srv := startServer(t, env)
	posts := crashCorpus(t, 3)
	cli(t, env, 0, "ingest", posts)

	cmd := exec.Command(binPath, "reindex")
	cmd.Env = append(os.Environ(), withModel(env, "fake-2")...)
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() == 0 || !strings.Contains(string(out), "in use by another semsearch process") {
		t.Fatalf("reindex under a running server: %v\n%s", err, out)
	}
	srv.stop(t)

	var rep semsearch.IngestReport
	if err := json.Unmarshal(cli(t, withModel(env, "fake-2"), 0, "reindex", "--json"), &rep); err != nil || rep.Posts != 3 {
		t.Fatalf("reindex after the server stopped: %+v, %v", rep, err)
	}
}
