package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/internal/fakeembed"
	"github.com/semsearch/semsearch/wire"
)

// growingFeed is a feed that gains `step` items each time it is read in
// full, until frozen; each item's text carries a zqmarker word.
type growingFeed struct {
	*httptest.Server
	mu     sync.Mutex
	n      int
	step   int
	frozen bool
}

func newGrowingFeed(t *testing.T, n, step int) *growingFeed {
	g := &growingFeed{n: n, step: step}
	// Assigned before Start: the handler reads g.URL, and the race detector
	// cannot see the ordering through the semsearch process's requests.
	g.Server = httptest.NewUnstartedServer(http.HandlerFunc(g.serve))
	g.Start()
	t.Cleanup(g.Close)
	return g
}

func (g *growingFeed) size() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.n
}

func (g *growingFeed) freeze() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.frozen = true
}

func (g *growingFeed) serve(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	etag := fmt.Sprintf(`"n%d"`, g.n)
	if r.Header.Get("If-None-Match") == etag && g.frozen {
		g.mu.Unlock()
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if !g.frozen && r.Header.Get("If-None-Match") != "" {
		g.n += g.step // readers that come back find new posts
		etag = fmt.Sprintf(`"n%d"`, g.n)
	}
	n := g.n
	g.mu.Unlock()
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>Growing</title>`)
	for i := n - 1; i >= 0; i-- {
		fmt.Fprintf(&b, "<item><guid>%s/p/%d</guid><title>Post %d</title><description>Post %d carries the word zqmarker%04d among enough other words to make a passage.</description></item>",
			g.URL, i, i, i, i)
	}
	b.WriteString("</channel></rss>")
	w.Header().Set("ETag", etag)
	w.Header().Set("Content-Type", "application/rss+xml")
	w.Write([]byte(b.String()))
}

var pollEvent = regexp.MustCompile(`msg="?(post stored|polled)"?(?: id=(\S+))?`)

// serveUntilKilled runs `semsearch serve` and SIGKILLs it after `after`
// poll events (a post stored, a poll recorded) of its log; it returns the
// IDs of the posts it logged as stored before the kill.
func serveUntilKilled(t *testing.T, env []string, after int, args ...string) []string {
	t.Helper()
	cmd := exec.Command(binPath, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	timer := time.AfterFunc(2*time.Minute, func() { // a hung server fails the test, not CI
		cmd.Process.Kill()
		close(done)
	})
	defer timer.Stop()
	var stored []string
	events := 0
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		m := pollEvent.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		if m[1] == "post stored" {
			stored = append(stored, m[2])
		}
		if events++; events >= after {
			_ = cmd.Process.Signal(syscall.SIGKILL)
			break
		}
	}
	for sc.Scan() {
	}
	_ = cmd.Wait()
	select {
	case <-done:
		t.Fatal("serve did not reach the kill point within 2 minutes")
	default:
	}
	return stored
}

// TestCrash_KillDuringPoll SIGKILLs `serve` while its poller stores the
// posts of a feed that grows at every poll, at a random event each run. On
// restart the store verifies, every post logged as stored is searchable,
// the source is consistent, and a poll by hand then brings every post in
// exactly once, each linked to its source.
func TestCrash_KillDuringPoll(t *testing.T) {
	fake := fakeembed.New()
	defer fake.Close()
	seed := time.Now().UnixNano()
	t.Logf("random seed %d", seed)
	rng := rand.New(rand.NewPCG(uint64(seed), 0))
	const runs = 12
	for run := range runs {
		env, cfg := crashEnv(t, fake.URL+"/v1", "fake")
		feed := newGrowingFeed(t, 5, 15)
		cli(t, env, 0, "add", "--allow-private", "--poll-min-interval", "1s", "--interval", "1s", feed.URL+"/feed.xml")
		after := 1 + rng.IntN(40)
		stored := serveUntilKilled(t, env, after, "--allow-private", "--poll-min-interval", "1s")

		a := openChecked(t, cfg)
		for _, id := range stored {
			if !searchable(t, a, id) {
				t.Fatalf("run %d (killed after %d events): post %s was logged stored but is not searchable", run, after, id)
			}
		}
		subs, err := a.Sources(context.Background())
		if err != nil || len(subs) != 1 || subs[0].Status == semsearch.StatusError || subs[0].Errors != 0 {
			t.Fatalf("run %d: sources after the kill: %+v, %v", run, subs, err)
		}
		st, _ := a.Stats(context.Background())
		if subs[0].Posts > st.Posts {
			t.Fatalf("run %d: the source links %d posts, the store has %d", run, subs[0].Posts, st.Posts)
		}
		t.Logf("run %d: killed after %d poll events: %d posts logged stored, %d in the store, %d linked, feed at %d", run, after, len(stored), st.Posts, subs[0].Posts, feed.size())
		a.Close()

		feed.freeze()
		var polled wire.PollResponse
		if err := json.Unmarshal(cli(t, env, 0, "poll", "--all", "--json"), &polled); err != nil || len(polled.Sources) != 1 || polled.Sources[0].Error != "" {
			t.Fatalf("run %d: poll after the kill: %+v, %v", run, polled, err)
		}
		a = openChecked(t, cfg)
		st, _ = a.Stats(context.Background())
		subs, _ = a.Sources(context.Background())
		if n := feed.size(); st.Posts != n || subs[0].Posts != n {
			t.Fatalf("run %d: %d posts stored and %d linked, want the feed's %d", run, st.Posts, subs[0].Posts, n)
		}
		a.Close()
	}
}
