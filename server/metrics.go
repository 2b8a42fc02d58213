package server

import (
	"fmt"
	"net/http"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

// metrics holds per-route request counters and latency sums, exposed in the
// Prometheus text format by /metrics. Routes are echo route templates
// ("/api/posts/:id"), so the label set stays small.
type metrics struct {
	mu       sync.Mutex
	requests map[requestKey]uint64
	latency  map[routeKey]latencySum
}

type routeKey struct{ route, method string }

type requestKey struct {
	routeKey
	status int
}

type latencySum struct {
	seconds float64
	count   uint64
}

func newMetrics() *metrics {
	return &metrics{requests: map[requestKey]uint64{}, latency: map[routeKey]latencySum{}}
}

func (m *metrics) observe(route, method string, status int, d time.Duration) {
	rk := routeKey{route, method}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests[requestKey{rk, status}]++
	l := m.latency[rk]
	l.seconds += d.Seconds()
	l.count++
	m.latency[rk] = l
}

// write renders the metrics in the Prometheus text exposition format,
// sorted so the output is stable.
func (m *metrics) write(b *strings.Builder) {
	m.mu.Lock()
	reqs := make([]requestKey, 0, len(m.requests))
	for k := range m.requests {
		reqs = append(reqs, k)
	}
	lats := make([]routeKey, 0, len(m.latency))
	for k := range m.latency {
		lats = append(lats, k)
	}
	counts := make(map[requestKey]uint64, len(reqs))
	for _, k := range reqs {
		counts[k] = m.requests[k]
	}
	sums := make(map[routeKey]latencySum, len(lats))
	for _, k := range lats {
		sums[k] = m.latency[k]
	}
	m.mu.Unlock()

	slices.SortFunc(reqs, func(a, b requestKey) int {
		if c := strings.Compare(a.route+" "+a.method, b.route+" "+b.method); c != 0 {
			return c
		}
		return a.status - b.status
	})
	slices.SortFunc(lats, func(a, b routeKey) int { return strings.Compare(a.route+" "+a.method, b.route+" "+b.method) })

	b.WriteString("# HELP semsearch_http_requests_total HTTP requests by route, method and status.\n")
	b.WriteString("# TYPE semsearch_http_requests_total counter\n")
	for _, k := range reqs {
		fmt.Fprintf(b, "semsearch_http_requests_total{route=%s,method=%s,status=\"%d\"} %d\n",
			quoteLabel(k.route), quoteLabel(k.method), k.status, counts[k])
	}
	b.WriteString("# HELP semsearch_http_request_duration_seconds Time spent serving HTTP requests.\n")
	b.WriteString("# TYPE semsearch_http_request_duration_seconds summary\n")
	for _, k := range lats {
		l := sums[k]
		labels := fmt.Sprintf("{route=%s,method=%s}", quoteLabel(k.route), quoteLabel(k.method))
		fmt.Fprintf(b, "semsearch_http_request_duration_seconds_sum%s %s\n", labels, strconv.FormatFloat(l.seconds, 'g', -1, 64))
		fmt.Fprintf(b, "semsearch_http_request_duration_seconds_count%s %d\n", labels, l.count)
	}
}

// quoteLabel quotes a label value with the escapes Prometheus expects
// (backslash, double quote, newline).
func quoteLabel(v string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(v) + `"`
}

// writeRuntime adds the process gauges a load test watches for leaks.
func writeRuntime(b *strings.Builder) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.WriteString("# HELP go_goroutines Number of goroutines that currently exist.\n# TYPE go_goroutines gauge\n")
	fmt.Fprintf(b, "go_goroutines %d\n", runtime.NumGoroutine())
	b.WriteString("# HELP go_memstats_heap_inuse_bytes Bytes in in-use heap spans.\n# TYPE go_memstats_heap_inuse_bytes gauge\n")
	fmt.Fprintf(b, "go_memstats_heap_inuse_bytes %d\n", ms.HeapInuse)
	b.WriteString("# HELP go_memstats_sys_bytes Bytes obtained from the system.\n# TYPE go_memstats_sys_bytes gauge\n")
	fmt.Fprintf(b, "go_memstats_sys_bytes %d\n", ms.Sys)
}

func (s *Server) serveMetrics(c echo.Context) error {
	var b strings.Builder
	s.metrics.write(&b)
	s.writePollStats(&b)
	writeRuntime(&b)
	return c.Blob(http.StatusOK, "text/plain; version=0.0.4; charset=utf-8", []byte(b.String()))
}
