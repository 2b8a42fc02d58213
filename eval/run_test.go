package eval

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/semsearch/semsearch"
)

// fakeEngine is an in-memory index: a post scores the number of query words
// its title and text contain.
type fakeEngine struct {
	dir    string
	posts  map[string]semsearch.Post
	calls  int
	closed bool
}

func (f *fakeEngine) IngestPosts(_ context.Context, _ string, posts []semsearch.Post) (semsearch.SourceReport, error) {
	f.calls++
	rep := semsearch.SourceReport{}
	for _, p := range posts {
		if old, ok := f.posts[p.ID]; ok && old.ContentHash == p.ContentHash {
			rep.Unchanged++
			continue
		}
		f.posts[p.ID] = p
		rep.Posts++
	}
	return rep, nil
}

func (f *fakeEngine) Search(_ context.Context, q semsearch.Query) ([]semsearch.Result, error) {
	var res []semsearch.Result
	for _, p := range f.posts {
		n := 0
		for _, w := range strings.Fields(strings.ToLower(q.Text)) {
			if strings.Contains(strings.ToLower(p.Title+" "+p.Text), w) {
				n++
			}
		}
		if n > 0 {
			res = append(res, semsearch.Result{ID: p.ID, Title: p.Title, Score: float64(n)})
		}
	}
	sort.Slice(res, func(i, j int) bool { return res[i].Score > res[j].Score })
	return res[:min(len(res), q.K)], nil
}

func (f *fakeEngine) Post(_ context.Context, id string) (semsearch.Post, error) {
	p, ok := f.posts[id]
	if !ok {
		return p, semsearch.Errorf(semsearch.ENotFound, "no post %s", id)
	}
	return p, nil
}

func (f *fakeEngine) Close() error { f.closed = true; return nil }

func TestRun_FakeEngine(t *testing.T) {
	work := t.TempDir()
	engines := map[string]*fakeEngine{}
	open := func(_ context.Context, dir string) (Engine, error) {
		if engines[dir] == nil {
			engines[dir] = &fakeEngine{dir: dir, posts: map[string]semsearch.Post{}}
		}
		return engines[dir], nil
	}
	runOut := filepath.Join(t.TempDir(), "run.txt")
	opts := Options{Dataset: filepath.Join("testdata", "tiny"), Mode: semsearch.ModeLexical, WorkDir: work, RunOut: runOut}
	rep, err := Run(context.Background(), opts, open)
	if err != nil {
		t.Fatal(err)
	}
	e := engines[work]
	if e == nil || !e.closed || len(e.posts) != 3 {
		t.Fatalf("engine not opened in the work dir, filled and closed: %+v", engines)
	}
	if rep.Dataset != "tiny" || rep.Mode != "lexical" || rep.Queries != 2 {
		t.Errorf("report = %+v", rep)
	}
	// "ropes" finds only doc 2 (relevant) at rank 1.
	data, err := os.ReadFile(runOut)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "2 Q0 2 1 1 semsearch-lexical\n") {
		t.Errorf("run file lacks the hit for query 2:\n%s", data)
	}
	// The figures are those of the run file.
	back, err := ReadTRECRun(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	ds, _ := LoadBEIR(opts.Dataset)
	if again := ScoreRun("tiny", back, ds.Qrels); again.NDCG10 != rep.NDCG10 || again.MRR10 != rep.MRR10 {
		t.Errorf("run file scores %+v, report %+v", again, rep)
	}

	// A second run re-ingests nothing new.
	before := len(e.posts)
	if _, err := Run(context.Background(), opts, open); err != nil {
		t.Fatal(err)
	}
	if len(e.posts) != before {
		t.Errorf("second run changed the index: %d posts, want %d", len(e.posts), before)
	}
}

func TestRun_BadOptions(t *testing.T) {
	open := func(context.Context, string) (Engine, error) {
		t.Fatal("opened an index for bad options")
		return nil, nil
	}
	for _, opts := range []Options{
		{Dataset: filepath.Join("testdata", "tiny"), Mode: "fuzzy"},
		{Dataset: filepath.Join("testdata", "tiny"), K: 101},
		{Dataset: filepath.Join("testdata", "missing")},
	} {
		_, err := Run(context.Background(), opts, open)
		if semsearch.ErrorCode(err) != semsearch.EInvalid {
			t.Errorf("%+v: err = %v, want an invalid error", opts, err)
		}
	}
}

func TestRunQuestions_FakeEngine(t *testing.T) {
	e := &fakeEngine{posts: map[string]semsearch.Post{
		"a": {ID: "a", Title: "Text Editor Data Structures", Text: "gap buffers and a rope"},
		"b": {ID: "b", Title: "Kubernetes operators", Text: "controllers"},
		"c": {ID: "c", Title: "Hooks", Text: "a webhook is an HTTP callback for kubernetes"},
	}}
	rep, err := RunQuestions(context.Background(), filepath.Join("testdata", "questions.jsonl"), semsearch.ModeVector, 10, e)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Dataset != "questions" || rep.Mode != "vector" || rep.Queries != 2 || rep.Recall10 != 1 {
		t.Errorf("report = %+v", rep)
	}
}

func TestReport_JSONKeys(t *testing.T) {
	b, err := json.Marshal(Report{Dataset: "d", Mode: "hybrid", NDCG10: 0.5, Queries: 3})
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	want := []string{"dataset", "mode", "mrr@10", "ndcg@10", "queries", "recall@10", "recall@100"}
	if !reflect.DeepEqual(keys, want) {
		t.Errorf("keys = %v, want %v", keys, want)
	}
}

func TestCacheDir(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", "/tmp/cache")
	t.Setenv("HOME", "/tmp/home")
	got, err := CacheDir("scifact", "org/model:v1")
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join("/tmp/cache", "semsearch", "eval", "scifact-org_model_v1"); got != want && !strings.HasSuffix(got, filepath.Join("semsearch", "eval", "scifact-org_model_v1")) {
		t.Errorf("CacheDir = %q, want %q", got, want)
	}
}
