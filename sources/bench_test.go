package sources

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/semsearch/semsearch/ingest/fetch"
)

// manyFeeds serves n RSS feeds of items each at /feed/N, with ETags, and
// counts requests and 304 answers.
type manyFeeds struct {
	*httptest.Server
	bodies      [][]byte
	etags       []string
	requests    atomic.Int64
	notModified atomic.Int64
}

func newManyFeeds(tb testing.TB, n, items int) *manyFeeds {
	m := &manyFeeds{}
	m.Server = httptest.NewServer(http.HandlerFunc(m.serve))
	tb.Cleanup(m.Close)
	for f := 0; f < n; f++ {
		var b strings.Builder
		fmt.Fprintf(&b, `<?xml version="1.0"?><rss version="2.0"><channel><title>Feed %d</title>`, f)
		for i := 0; i < items; i++ {
			fmt.Fprintf(&b, "<item><guid>%s/feed/%d/%d</guid><title>Post %d of feed %d</title><pubDate>%s</pubDate>"+
				"<description>Post %d of feed %d talks about topic%d and topic%d at some length, so that it makes one chunk.</description></item>",
				m.URL, f, i, i, f, t0.Add(-time.Duration(i)*time.Hour).Format(time.RFC1123Z), i, f, i, f)
		}
		b.WriteString("</channel></rss>")
		sum := sha256.Sum256([]byte(b.String()))
		m.bodies = append(m.bodies, []byte(b.String()))
		m.etags = append(m.etags, `"`+hex.EncodeToString(sum[:8])+`"`)
	}
	return m
}

func (m *manyFeeds) serve(w http.ResponseWriter, r *http.Request) {
	m.requests.Add(1)
	var f int
	if _, err := fmt.Sscanf(r.URL.Path, "/feed/%d", &f); err != nil || f < 0 || f >= len(m.bodies) {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("ETag", m.etags[f])
	if r.Header.Get("If-None-Match") == m.etags[f] {
		m.notModified.Add(1)
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", "application/rss+xml")
	w.Write(m.bodies[f])
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func maxRSSMB() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Maxrss) / 1024 // kB on Linux
}

// BenchmarkPoller_Feeds subscribes to N feeds of 20 items on a loopback
// server (the first poll: every post embedded, on the fake embedding
// server) and then re-polls all of them with nothing changed, once per
// iteration: one conditional request each, answered 304, and no embedding.
// The feeds share one host, so PerHost is raised to Workers, as if they
// were on as many hosts.
func BenchmarkPoller_Feeds(b *testing.B) {
	for _, n := range []int{50, 500} {
		b.Run(fmt.Sprintf("feeds=%d", n), func(b *testing.B) {
			h := newHarness(b, func(o *Options, _ *fetch.Options) { o.Workers, o.PerHost = 4, 4 })
			feeds := newManyFeeds(b, n, 20)
			ctx := context.Background()
			start, cpu := time.Now(), cpuTime()
			for f := 0; f < n; f++ {
				res := h.p.Add(ctx, fmt.Sprintf("%s/feed/%d", feeds.URL, f), AddOptions{})
				if len(res) != 1 || res[0].Err != nil || res[0].New != 20 {
					b.Fatalf("add feed %d: %+v", f, res)
				}
			}
			firstWall, firstCPU := time.Since(start), cpuTime()-cpu
			firstEmbeds, firstReqs := h.embed.Requests(), feeds.requests.Load()

			embeds, reqs, nm := h.embed.Requests(), feeds.requests.Load(), feeds.notModified.Load()
			cpu = cpuTime()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				res, err := h.p.PollDue(ctx, true)
				if err != nil || len(res) != n {
					b.Fatalf("re-poll: %d results, %v", len(res), err)
				}
			}
			b.StopTimer()
			// Reported after the loop: ResetTimer drops reported metrics.
			b.ReportMetric(firstWall.Seconds(), "first-poll-s")
			b.ReportMetric(firstCPU.Seconds(), "first-poll-cpu-s")
			b.ReportMetric(float64(firstEmbeds), "first-poll-embed-calls")
			b.ReportMetric(float64(firstReqs), "first-poll-requests")
			per := float64(b.N)
			b.ReportMetric((cpuTime()-cpu).Seconds()/per, "repoll-cpu-s/op")
			b.ReportMetric(float64(feeds.requests.Load()-reqs)/per, "requests/op")
			b.ReportMetric(float64(feeds.notModified.Load()-nm)/per, "304s/op")
			b.ReportMetric(float64(h.embed.Requests()-embeds)/per, "embed-calls/op")
			b.ReportMetric(maxRSSMB(), "max-rss-MB")
		})
	}
}
