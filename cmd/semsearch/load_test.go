package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/internal/fakeembed"
	"github.com/semsearch/semsearch/internal/testenv"
)

// Load test shape: loadPosts posts (SEMSEARCH_LOAD_POSTS for another
// size) of loadSections sections, each section one chunk, so the index
// holds loadPosts×loadSections chunks.
const (
	loadPosts       = 2000
	loadSections    = 5
	loadConns       = 16
	defaultLoadTime = 5 * time.Second
)

// loadTopics are real words that queries and posts share; the rest of
// the vocabulary is made-up words, so that a query word matches a few
// percent of the chunks, as in real text, not all of them.
var loadTopics = strings.Fields(`
	fsync durable write ahead log sqlite page btree index vector cosine
	embedding model chunk passage query ranking fusion lexical token
	kernel scheduler thread goroutine channel mutex lock latency throughput
	cache eviction memory allocator garbage collector heap stack pointer
	network socket congestion packet quic certificate handshake
	raft leader election consensus replica quorum snapshot compaction
	compiler parser grammar lexer optimizer inline register assembly simd
	feed atom opml crawler robots sitemap markdown heading paragraph
	search engine relevance precision recall judgment dataset benchmark
	storage disk flash nvme queue interrupt driver filesystem inode`)

// loadVocabulary is loadTopics followed by 5,000 made-up words; texts draw
// from it with a Zipf distribution (rank 0 most frequent).
var loadVocabulary = func() []string {
	syll := strings.Fields("ka ve ri mo tu sa ne lo pi da go ru ze ba fi")
	v := slices.Clone(loadTopics)
	for i := range 5000 {
		w := ""
		for n := i + len(syll); n > 0; n /= len(syll) {
			w += syll[n%len(syll)]
		}
		v = append(v, w+"x")
	}
	return v
}()

// writeLoadCorpus writes the posts of the load test as Markdown files in
// a new directory: sections of ~120 words, each a chunk of its own under
// the default chunking.
func writeLoadCorpus(t *testing.T, posts int) string {
	t.Helper()
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(1, 2))
	zipf := rand.NewZipf(rng, 1.07, 2, uint64(len(loadVocabulary)-1))
	words := func(n int) string {
		w := make([]string, n)
		for i := range w {
			// Shuffle the ranks a little so topics are not always the
			// most frequent words.
			w[i] = loadVocabulary[(int(zipf.Uint64())+len(loadTopics)/2)%len(loadVocabulary)]
		}
		return strings.Join(w, " ")
	}
	for i := range posts {
		var b strings.Builder
		fmt.Fprintf(&b, "---\ntitle: \"Load post %d: %s\"\ndate: %s\ntags: [load]\n---\n\n", i, words(3),
			time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i)*time.Hour).Format("2006-01-02"))
		for s := range loadSections {
			fmt.Fprintf(&b, "## %s %d\n\n", words(2), s)
			for range 10 {
				fmt.Fprintf(&b, "%s. ", words(12))
			}
			b.WriteString("\n\n")
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("post-%04d.md", i)), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// loadPostCount is SEMSEARCH_LOAD_POSTS, else loadPosts (2000: 10k chunks).
func loadPostCount(t *testing.T) int {
	raw := os.Getenv("SEMSEARCH_LOAD_POSTS")
	if raw == "" {
		return loadPosts
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < loadPosts {
		t.Fatalf("SEMSEARCH_LOAD_POSTS=%q: want a number of posts ≥ %d", raw, loadPosts)
	}
	return n
}

// loadDuration is SEMSEARCH_LOAD_DURATION, else 5s.
func loadDuration(t *testing.T) time.Duration {
	raw := os.Getenv("SEMSEARCH_LOAD_DURATION")
	if raw == "" {
		return defaultLoadTime
	}
	d, err := time.ParseDuration(raw)
	if err != nil || d <= 0 {
		t.Fatalf("SEMSEARCH_LOAD_DURATION=%q: want a positive duration such as 30s", raw)
	}
	return d
}

// procSample is the child's resident memory (kB), open file descriptors
// and goroutines: a leaked connection, or a goroutine stuck on one, shows.
type procSample struct{ rssKB, fds, goroutines int }

var goroutinesGauge = regexp.MustCompile(`(?m)^go_goroutines (\d+)$`)

// sampleProc reads /proc/PID/status (VmRSS), /proc/PID/fd and the server's
// go_goroutines gauge.
func sampleProc(pid int, baseURL string) (procSample, error) {
	resp, err := http.Get(baseURL + "/metrics")
	if err != nil {
		return procSample{}, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return procSample{}, err
	}
	g := goroutinesGauge.FindSubmatch(body)
	if g == nil {
		return procSample{}, fmt.Errorf("no go_goroutines in /metrics")
	}
	goroutines, _ := strconv.Atoi(string(g[1]))
	rss, err := readRSS(pid)
	if err != nil {
		return procSample{}, err
	}
	ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		return procSample{}, err
	}
	return procSample{rssKB: rss, fds: len(ents), goroutines: goroutines}, nil
}

// readRSS returns the resident memory of a process in kB.
func readRSS(pid int) (int, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	m := regexp.MustCompile(`(?m)^VmRSS:\s+(\d+) kB`).FindSubmatch(data)
	if m == nil {
		return 0, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
	}
	return strconv.Atoi(string(m[1]))
}

// loadStats accumulates what the load workers saw.
type loadStats struct {
	mu        sync.Mutex
	latencies []time.Duration
	perOp     map[string][]time.Duration
	byStatus  map[int]int
	byOp      map[string]int
	transport []string // first few transport errors
	nTrans    int
}

func (s *loadStats) add(op string, status int, d time.Duration, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.byOp[op]++
	if err != nil {
		s.nTrans++
		if len(s.transport) < 5 {
			s.transport = append(s.transport, op+": "+err.Error())
		}
		return
	}
	s.byStatus[status]++
	s.latencies = append(s.latencies, d)
	s.perOp[op] = append(s.perOp[op], d)
}

func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, int(p*float64(len(sorted))))]
}

// TestLoad drives the real server over ≥ 10k chunks with 16 connections
// and a mix of search (all modes), related and similar for
// SEMSEARCH_LOAD_DURATION (default 5s; `make load` runs 30s), printing
// requests/s, p50/p99 latency and statuses. It fails on any 5xx, any
// transport error, or growth of the server's memory or open files between
// a third of the run and its end.
func TestLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("load test skipped in -short mode")
	}
	duration := loadDuration(t)
	fake := fakeembed.New()
	defer fake.Close()
	data := t.TempDir()

	// Fill the index with the (uninstrumented) binary: under -race an
	// in-process ingest of 10k chunks takes minutes.
	setup := time.Now()
	posts := loadPostCount(t)
	corpus := writeLoadCorpus(t, posts)
	env := []string{"SEMSEARCH_DATA=" + data, "SEMSEARCH_EMBED_URL=" + fake.URL + "/v1", "SEMSEARCH_EMBED_MODEL=fake"}
	var rep semsearch.IngestReport
	if err := json.Unmarshal(cli(t, env, 0, "ingest", "--json", corpus), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Posts != posts || rep.Chunks < posts*loadSections {
		t.Fatalf("corpus has %d posts, %d chunks: want %d posts, ≥ %d chunks", rep.Posts, rep.Chunks, posts, posts*loadSections)
	}
	t.Logf("corpus: %d posts, %d chunks, built in %s", rep.Posts, rep.Chunks, time.Since(setup).Round(time.Millisecond))

	srv := launchServer(t, env, "127.0.0.1:0", true, "--rate-limit", "0")
	pid := srv.cmd.Process.Pid

	// Post IDs for related: whatever lexical searches return.
	seen := map[string]bool{}
	var ids []string
	for _, w := range loadTopics {
		var body struct{ Results []semsearch.Result }
		do(t, "GET", srv.URL+"/api/search?mode=lexical&k=100&q="+w, nil, http.StatusOK, &body)
		for _, r := range body.Results {
			if !seen[r.ID] {
				seen[r.ID] = true
				ids = append(ids, r.ID)
			}
		}
	}
	if len(ids) < 100 {
		t.Fatalf("found only %d post IDs to ask related posts for", len(ids))
	}

	client := &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: loadConns, MaxConnsPerHost: loadConns},
	}
	defer client.CloseIdleConnections()
	stats := &loadStats{byStatus: map[int]int{}, byOp: map[string]int{}, perOp: map[string][]time.Duration{}}
	ctx, cancel := context.WithTimeout(context.Background(), duration)
	defer cancel()

	if _, err := sampleProc(pid, srv.URL); err != nil {
		testenv.Need(t, false, fmt.Sprintf("this test samples the server through /proc: %v", err))
	}
	type sampled struct {
		procSample
		err error
	}
	mid := make(chan sampled, 1)
	third := time.AfterFunc(duration/3, func() {
		s, err := sampleProc(pid, srv.URL)
		mid <- sampled{s, err}
	})
	defer third.Stop()

	start := time.Now()
	var wg sync.WaitGroup
	for w := range loadConns {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			for i := 0; ctx.Err() == nil; i++ {
				op, req := loadRequest(t, srv.URL, ids, rng, i+w)
				began := time.Now()
				resp, err := client.Do(req)
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				if ctx.Err() != nil && err != nil {
					break // a request cut by the end of the run is not an error
				}
				status := 0
				if resp != nil {
					status = resp.StatusCode
				}
				stats.add(op, status, time.Since(began), err)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	m := <-mid
	if m.err != nil {
		t.Fatalf("mid-run sample: %v", m.err)
	}
	end, err := sampleProc(pid, srv.URL)
	if err != nil {
		t.Fatalf("end sample: %v", err)
	}
	midRSS, midFDs, endRSS, endFDs := m.rssKB, m.fds, end.rssKB, end.fds

	slices.Sort(stats.latencies)
	total := len(stats.latencies) + stats.nTrans
	t.Logf("load: %d connections for %s over %d chunks: %d requests, %.0f req/s, p50 %s, p99 %s, max %s",
		loadConns, elapsed.Round(time.Millisecond), rep.Chunks, total, float64(total)/elapsed.Seconds(),
		percentile(stats.latencies, 0.50).Round(10*time.Microsecond), percentile(stats.latencies, 0.99).Round(10*time.Microsecond),
		percentile(stats.latencies, 1).Round(10*time.Microsecond))
	for _, op := range slices.Sorted(maps.Keys(stats.perOp)) {
		l := stats.perOp[op]
		slices.Sort(l)
		t.Logf("load: %-15s %6d requests, p50 %s, p99 %s", op, len(l),
			percentile(l, 0.50).Round(10*time.Microsecond), percentile(l, 0.99).Round(10*time.Microsecond))
	}
	t.Logf("load: by operation %v; by status %v; transport errors %d", stats.byOp, stats.byStatus, stats.nTrans)
	t.Logf("load: server RSS %d kB at 1/3, %d kB at end; open fds %d at 1/3, %d at end; goroutines %d at 1/3, %d at end",
		midRSS, endRSS, midFDs, endFDs, m.goroutines, end.goroutines)

	if total == 0 {
		t.Fatal("no request completed")
	}
	if stats.nTrans > 0 {
		t.Errorf("%d transport errors, e.g. %v", stats.nTrans, stats.transport)
	}
	for status, n := range stats.byStatus {
		if status >= 500 {
			t.Errorf("%d responses with status %d", n, status)
		}
		if status != http.StatusOK {
			t.Errorf("%d responses with status %d, want only 200", n, status)
		}
	}
	// The working set is reached by a third of the run; after that, growth
	// beyond GC noise means something is kept per request.
	if limit := max(midRSS*3/2, midRSS+64*1024); endRSS > limit {
		t.Errorf("server RSS grew from %d kB to %d kB (limit %d kB)", midRSS, endRSS, limit)
	}
	if endFDs > midFDs+loadConns {
		t.Errorf("server open fds grew from %d to %d", midFDs, endFDs)
	}
	// At most one goroutine per client connection may come and go.
	if end.goroutines > m.goroutines+loadConns {
		t.Errorf("server goroutines grew from %d to %d", m.goroutines, end.goroutines)
	}
	// The server still answers, and its own counters saw no 5xx.
	var metrics bytes.Buffer
	resp, err := client.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(&metrics, resp.Body)
	resp.Body.Close()
	if m := regexp.MustCompile(`(?m)^semsearch_http_requests_total\{[^}]*status="5\d\d"\} \d+`).FindString(metrics.String()); m != "" {
		t.Errorf("server counted 5xx responses: %s", m)
	}
	sums := regexp.MustCompile(`(?m)^semsearch_http_request_duration_seconds_sum\{route="([^"]+)",method="\w+"\} (\S+)\nsemsearch_http_request_duration_seconds_count\{[^}]*\} (\d+)`)
	for _, m := range sums.FindAllStringSubmatch(metrics.String(), -1) {
		sum, _ := strconv.ParseFloat(m[2], 64)
		n, _ := strconv.Atoi(m[3])
		if n > 0 {
			t.Logf("load: server-side mean %-22s %s over %d requests", m[1], time.Duration(sum/float64(n)*float64(time.Second)).Round(10*time.Microsecond), n)
		}
	}
}

// loadRequest builds the i-th request of a worker: hybrid, lexical and
// vector searches, related and similar, in rotation.
func loadRequest(t *testing.T, base string, ids []string, rng *rand.Rand, i int) (string, *http.Request) {
	// Queries: topic words, and made-up words of every frequency.
	word := func() string {
		if rng.IntN(2) == 0 {
			return loadTopics[rng.IntN(len(loadTopics))]
		}
		return loadVocabulary[len(loadTopics)+rng.IntN(2000)]
	}
	var op string
	var req *http.Request
	var err error
	switch i % 5 {
	case 0, 1, 2:
		mode := []string{"hybrid", "lexical", "vector"}[i%3]
		op = "search_" + mode
		q := url.Values{"q": {word() + " " + word() + " " + word()}, "mode": {mode}, "k": {"10"}}
		req, err = http.NewRequest(http.MethodGet, base+"/api/search?"+q.Encode(), nil)
	case 3:
		op = "related"
		id := ids[rng.IntN(len(ids))]
		req, err = http.NewRequest(http.MethodGet, base+"/api/posts/"+url.PathEscape(id)+"/related?k=10", nil)
	default:
		op = "similar"
		body, _ := json.Marshal(map[string]any{"text": word() + " " + word() + " " + word() + " " + word(), "k": 10})
		req, err = http.NewRequest(http.MethodPost, base+"/api/similar", bytes.NewReader(body))
		if err == nil {
			req.Header.Set("Content-Type", "application/json")
		}
	}
	if err != nil {
		t.Error(err)
	}
	return op, req
}
