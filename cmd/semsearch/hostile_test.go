package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/internal/fakeembed"
	"github.com/semsearch/semsearch/wire"
)

// hostileEnv is the environment of a server on the fake embedder with a
// fresh data dir.
func hostileEnv(t *testing.T, embedURL string) []string {
	t.Helper()
	return []string{"SEMSEARCH_DATA=" + t.TempDir(), "SEMSEARCH_EMBED_URL=" + embedURL, "SEMSEARCH_EMBED_MODEL=fake"}
}

// errorBody decodes an {"error":{"code","message"}} body, failing when the
// body is not one or has no message.
func errorBody(t *testing.T, data []byte) wire.ErrorDetail {
	t.Helper()
	var eb wire.ErrorBody
	if err := json.Unmarshal(data, &eb); err != nil || eb.Error.Message == "" || eb.Error.Code == "" {
		t.Fatalf("not an error body with a code and message: %s (%v)", data, err)
	}
	return eb.Error
}

// rssKB is the resident memory of a process in kB.
func rssKB(t *testing.T, pid int) int {
	t.Helper()
	kb, err := readRSS(pid)
	if err != nil {
		t.Fatalf("read RSS: %v", err)
	}
	return kb
}

// ingestAPI posts sources to /api/ingest and returns the report.
// ingestAPI posts sources to /api/ingest and returns the report. The status
// must be 200 when some source went in and 502 when every one failed (the
// body then also carries the error shape, naming the first failure).
func ingestAPI(t *testing.T, base string, sources ...string) semsearch.IngestReport {
	t.Helper()
	raw, err := json.Marshal(map[string]any{"sources": sources})
	if err != nil {
		t.Fatal(err)
	}
	status, _, data := send(t, http.MethodPost, base+"/api/ingest", raw)
	var body wire.IngestFailure
	if err := json.Unmarshal(data, &body); err != nil {
		t.Fatalf("ingest %v: status %d, body %.300s: %v", sources, status, data, err)
	}
	rep := body.IngestReport
	if len(rep.Sources) != len(sources) {
		t.Fatalf("ingest %v: report has %d sources: %+v", sources, len(rep.Sources), rep)
	}
	allFailed := true
	for _, s := range rep.Sources {
		allFailed = allFailed && s.Error != ""
	}
	switch {
	case allFailed && (status != http.StatusBadGateway || body.Error.Code != semsearch.EUpstream || body.Error.Message == ""):
		t.Fatalf("ingest %v: every source failed but status %d, error %+v", sources, status, body.Error)
	case !allFailed && (status != http.StatusOK || body.Error.Code != ""):
		t.Fatalf("ingest %v: status %d, want 200: %.300s", sources, status, data)
	}
	return rep
}

// TestHostile_Requests sends oversized, over-long and malformed requests:
// each gets its 4xx with an error message, and the server keeps serving.
func TestHostile_Requests(t *testing.T) {
	fake := fakeembed.New()
	defer fake.Close()
	srv := startServer(t, hostileEnv(t, fake.URL+"/v1"))

	big := []byte(`{"text":"` + strings.Repeat("a", 2<<20) + `"}`)
	cases := []struct {
		name, method, path string
		body               []byte
		status             int
		code, msg          string // in the error body
	}{
		{"body over the limit", "POST", "/api/similar", big, 413, "too_large", ""},
		{"ingest body over the limit", "POST", "/api/ingest", big, 413, "too_large", ""},
		{"query over 1000 characters", "GET", "/api/search?q=" + strings.Repeat("x", 1001), nil, 400, "invalid", "too long"},
		{"query of multibyte runes over the limit", "GET", "/api/search?q=" + url.QueryEscape(strings.Repeat("é", 1001)), nil, 400, "invalid", "too long"},
		{"query not UTF-8", "GET", "/api/search?q=%ff%fe", nil, 400, "invalid", "UTF-8"},
		{"invalid JSON", "POST", "/api/similar", []byte(`{"text": "fsync",`), 400, "invalid", "JSON"},
		{"JSON of the wrong type", "POST", "/api/similar", []byte(`{"text": 42}`), 400, "invalid", "text"},
		{"two JSON values", "POST", "/api/similar", []byte(`{"text":"a"}{"text":"b"}`), 400, "invalid", "single JSON value"},
		{"unknown field", "POST", "/api/similar", []byte(`{"text":"a","evil":1}`), 400, "invalid", "evil"},
		{"invalid JSON to ingest", "POST", "/api/ingest", []byte(`{"sources": [`), 400, "invalid", "JSON"},
		{"k out of range", "GET", "/api/search?q=fsync&k=1000000", nil, 400, "invalid", "k must be"},
		{"unknown mode", "GET", "/api/search?q=fsync&mode=%3Cscript%3E", nil, 400, "invalid", "mode"},
		{"similar text over the limit", "POST", "/api/similar", []byte(`{"text":"` + strings.Repeat("word ", 20_001) + `"}`), 400, "invalid", "too long"},
		{"path traversal id", "GET", "/api/posts/..%2F..%2Fetc%2Fpasswd", nil, 404, "not_found", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, _, data := send(t, tc.method, srv.URL+tc.path, tc.body)
			if status != tc.status {
				t.Fatalf("status %d, want %d: %.300s", status, tc.status, data)
			}
			e := errorBody(t, data)
			if e.Code != tc.code || !strings.Contains(e.Message, tc.msg) {
				t.Errorf("error %+v, want code %q and a message with %q", e, tc.code, tc.msg)
			}
		})
	}
	// Headers past the 64 KiB limit are cut off before any handler runs.
	if status, _, _ := send(t, "GET", srv.URL+"/api/search?q=x", nil, "X-Padding", strings.Repeat("a", 100<<10)); status != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("100 KiB header: status %d, want 431", status)
	}
	// Still serving after all of that.
	do(t, "GET", srv.URL+"/healthz", nil, http.StatusOK, nil)
}

// hostileFeed has script and event-handler payloads in its titles and
// content, both as markup and as escaped text that decodes to markup.
const hostileFeed = `<?xml version="1.0"?>
<rss version="2.0"><channel><title>Hostile &lt;script&gt;alert(0)&lt;/script&gt; feed</title><link>https://hostile.example.com/</link>
<item><title>Beware &lt;script&gt;alert("t")&lt;/script&gt; and &lt;img src=x onerror=alert(1)&gt; xylophone titles</title>
<link>https://hostile.example.com/p/1</link><guid>https://hostile.example.com/p/1</guid>
<description><![CDATA[<p>Exploit text about xylophone payloads: <script>alert(3)</script> <img src=x onerror="alert(4)"> and a literal &lt;script&gt;alert(5)&lt;/script&gt; with onerror=alert(6) in prose.</p>
<p><a href="javascript:alert(7)" onclick="alert(8)">click the xylophone</a> <svg onload="alert(9)"><desc>xylophone</desc></svg> &lt;img src=x onerror=alert(10)&gt; xylophone script</p>]]></description></item>
<item><title>&lt;b onmouseover=alert(11)&gt;Bold xylophone&lt;/b&gt;</title>
<link>https://hostile.example.com/p/2</link>
<description>&lt;iframe src="javascript:alert(12)"&gt;&lt;/iframe&gt; xylophone &amp;lt;script&amp;gt; double escaped</description></item>
</channel></rss>`

// markTag matches the only markup a highlight may carry.
var markTag = regexp.MustCompile(`</?mark>`)

// TestHostile_ScriptInFeed ingests a feed full of script payloads over the
// API and checks that they come back only as text: highlights are
// HTML-escaped except for <mark>, and titles carry no markup.
func TestHostile_ScriptInFeed(t *testing.T) {
	fake := fakeembed.New()
	defer fake.Close()
	feed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		io.WriteString(w, hostileFeed)
	}))
	defer feed.Close()
	srv := startServer(t, hostileEnv(t, fake.URL+"/v1"), "--allow-private")

	rep := ingestAPI(t, srv.URL, feed.URL+"/feed.xml")
	if rep.Sources[0].Error != "" || rep.Posts != 2 {
		t.Fatalf("ingest of the hostile feed: %+v", rep)
	}
	// Markup in a title is reduced to its text.
	var titled wire.SearchResponse
	do(t, "GET", srv.URL+"/api/search?mode=lexical&q=bold", nil, http.StatusOK, &titled)
	if len(titled.Results) == 0 || titled.Results[0].Title != "Bold xylophone" {
		t.Errorf("title with markup: %v, want \"Bold xylophone\"", resultTitles(titled.Results))
	}
	checked := 0
	for _, q := range []string{"xylophone", "xylophone script onerror", "script alert", "img onerror", "iframe javascript"} {
		status, _, raw := send(t, "GET", srv.URL+"/api/search?mode=lexical&q="+url.QueryEscape(q), nil)
		if status != http.StatusOK {
			t.Fatalf("search %q: status %d: %s", q, status, raw)
		}
		// JSON escapes <, > and & itself: the body holds no markup even if
		// it were embedded in a page.
		if bytes.ContainsAny(raw, "<>") {
			t.Errorf("search %q: the JSON body has raw angle brackets: %.300s", q, raw)
		}
		var body wire.SearchResponse
		if err := json.Unmarshal(raw, &body); err != nil {
			t.Fatal(err)
		}
		var related struct{ Results []semsearch.Result }
		for _, r := range body.Results {
			checkPlain(t, "title", r.Title)
			checkPlain(t, "source", r.Source)
			for _, p := range r.Passages {
				if p.Highlight == "" {
					t.Errorf("passage of %s has no highlight", r.ID)
				}
				if rest := markTag.ReplaceAllString(p.Highlight, ""); strings.ContainsAny(rest, "<>") {
					t.Errorf("highlight of %s has raw markup besides <mark>: %q", r.ID, p.Highlight)
				}
				if strings.Contains(p.Highlight, "<mark>") {
					checked++
				}
			}
			do(t, "GET", srv.URL+"/api/posts/"+url.PathEscape(r.ID)+"/related", nil, http.StatusOK, &related)
		}
	}
	if checked == 0 {
		t.Fatal("no highlighted passage came back: the check checked nothing")
	}
	for _, id := range []string{"https://hostile.example.com/p/1", "https://hostile.example.com/p/2"} {
		var p struct{ Title, Text string }
		do(t, "GET", srv.URL+"/api/posts/"+url.PathEscape(id), nil, http.StatusOK, &p)
		checkPlain(t, "title", p.Title)
		if strings.Contains(p.Text, "alert(3)") || strings.Contains(p.Text, "alert(9)") {
			t.Errorf("post %s text keeps the body of a <script> or <svg> element: %q", id, p.Text)
		}
		t.Logf("post %s: title %q", id, p.Title)
	}
}

// checkPlain fails when a text field is not plain text: HTML-escaped
// (it would show "&lt;" when rendered as text, as the page does) or, for
// fields meant to have been cleaned of markup, carrying a tag.
func checkPlain(t *testing.T, what, v string) {
	t.Helper()
	if strings.Contains(v, "&lt;") || strings.Contains(v, "&amp;") || strings.Contains(v, "&quot;") {
		t.Errorf("%s %q is HTML-escaped, want plain text", what, v)
	}
}

// TestHostile_HostileSources serves hostile XML and an endless body to
// POST /api/ingest: each is refused with a clear per-source error, quickly,
// and the server's memory stays bounded.
func TestHostile_HostileSources(t *testing.T) {
	fake := fakeembed.New()
	defer fake.Close()

	var laughs strings.Builder
	laughs.WriteString(`<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY lol "lol">`)
	prev := "lol"
	for i := 1; i <= 9; i++ {
		name := fmt.Sprintf("lol%d", i)
		fmt.Fprintf(&laughs, `<!ENTITY %s "%s">`, name, strings.Repeat("&"+prev+";", 10))
		prev = name
	}
	laughs.WriteString(`]><rss version="2.0"><channel><title>&lol9;</title><item><title>&lol9;</title><description>&lol9;</description></item></channel></rss>`)
	deep := `<?xml version="1.0"?><rss version="2.0"><channel><title>deep</title><item><title>deep</title><description>` +
		strings.Repeat("<div>", 100_000) + "x" + strings.Repeat("</div>", 100_000) + `</description></item></channel></rss>`

	var streamed atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("/laughs.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		io.WriteString(w, laughs.String())
	})
	mux.HandleFunc("/deep.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		io.WriteString(w, deep)
	})
	// endless streams a feed that never ends (up to 2 GiB), with no
	// Content-Length, stopping when the client hangs up.
	mux.HandleFunc("/endless.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		io.WriteString(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>endless</title><item><description>`)
		chunk := bytes.Repeat([]byte("0"), 64<<10)
		for streamed.Load() < 2<<30 {
			n, err := w.Write(chunk)
			streamed.Add(int64(n))
			if err != nil {
				return
			}
		}
	})
	// declared says it is 2 GiB up front.
	mux.HandleFunc("/declared.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", fmt.Sprint(int64(2<<30)))
		w.Header().Set("Content-Type", "application/rss+xml")
		io.WriteString(w, `<?xml version="1.0"?><rss version="2.0">`)
	})
	hostile := httptest.NewServer(mux)
	defer hostile.Close()
	srv := startServer(t, hostileEnv(t, fake.URL+"/v1"), "--allow-private")
	pid := srv.cmd.Process.Pid
	before := rssKB(t, pid)

	cases := []struct {
		path string
		want string // in the per-source error
	}{
		{"/laughs.xml", "unsafe XML"},
		{"/deep.xml", "unsafe XML"},
		{"/endless.xml", "too large"},
		{"/declared.xml", "too large"},
	}
	for _, tc := range cases {
		t.Run(strings.TrimPrefix(tc.path, "/"), func(t *testing.T) {
			start := time.Now()
			rep := ingestAPI(t, srv.URL, hostile.URL+tc.path)
			took := time.Since(start)
			msg := rep.Sources[0].Error
			t.Logf("%s refused in %s: %s", tc.path, took.Round(time.Millisecond), msg)
			if !strings.Contains(msg, tc.want) {
				t.Errorf("source error %q, want one saying %q", msg, tc.want)
			}
			if rep.Posts != 0 {
				t.Errorf("stored %d posts from a hostile source", rep.Posts)
			}
			if took > 30*time.Second {
				t.Errorf("refusing %s took %s", tc.path, took)
			}
		})
	}
	if n := streamed.Load(); n > 64<<20 {
		t.Errorf("the server read %d MiB of the endless body before giving up", n>>20)
	} else {
		t.Logf("endless body: %d MiB sent before the server hung up", n>>20)
	}
	after := rssKB(t, pid)
	t.Logf("server RSS %d kB before the hostile sources, %d kB after", before, after)
	if before > 0 && after > before+200*1024 {
		t.Errorf("server RSS grew by %d MiB on hostile sources", (after-before)>>10)
	}
	var stats semsearch.Stats
	do(t, "GET", srv.URL+"/api/stats", nil, http.StatusOK, &stats)
	if stats.Posts != 0 {
		t.Errorf("stats after hostile sources: %+v, want no posts", stats)
	}
}

// TestHostile_SSRF asks a server without --allow-private to fetch loopback,
// link-local and private addresses, by IP and by name: every source is
// refused and the local target never sees a request. (A redirect from a
// public host to loopback is refused by the same guard on every hop:
// ingest/fetch TestClient_Get_GuardRefusesRedirectToLoopback; here the
// redirecting server is itself on loopback, so its first hop is refused.)
func TestHostile_SSRF(t *testing.T) {
	fake := fakeembed.New()
	defer fake.Close()
	var hits atomic.Int64
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.URL.Path == "/redirect" {
			http.Redirect(w, r, "http://127.0.0.1:1/feed.xml", http.StatusFound)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		io.WriteString(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>secret</title><item><title>secret</title><description>internal</description></item></channel></rss>`)
	}))
	defer target.Close()
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(target.URL, "http://"))
	srv := startServer(t, hostileEnv(t, fake.URL+"/v1"))

	sources := []string{
		"http://127.0.0.1:" + port + "/feed.xml",
		"http://[::1]:" + port + "/feed.xml",
		"http://localhost:" + port + "/feed.xml",
		"http://169.254.169.254/latest/meta-data/",
		"http://[::ffff:127.0.0.1]:" + port + "/feed.xml",
		"http://0.0.0.0:" + port + "/feed.xml",
		"http://10.0.0.1/feed.xml",
		"http://192.168.1.1/feed.xml",
		"http://127.0.0.1:" + port + "/redirect",
	}
	rep := ingestAPI(t, srv.URL, sources...)
	for i, s := range rep.Sources {
		if s.Error == "" || s.Posts != 0 {
			t.Errorf("source %s was not refused: %+v", sources[i], s)
			continue
		}
		t.Logf("%s: %s", sources[i], s.Error)
	}
	if rep.Posts != 0 {
		t.Errorf("stored %d posts from private addresses", rep.Posts)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the loopback target got %d requests through the server", n)
	}
	// Paths and other schemes are refused over the API (400), never read.
	for _, src := range []string{"/etc/passwd", "file:///etc/passwd", "gopher://127.0.0.1/", "ftp://example.com/feed.xml", "-"} {
		status, _, data := send(t, "POST", srv.URL+"/api/ingest", []byte(`{"sources":[`+quoteJSON(src)+`]}`))
		if status != http.StatusBadRequest {
			t.Errorf("ingest %s over the API: status %d, want 400: %s", src, status, data)
			continue
		}
		errorBody(t, data)
	}
}

func quoteJSON(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// TestHostile_APIKey checks that write endpoints need the key when one is
// set (401 without it or with a wrong one), that reads do not, and that
// without a key the write endpoints answer only requests addressed to
// localhost (DNS rebinding).
func TestHostile_APIKey(t *testing.T) {
	fake := fakeembed.New()
	defer fake.Close()
	const key = "correct-horse-battery-staple"
	srv := startServer(t, hostileEnv(t, fake.URL+"/v1"), "--api-key", key)

	// A loopback URL the SSRF guard refuses at dial time: the request is
	// authorised, the fetch fails without any traffic (502: no source went in).
	ingest := []byte(`{"sources":["http://127.0.0.1:9/feed.xml"]}`)
	embeddings := []byte(`{"input":"hello","model":"fake"}`)
	writes := []struct {
		method, path string
		body         []byte
		ok           int // status with the right key
	}{
		{"POST", "/api/ingest", ingest, http.StatusBadGateway},
		{"DELETE", "/api/posts/" + url.PathEscape("https://example.com/nope"), nil, http.StatusNotFound},
		{"POST", "/v1/embeddings", embeddings, http.StatusOK},
	}
	for _, w := range writes {
		for _, hdr := range [][]string{
			nil,
			{"Authorization", "Bearer wrong"},
			{"Authorization", "Bearer " + key + "x"},
			{"Authorization", "Basic " + key},
			{"X-API-Key", "wrong"},
			{"X-API-Key", ""},
		} {
			status, h, data := send(t, w.method, srv.URL+w.path, w.body, hdr...)
			if status != http.StatusUnauthorized {
				t.Errorf("%s %s with %v: status %d, want 401: %s", w.method, w.path, hdr, status, data)
				continue
			}
			if e := errorBody(t, data); e.Code != "unauthorized" {
				t.Errorf("%s %s: error %+v", w.method, w.path, e)
			}
			if !strings.HasPrefix(h.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("%s %s: 401 without a WWW-Authenticate challenge", w.method, w.path)
			}
		}
		for _, hdr := range [][]string{{"Authorization", "Bearer " + key}, {"X-API-Key", key}} {
			if status, _, data := send(t, w.method, srv.URL+w.path, w.body, hdr...); status != w.ok {
				t.Errorf("%s %s with the key: status %d, want %d: %.300s", w.method, w.path, status, w.ok, data)
			}
		}
	}
	// Reads need no key.
	do(t, "GET", srv.URL+"/api/stats", nil, http.StatusOK, nil)
	do(t, "GET", srv.URL+"/api/search?q=anything", nil, http.StatusOK, nil)

	// Without a key (loopback only), a write addressed to another host name
	// is refused: a DNS-rebinding page cannot reach it.
	open := startServer(t, hostileEnv(t, fake.URL+"/v1"))
	for _, host := range []string{"evil.example.com", "evil.example.com:80", "127.0.0.1.nip.io"} {
		req, _ := http.NewRequest("POST", open.URL+"/api/ingest", bytes.NewReader(ingest))
		req.Host = host
		req.Header.Set("Content-Type", "application/json")
		resp, err := specClient(t).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("keyless write with Host %q: status %d, want 403", host, resp.StatusCode)
		}
	}
	do(t, "POST", open.URL+"/api/ingest", map[string]any{"sources": []string{"http://127.0.0.1:9/feed.xml"}}, http.StatusBadGateway, nil)
}

// TestHostile_ExposedWithoutKey: listening on all interfaces without an API
// key is refused with a message naming the way out; with --insecure or a
// key it starts.
func TestHostile_ExposedWithoutKey(t *testing.T) {
	fake := fakeembed.New()
	defer fake.Close()
	env := hostileEnv(t, fake.URL+"/v1")

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binPath, "serve", "--addr", "0.0.0.0:0")
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err == nil || cmd.ProcessState.ExitCode() == 0 {
		t.Fatalf("serve on 0.0.0.0 without a key exited 0: %s", out)
	}
	if !strings.Contains(string(out), "--api-key") || !strings.Contains(string(out), "--insecure") {
		t.Errorf("refusal does not name the API key and the insecure way out: %s", out)
	}

	for _, args := range [][]string{{"--insecure"}, {"--api-key", "k"}} {
		url := launchServer(t, env, "0.0.0.0:0", false, args...).URL
		// Reached over loopback; a write without the key is still refused
		// when one is set.
		do(t, "GET", url+"/healthz", nil, http.StatusOK, nil)
	}
}

// TestHostile_RateLimitByPeer: rotating X-Forwarded-For and X-Real-IP does
// not buy a client more requests; the limit is per TCP peer.
func TestHostile_RateLimitByPeer(t *testing.T) {
	fake := fakeembed.New()
	defer fake.Close()
	const rate = 5 // per second; burst 10
	srv := startServer(t, hostileEnv(t, fake.URL+"/v1"), "--rate-limit", fmt.Sprint(rate))

	const n = 40
	limited := 0
	start := time.Now()
	for i := range n {
		ip := fmt.Sprintf("203.0.113.%d", i+1)
		status, h, data := send(t, "GET", srv.URL+"/api/stats", nil,
			"X-Forwarded-For", ip, "X-Real-IP", ip, "Forwarded", "for="+ip)
		switch status {
		case http.StatusOK:
		case http.StatusTooManyRequests:
			limited++
			if h.Get("Retry-After") == "" {
				t.Errorf("429 without Retry-After")
			}
			if e := errorBody(t, data); e.Code != "rate_limited" {
				t.Errorf("429 error %+v", e)
			}
		default:
			t.Fatalf("status %d: %s", status, data)
		}
	}
	took := time.Since(start)
	// At most the burst plus what refilled meanwhile may pass.
	allowed := 2*rate + int(float64(rate)*took.Seconds()) + 1
	t.Logf("%d of %d requests with rotating forwarding headers were limited in %s", limited, n, took.Round(time.Millisecond))
	if n-limited > allowed {
		t.Errorf("%d requests passed, at most %d may: forwarding headers bypass the limiter", n-limited, allowed)
	}
	// Probes are exempt.
	do(t, "GET", srv.URL+"/healthz", nil, http.StatusOK, nil)
}

// TestHostile_SecurityHeaders checks the headers that keep the page's
// content inert, on the page and on API errors.
func TestHostile_SecurityHeaders(t *testing.T) {
	fake := fakeembed.New()
	defer fake.Close()
	srv := startServer(t, hostileEnv(t, fake.URL+"/v1"))
	for _, path := range []string{"/", "/app.js", "/api/search?q=", "/nope"} {
		_, h, _ := send(t, "GET", srv.URL+path, nil)
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'self'", "script-src 'self'", "object-src 'none'", "frame-ancestors 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", path, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("%s: CSP allows inline or eval: %q", path, csp)
		}
		if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options %q", path, got)
		}
		if got := h.Get("Referrer-Policy"); got == "" {
			t.Errorf("%s: no Referrer-Policy", path)
		}
	}
}

// TestServe_EmbedderDown: while the embedding server fails, an ingest over
// the API reports the source's error, lexical search still answers from
// what is indexed, and the process stays up.
func TestServe_EmbedderDown(t *testing.T) {
	var down atomic.Bool
	emb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			w.Header().Set("Retry-After", "0")
			http.Error(w, `{"error":{"message":"overloaded"}}`, http.StatusServiceUnavailable)
			return
		}
		var req struct {
			Input json.RawMessage `json:"input"`
		}
		json.NewDecoder(r.Body).Decode(&req)
		var inputs []string
		if json.Unmarshal(req.Input, &inputs) != nil {
			var one string
			json.Unmarshal(req.Input, &one)
			inputs = []string{one}
		}
		data := make([]map[string]any, len(inputs))
		for i, in := range inputs {
			data[i] = map[string]any{"object": "embedding", "index": i, "embedding": fakeembed.Vector(in)}
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"object": "list", "data": data, "model": "fake"})
	}))
	defer emb.Close()
	feeds := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		word := strings.Trim(r.URL.Path, "/")
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>%[1]s</title><link>https://%[1]s.example.com/</link>`, word)
		for i := range 3 {
			fmt.Fprintf(w, `<item><title>%[1]s %[2]d</title><link>https://%[1]s.example.com/%[2]d</link><description>All about %[1]s, part %[2]d.</description></item>`, word, i)
		}
		io.WriteString(w, `</channel></rss>`)
	}))
	defer feeds.Close()
	env := append(hostileEnv(t, emb.URL+"/v1"), "SEMSEARCH_EMBED_TIMEOUT=300ms")
	srv := startServer(t, env, "--allow-private")

	if rep := ingestAPI(t, srv.URL, feeds.URL+"/lighthouse"); rep.Posts != 3 || rep.Sources[0].Error != "" {
		t.Fatalf("healthy ingest: %+v", rep)
	}
	down.Store(true)
	rep := ingestAPI(t, srv.URL, feeds.URL+"/submarine")
	if rep.Sources[0].Error == "" || rep.Posts != 0 {
		t.Fatalf("ingest with the embedder down: %+v, want a per-source error", rep)
	}
	t.Logf("per-source error: %s", rep.Sources[0].Error)

	var body wire.SearchResponse
	do(t, "GET", srv.URL+"/api/search?mode=lexical&q=lighthouse", nil, http.StatusOK, &body)
	if len(body.Results) != 3 {
		t.Errorf("lexical search with the embedder down: %d results, want 3", len(body.Results))
	}
	// Hybrid degrades to the lexical index while the embedder is down.
	do(t, "GET", srv.URL+"/api/search?q=lighthouse", nil, http.StatusOK, &body)
	if len(body.Results) != 3 {
		t.Errorf("hybrid search with the embedder down: %d results, want 3", len(body.Results))
	}
	// Vector search cannot: a 503 that does not leak the server's URL.
	status, _, data := send(t, "GET", srv.URL+"/api/search?mode=vector&q=lighthouse", nil)
	if status != http.StatusServiceUnavailable {
		t.Errorf("vector search with the embedder down: status %d, want 503: %s", status, data)
	} else if e := errorBody(t, data); strings.Contains(e.Message, emb.URL) {
		t.Errorf("503 message leaks the embedding server URL: %q", e.Message)
	}
	do(t, "GET", srv.URL+"/healthz", nil, http.StatusOK, nil)
	if srv.cmd.ProcessState != nil {
		t.Fatal("the server exited")
	}
	var stats semsearch.Stats
	do(t, "GET", srv.URL+"/api/stats", nil, http.StatusOK, &stats)
	if stats.Posts != 3 {
		t.Errorf("stats %+v, want the 3 healthy posts", stats)
	}
}
