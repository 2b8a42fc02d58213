package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/app"
	"github.com/semsearch/semsearch/index"
	"github.com/semsearch/semsearch/internal/fakeembed"
	"github.com/semsearch/semsearch/internal/vecmath"
)

// crashRuns is how many times each crash scenario kills a child process.
const crashRuns = 20

// crashCorpus writes n markdown posts, each with a unique marker word, and
// returns the directory.
func crashCorpus(t *testing.T, n int) string {
	t.Helper()
	dir := t.TempDir()
	topics := []string{"fsync and durable writes", "io_uring submission queues", "raft leader election",
		"sqlite write-ahead logging", "go generics", "crdt text editing", "tcp congestion control"}
	for i := range n {
		marker := fmt.Sprintf("zqmarker%04d", i)
		topic := topics[i%len(topics)]
		var b strings.Builder
		fmt.Fprintf(&b, "---\ntitle: Post %d about %s\ndate: 2024-01-%02d\ntags: [crash]\n---\n\n", i, topic, i%28+1)
		for p := range 6 {
			fmt.Fprintf(&b, "## Part %d\n\nThis is paragraph %d of post %d on %s, with the word %s. ", p, p, i, topic, marker)
			b.WriteString(strings.Repeat("Durable systems write, sync, and verify before they acknowledge a request. ", 8))
			b.WriteString("\n\n")
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("post-%04d.md", i)), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// killAfter runs the binary and SIGKILLs it once lines matching pattern have
// been printed `after` times (or it exits by itself). It returns the first
// capture group of every matching line seen before the kill.
func killAfter(t *testing.T, env []string, pattern *regexp.Regexp, after int, args ...string) []string {
	t.Helper()
	cmd := exec.Command(binPath, args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout // both streams, in order
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var seen []string
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if m := pattern.FindStringSubmatch(sc.Text()); m != nil {
			seen = append(seen, m[1])
			if len(seen) >= after {
				_ = cmd.Process.Signal(syscall.SIGKILL)
				break
			}
		}
	}
	for sc.Scan() { // drain until the pipe closes
	}
	_ = cmd.Wait()
	return seen
}

// openChecked opens the data dir in-process, checks the store's invariants
// and returns the app; the caller closes it.
func openChecked(t *testing.T, cfg app.Config) *app.App {
	t.Helper()
	a, err := app.Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("reopen after kill: %v", err)
	}
	if err := a.Verify(context.Background()); err != nil {
		a.Close()
		t.Fatalf("index invariants after kill: %v", err)
	}
	return a
}

var markerWord = regexp.MustCompile(`zqmarker\d{4}`)

// searchable checks that the stored post id is the top lexical hit for the
// marker word in its text. (Its vectors are checked by Verify, which
// compares the in-memory vector index with the durable one.)
func searchable(t *testing.T, a *app.App, id string) bool {
	t.Helper()
	ctx := context.Background()
	p, err := a.Post(ctx, id)
	if err != nil {
		t.Logf("post %s: %v", id, err)
		return false
	}
	marker := markerWord.FindString(p.Text)
	res, err := a.Search(ctx, semsearch.Query{Text: marker, K: 1, Mode: semsearch.ModeLexical})
	if err != nil {
		t.Fatalf("search %s: %v", marker, err)
	}
	if len(res) != 1 || res[0].ID != id {
		t.Logf("search for %s (post %s): %v", marker, id, resultIDs(res))
		return false
	}
	return true
}

// vectorsFindThemselves opens the index with the default (fast) vector
// index and checks that every chunk of the given posts is found by a vector
// query with its own vector: the in-memory index rebuilt after a kill holds
// exactly what the durable store acknowledged.
func vectorsFindThemselves(t *testing.T, dir string, posts []string) {
	t.Helper()
	ctx := context.Background()
	st, err := index.Open(ctx, dir, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, id := range posts {
		chunks, vecs, err := st.PostChunks(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range vecs {
			hits, err := st.VectorSearch(ctx, v, 1, semsearch.Filter{})
			if err != nil {
				t.Fatal(err)
			}
			self := float64(vecmath.Dot(v, v))
			if len(hits) != 1 || (hits[0].ChunkID != chunks[i].ID && hits[0].Score < self-1e-6) {
				t.Fatalf("chunk %s of post %s: a vector query with its own vector gives %v", chunks[i].ID, id, hits)
			}
		}
	}
}

// randomPost returns the ID of a random stored post.
func randomPost(t *testing.T, a *app.App, rng *rand.Rand) string {
	t.Helper()
	ids, err := a.PostIDs(context.Background())
	if err != nil || len(ids) == 0 {
		t.Fatalf("post ids: %d, %v", len(ids), err)
	}
	return ids[rng.IntN(len(ids))]
}

var storedLine = regexp.MustCompile(`msg="post stored" id=(\S+)`)

func crashEnv(t *testing.T, embedURL, model string) ([]string, app.Config) {
	data := t.TempDir()
	env := []string{"SEMSEARCH_DATA=" + data, "SEMSEARCH_EMBED_URL=" + embedURL, "SEMSEARCH_EMBED_MODEL=" + model, "SEMSEARCH_LOG_LEVEL=debug"}
	return env, app.Config{DataDir: data, EmbedURL: embedURL, EmbedModel: model}
}

func TestCrash_KillDuringIngest(t *testing.T) {
	const n = 120
	corpus := crashCorpus(t, n)
	fake := fakeembed.New()
	defer fake.Close()
	seed := time.Now().UnixNano()
	t.Logf("random seed %d", seed)
	rng := rand.New(rand.NewPCG(uint64(seed), 0))

	for run := range crashRuns {
		env, cfg := crashEnv(t, fake.URL+"/v1", "fake")
		after := 1 + rng.IntN(n-1)
		stored := killAfter(t, env, storedLine, after, "ingest", corpus)
		a := openChecked(t, cfg)
		for _, id := range stored {
			if !searchable(t, a, id) {
				t.Fatalf("run %d: post %s was reported stored before the kill but is not searchable", run, id)
			}
		}
		a.Close()
		vectorsFindThemselves(t, cfg.DataDir, stored)

		var rep semsearch.IngestReport
		if err := json.Unmarshal(cli(t, env, 0, "ingest", "--json", corpus), &rep); err != nil {
			t.Fatal(err)
		}
		if rep.Posts+rep.Unchanged != n || rep.Unchanged < len(stored) {
			t.Fatalf("run %d: re-ingest stored %d + %d unchanged, want %d in all with ≥ %d unchanged", run, rep.Posts, rep.Unchanged, n, len(stored))
		}
		a = openChecked(t, cfg)
		st, err := a.Stats(context.Background())
		if err != nil || st.Posts != n {
			t.Fatalf("run %d: stats %+v, %v: want %d posts", run, st, err, n)
		}
		if id := randomPost(t, a, rng); !searchable(t, a, id) {
			t.Fatalf("run %d: post %s is not searchable after the completed re-ingest", run, id)
		}
		a.Close()
	}
}

func TestCrash_KillDuringReindex(t *testing.T) {
	const n = 60
	corpus := crashCorpus(t, n)
	fake := fakeembed.New()
	defer fake.Close()
	env, cfg := crashEnv(t, fake.URL+"/v1", "fake")
	cli(t, env, 0, "ingest", corpus)
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	other := map[string]string{"fake": "fake-2", "fake-2": "fake"}

	// Each run reindexes to the other model and is killed after a random
	// number of posts. A kill late in the run can land after the swap (the
	// commit point), so either model may be in place afterwards, but the
	// index must be whole under exactly one of them.
	current, swapped := "fake", 0
	for run := range crashRuns {
		target := other[current]
		killAfter(t, withModel(env, target), storedLine, 1+rng.IntN(n-1), "reindex")
		got := storedModel(t, cfg.DataDir)
		if got != current && got != target {
			t.Fatalf("run %d: after a killed reindex from %s to %s the index has model %q", run, current, target, got)
		}
		if got == target {
			swapped++
		}
		current = got
		runCfg := cfg
		runCfg.EmbedModel = current
		a := openChecked(t, runCfg)
		if st, _ := a.Stats(context.Background()); st.Posts != n {
			t.Fatalf("run %d: after a killed reindex: %+v, want %d posts", run, st, n)
		}
		if id := randomPost(t, a, rng); !searchable(t, a, id) {
			t.Fatalf("run %d: post %s is not searchable after a killed reindex", run, id)
		}
		a.Close()
	}
	t.Logf("%d of %d kills landed after the swap", swapped, crashRuns)

	target := other[current]
	var rep semsearch.IngestReport
	if err := json.Unmarshal(cli(t, withModel(env, target), 0, "reindex", "--json"), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Posts != n {
		t.Fatalf("completed reindex stored %d posts, want %d", rep.Posts, n)
	}
	doneCfg := cfg
	doneCfg.EmbedModel = target
	a := openChecked(t, doneCfg)
	defer a.Close()
	if st, _ := a.Stats(context.Background()); st.Posts != n || st.Model != target {
		t.Fatalf("after reindex: %+v, want %d posts of model %s", st, n, target)
	}
}

func withModel(env []string, model string) []string {
	return append(append([]string{}, env...), "SEMSEARCH_EMBED_MODEL="+model)
}

// storedModel reads which model the index in dir was built with.
func storedModel(t *testing.T, dir string) string {
	t.Helper()
	s, err := index.Open(context.Background(), dir, "", 0)
	if err != nil {
		t.Fatalf("reopen after kill: %v", err)
	}
	defer s.Close()
	model, _ := s.Model()
	return model
}

var deletedLine = regexp.MustCompile(`^deleted (\S+)`)

func TestCrash_KillDuringDelete(t *testing.T) {
	const n = 60
	corpus := crashCorpus(t, n)
	fake := fakeembed.New()
	defer fake.Close()
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 2))
	env, cfg := crashEnv(t, fake.URL+"/v1", "fake")
	cli(t, env, 0, "ingest", corpus)
	a := openChecked(t, cfg)
	ids, err := a.PostIDs(context.Background())
	a.Close()
	if err != nil || len(ids) != n {
		t.Fatalf("post ids: %d, %v", len(ids), err)
	}

	for run := 0; run < crashRuns && len(ids) > 1; run++ {
		batch := ids[:min(len(ids), 5)]
		deleted := killAfter(t, env, deletedLine, 1+rng.IntN(len(batch)), append([]string{"delete"}, batch...)...)
		a := openChecked(t, cfg)
		left, err := a.PostIDs(context.Background())
		a.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range deleted {
			for _, l := range left {
				if l == id {
					t.Fatalf("run %d: %s was reported deleted but is still stored", run, id)
				}
			}
		}
		ids = left
	}
}
