package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/internal/fakeembed"
	"github.com/semsearch/semsearch/internal/weaviatetest"
	"github.com/semsearch/semsearch/wire"
)

// isolate re-runs the test inside its own network namespace (see
// weaviatetest.Isolate), reusing this process's semsearch binary; it
// returns true inside.
func isolate(t *testing.T) bool {
	t.Helper()
	if !weaviatetest.Inside() {
		t.Setenv(envTestBinary, binPath)
	}
	return weaviatetest.Isolate(t)
}

// TestSemsearch_EndToEndWeaviate runs the end-to-end suite unchanged against
// a 3-node Weaviate cluster (replication 3, QUORUM).
func TestSemsearch_EndToEndWeaviate(t *testing.T) {
	models := modelsDir(t)
	if !isolate(t) {
		return
	}
	c := weaviatetest.Start(t, 3)
	endToEnd(t, []string{"SEMSEARCH_DATA=" + t.TempDir(), "SEMSEARCH_MODELS=" + models,
		"SEMSEARCH_BACKEND=weaviate", "SEMSEARCH_WEAVIATE_URL=" + c.URL()})
}

// TestWeaviate_TwoServersAndAKilledNode puts two stateless `semsearch serve`
// processes in front of one 3-node cluster (replication 3, QUORUM; each
// server lists every node and fails over), runs a bounded loop of searches
// and ingests through both while a follower, then the Raft leader, is
// SIGKILLed and restarted, and checks that every acknowledged post is
// searchable through both servers afterwards.
func TestWeaviate_TwoServersAndAKilledNode(t *testing.T) {
	if !isolate(t) {
		return
	}
	fake := fakeembed.New()
	defer fake.Close()
	pages := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := strings.TrimPrefix(r.URL.Path, "/post/")
		w.Header().Set("Content-Type", "text/markdown")
		fmt.Fprintf(w, "---\ntitle: Post %s on replicas\n---\n\nThis post carries the marker word marker%s and talks about quorum reads.\n", n, n)
	}))
	defer pages.Close()
	c := weaviatetest.Start(t, 3)
	const key = "k"
	// Each server knows every node and fails over; they start on different nodes.
	env := func(first int) []string {
		var urls []string
		for i := range c.Nodes {
			urls = append(urls, c.Nodes[(first+i)%len(c.Nodes)].URL)
		}
		return []string{"SEMSEARCH_DATA=" + t.TempDir(), "SEMSEARCH_EMBED_URL=" + fake.URL + "/v1", "SEMSEARCH_EMBED_MODEL=fake",
			"SEMSEARCH_BACKEND=weaviate", "SEMSEARCH_WEAVIATE_URL=" + strings.Join(urls, ","), "SEMSEARCH_WEAVIATE_TIMEOUT=20s"}
	}
	// The first server creates the classes through node 0 before the other starts.
	a := startServer(t, env(0), "--api-key", key, "--allow-private")
	b := startServer(t, env(1), "--api-key", key, "--allow-private")
	servers := []*serverProc{a, b}

	hc := &http.Client{Timeout: 60 * time.Second}
	ingest := func(s *serverProc, n int) bool {
		raw, _ := json.Marshal(wire.IngestRequest{Sources: []string{fmt.Sprintf("%s/post/%d", pages.URL, n)}})
		req, _ := http.NewRequest("POST", s.URL+"/api/ingest", bytes.NewReader(raw))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+key)
		res, err := hc.Do(req)
		if err != nil {
			t.Logf("ingest %d: %v", n, err)
			return false
		}
		defer res.Body.Close()
		var rep semsearch.IngestReport
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusOK || json.Unmarshal(body, &rep) != nil || rep.Posts != 1 {
			t.Logf("ingest %d: %d %s", n, res.StatusCode, body)
			return false
		}
		return true
	}
	found := func(s *serverProc, n int) (bool, error) {
		res, err := hc.Get(s.URL + "/api/search?k=3&q=" + url.QueryEscape(fmt.Sprintf("marker%d", n)))
		if err != nil {
			return false, err
		}
		defer res.Body.Close()
		var body wire.SearchResponse
		raw, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusOK {
			return false, fmt.Errorf("status %d: %s", res.StatusCode, raw)
		}
		if err := json.Unmarshal(raw, &body); err != nil {
			return false, err
		}
		want := fmt.Sprintf("%s/post/%d", pages.URL, n)
		return len(body.Results) > 0 && body.Results[0].URL == want, nil
	}

	var acked []int
	next := 0
	for ; next < 4; next++ {
		if !ingest(servers[next%2], next) {
			t.Fatalf("ingest %d with every node up failed", next)
		}
		acked = append(acked, next)
	}
	for _, s := range servers {
		if ok, err := found(s, 0); !ok || err != nil {
			t.Fatalf("post 0 not found through %s: %v", s.URL, err)
		}
	}

	// A follower first, then the Raft leader.
	for _, want := range []string{"Follower", "Leader"} {
		victim := -1
		for i := range c.Nodes {
			if c.RaftRole(i) == want {
				victim = i
				break
			}
		}
		if victim < 0 {
			t.Fatalf("no node is %s", want)
		}
		c.Kill(victim)
		t.Logf("killed %s (raft %s)", c.Nodes[victim].Name, want)
		const rounds = 12
		failedSearches, failedWrites := 0, 0
		start := time.Now()
		var slowest time.Duration
		for r := 0; r < rounds; r++ {
			for _, s := range servers {
				t0 := time.Now()
				ok, err := found(s, acked[r%len(acked)])
				if d := time.Since(t0); d > slowest {
					slowest = d
				}
				if err != nil || !ok {
					failedSearches++
					t.Logf("search through %s with %s down: found=%v err=%v", s.URL, c.Nodes[victim].Name, ok, err)
				}
			}
			if ingest(servers[r%2], next) {
				acked = append(acked, next)
			} else {
				failedWrites++
			}
			next++
		}
		t.Logf("with %s (%s) down: %d/%d searches failed, %d/%d writes failed, slowest search %v, loop %v",
			c.Nodes[victim].Name, want, failedSearches, 2*rounds, failedWrites, rounds, slowest.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
		if want == "Follower" && failedSearches > 0 {
			t.Errorf("%d searches failed while a follower was down, want 0", failedSearches)
		}
		t0 := time.Now()
		c.Restart(victim)
		t.Logf("%s back and the cluster whole after %v", c.Nodes[victim].Name, time.Since(t0).Round(time.Millisecond))
	}

	// Every acknowledged post is searchable through both servers. A
	// restarted node catches up on the writes it missed by async
	// replication, and a search may read its replica meanwhile: allow a
	// bounded catch-up and report it.
	t0 := time.Now()
	deadline := t0.Add(90 * time.Second)
	for _, n := range acked {
		for _, s := range servers {
			ok, err := found(s, n)
			for !ok && time.Now().Before(deadline) {
				c.WaitReady(10 * time.Second)
				ok, err = found(s, n)
			}
			if !ok {
				t.Errorf("acknowledged post %d not found through %s within 90 s: %v", n, s.URL, err)
			}
		}
	}
	t.Logf("checking every acknowledged post took %v", time.Since(t0).Round(time.Millisecond))
	t.Logf("%d acknowledged posts, all checked through both servers", len(acked))
}
