package openai

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/semsearch/semsearch"
)

// fakeAPI is an OpenAI-compatible embeddings server. It checks every
// request (path, method, auth, model, body) and answers text "t<k>" with a
// vector whose direction encodes k: (k+1, 1, 0, …), listing the data in
// reverse order so that clients must sort by index. respond, when set,
// handles request number n (from 0) instead, returning false to fall back.
type fakeAPI struct {
	t       *testing.T
	dims    int
	key     string
	model   string
	respond func(w http.ResponseWriter, r *http.Request, n int) bool

	mu     sync.Mutex
	inputs [][]string // per request, in arrival order
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	n := len(f.inputs)
	f.inputs = append(f.inputs, nil)
	f.mu.Unlock()
	if r.Method != http.MethodPost || r.URL.Path != "/v1/embeddings" {
		f.t.Errorf("request %s %s, want POST /v1/embeddings", r.Method, r.URL.Path)
	}
	if got, want := r.Header.Get("Authorization"), "Bearer "+f.key; f.key != "" && got != want {
		f.t.Errorf("Authorization = %q, want %q", got, want)
	}
	var body struct {
		Input      []string `json:"input"`
		Model      string   `json:"model"`
		Dimensions int      `json:"dimensions"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		f.t.Errorf("request body: %v", err)
	}
	if body.Model != f.model {
		f.t.Errorf("model = %q, want %q", body.Model, f.model)
	}
	f.mu.Lock()
	f.inputs[n] = body.Input
	dims := f.dims
	f.mu.Unlock()
	if f.respond != nil && f.respond(w, r, n) {
		return
	}
	writeVectors(w, body.Input, dims)
}

// requests returns the inputs of the requests received so far.
func (f *fakeAPI) requests() [][]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([][]string(nil), f.inputs...)
}

func writeVectors(w http.ResponseWriter, inputs []string, dims int) {
	type item struct {
		Object    string    `json:"object"`
		Embedding []float32 `json:"embedding"`
		Index     int       `json:"index"`
	}
	var data []item
	for i := len(inputs) - 1; i >= 0; i-- {
		v := make([]float32, dims)
		v[0], v[1] = float32(textNumber(inputs[i])+1), 1
		data = append(data, item{"embedding", v, i})
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"object": "list", "data": data, "model": "m"})
}

// textNumber extracts k from "…t<k>".
func textNumber(s string) int {
	k, _ := strconv.Atoi(s[strings.LastIndex(s, "t")+1:])
	return k
}

func texts(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("t%d", i)
	}
	return out
}

// checkVectors asserts vecs[i] is the unit vector of text i.
func checkVectors(t *testing.T, vecs [][]float32, n, dims int) {
	t.Helper()
	if len(vecs) != n {
		t.Fatalf("got %d vectors, want %d", len(vecs), n)
	}
	for i, v := range vecs {
		if len(v) != dims {
			t.Fatalf("vector %d has %d dims, want %d", i, len(v), dims)
		}
		var norm float64
		for _, x := range v {
			norm += float64(x) * float64(x)
		}
		if math.Abs(norm-1) > 1e-5 {
			t.Fatalf("vector %d has norm² %v, want 1", i, norm)
		}
		if k := float64(v[0] / v[1]); math.Abs(k-float64(i+1)) > 1e-3 {
			t.Fatalf("vector %d belongs to text %v: out of order", i, k-1)
		}
	}
}

func newFake(t *testing.T, respond func(http.ResponseWriter, *http.Request, int) bool) (*fakeAPI, *httptest.Server) {
	f := &fakeAPI{t: t, dims: 4, key: "sk-test", model: "test-model", respond: respond}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func newClient(t *testing.T, srv *httptest.Server, mod func(*Config)) *Client {
	t.Helper()
	cfg := Config{
		BaseURL: srv.URL + "/v1", APIKey: "sk-test", Model: "test-model", Dims: 4,
		RetryBaseDelay: time.Millisecond, MaxRetryWait: 20 * time.Millisecond, Timeout: 5 * time.Second,
		Logger: slog.New(slog.DiscardHandler),
	}
	if mod != nil {
		mod(&cfg)
	}
	c, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestClient_Batching(t *testing.T) {
	f, srv := newFake(t, nil)
	c := newClient(t, srv, nil)
	vecs, err := c.EmbedPassages(context.Background(), texts(150))
	if err != nil {
		t.Fatal(err)
	}
	checkVectors(t, vecs, 150, 4)
	var sizes []int
	seen := map[string]bool{}
	for _, in := range f.requests() {
		sizes = append(sizes, len(in))
		for _, s := range in {
			seen[s] = true
		}
	}
	if len(sizes) != 3 || len(seen) != 150 {
		t.Fatalf("request sizes %v covering %d texts, want 3 requests covering 150", sizes, len(seen))
	}
	count := map[int]int{}
	for _, s := range sizes {
		count[s]++
	}
	if count[64] != 2 || count[22] != 1 {
		t.Errorf("request sizes %v, want 64, 64, 22", sizes)
	}
}

func TestClient_Prefixes(t *testing.T) {
	f, srv := newFake(t, nil)
	c := newClient(t, srv, func(c *Config) { c.QueryPrefix, c.PassagePrefix = "query: t", "passage: t" })
	if _, err := c.EmbedQuery(context.Background(), "7"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.EmbedPassages(context.Background(), []string{"8"}); err != nil {
		t.Fatal(err)
	}
	if f.requests()[0][0] != "query: t7" || f.requests()[1][0] != "passage: t8" {
		t.Errorf("inputs = %q, want prefixed query then passage", f.requests())
	}
}

func TestClient_RetryAfter429(t *testing.T) {
	for _, header := range []string{"0", "1", time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)} {
		t.Run(header, func(t *testing.T) {
			f, srv := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) bool {
				if n%2 == 0 { // every batch is refused once
					w.Header().Set("Retry-After", header)
					w.WriteHeader(http.StatusTooManyRequests)
					fmt.Fprint(w, `{"error":{"message":"slow down","type":"rate_limit"}}`)
					return true
				}
				return false
			})
			c := newClient(t, srv, func(c *Config) { c.BatchSize = 10; c.Concurrency = 1 })
			start := time.Now()
			vecs, err := c.EmbedPassages(context.Background(), texts(25))
			if err != nil {
				t.Fatal(err)
			}
			checkVectors(t, vecs, 25, 4)
			if len(f.requests()) != 6 {
				t.Errorf("%d requests, want 6 (3 batches, each refused once)", len(f.requests()))
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("took %s: Retry-After not capped by MaxRetryWait", d)
			}
		})
	}
}

func TestClient_ServerErrorStorm(t *testing.T) {
	f, srv := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) bool {
		http.Error(w, "upstream exploded", http.StatusInternalServerError)
		return true
	})
	var logged syncBuffer
	c := newClient(t, srv, func(c *Config) {
		c.MaxRetries = 3
		c.Logger = slog.New(slog.NewJSONHandler(&logged, nil))
	})
	vecs, err := c.EmbedPassages(context.Background(), texts(3))
	if err == nil || vecs != nil {
		t.Fatalf("got %v, %v; want an error", vecs, err)
	}
	// Each retry is logged to the configured logger, the error under "error".
	if n := strings.Count(logged.String(), `"msg":"embedding request failed, retrying"`); n != 3 {
		t.Errorf("%d retry lines logged, want 3: %s", n, logged.String())
	}
	if n := strings.Count(logged.String(), `"error":"`); n != 3 {
		t.Errorf("%d lines carry key \"error\", want 3: %s", n, logged.String())
	}
	for _, want := range []string{"failed (500)", "upstream exploded", "gave up after 4 attempts", srv.URL} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if len(f.requests()) != 4 {
		t.Errorf("%d requests, want 4 (1 + 3 retries)", len(f.requests()))
	}
	if semsearch.ErrorCode(err) != semsearch.EUnavailable {
		t.Errorf("error kind %q, want %q", semsearch.ErrorCode(err), semsearch.EUnavailable)
	}
	if msg := semsearch.ErrorMessage(err); strings.Contains(msg, srv.URL) {
		t.Errorf("caller-facing message leaks the server URL: %q", msg)
	}
}

func TestClient_PermanentErrors(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		key    string
		want   string
	}{
		{"bad key", 401, `{"error":{"message":"Incorrect API key","type":"invalid_request_error"}}`, "sk-test", "rejected the API key (401): Incorrect API key"},
		{"no key", 401, `unauthorized`, "", "wants an API key (401)"},
		{"forbidden", 403, `{"error":{"message":"nope"}}`, "sk-test", "rejected the API key (403)"},
		{"model not found", 404, `{"error":{"message":"model 'test-model' not found"}}`, "sk-test", `embedding model "test-model" not found at`},
		{"bad request", 400, `{"error":{"message":"input too long"}}`, "sk-test", "rejected a batch of 2 texts (400): input too long"},
		{"malformed json", 200, `{"data": [nope`, "sk-test", "malformed JSON"},
		{"count mismatch", 200, `{"data":[{"embedding":[1,0,0,0],"index":0}]}`, "sk-test", "returned 1 vectors for 2 texts"},
		{"repeated index", 200, `{"data":[{"embedding":[1,0,0,0],"index":0},{"embedding":[1,0,0,0],"index":0}]}`, "sk-test", "repeated index 0"},
		{"wrong dimension", 200, `{"data":[{"embedding":[1,0,0],"index":0},{"embedding":[0,1,0],"index":1}]}`, "sk-test", "vectors of 3 dimensions, want 4"},
		{"zero vector", 200, `{"data":[{"embedding":[1,0,0,0],"index":0},{"embedding":[0,0,0,0],"index":1}]}`, "sk-test", "all zeros"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, srv := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) bool {
				w.WriteHeader(tt.status)
				fmt.Fprint(w, tt.body)
				return true
			})
			f.key = tt.key
			c := newClient(t, srv, func(c *Config) { c.APIKey = tt.key })
			vecs, err := c.EmbedPassages(context.Background(), []string{"t0", "t1"})
			if err == nil || vecs != nil {
				t.Fatalf("got %v, %v; want an error", vecs, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q lacks %q", err, tt.want)
			}
			if len(f.requests()) != 1 {
				t.Errorf("%d requests, want 1: permanent errors are not retried", len(f.requests()))
			}
		})
	}
}

func TestClient_Timeout(t *testing.T) {
	f, srv := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) bool {
		<-r.Context().Done() // hang until the client gives up
		return true
	})
	c := newClient(t, srv, func(c *Config) { c.Timeout = 200 * time.Millisecond; c.MaxRetries = 1 })
	_, err := c.EmbedQuery(context.Background(), "t0")
	if err == nil || !strings.Contains(err.Error(), "timed out after 200ms") || !strings.Contains(err.Error(), "gave up after 2 attempts") {
		t.Fatalf("error %v, want a timeout after 2 attempts", err)
	}
	if len(f.requests()) != 2 {
		t.Errorf("%d requests, want 2", len(f.requests()))
	}
}

func TestClient_CallerCancel(t *testing.T) {
	_, srv := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) bool {
		<-r.Context().Done()
		return true
	})
	c := newClient(t, srv, nil)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := c.EmbedPassages(ctx, texts(200))
		errc <- err
	}()
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
}

func TestClient_ConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cfg := Config{BaseURL: "http://" + addr + "/v1", Model: "m", MaxRetries: 2, RetryBaseDelay: time.Millisecond,
		Logger: slog.New(slog.DiscardHandler)}
	check := func(err error) {
		t.Helper()
		if err == nil || !strings.Contains(err.Error(), "cannot reach the embedding server at http://"+addr) || !strings.Contains(err.Error(), "gave up after 3 attempts") {
			t.Fatalf("error %v, want unreachable after 3 attempts", err)
		}
	}
	_, err = New(context.Background(), cfg) // Dims 0: New probes
	check(err)
	cfg.Dims = 4
	c, err := New(context.Background(), cfg) // no I/O
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.EmbedPassages(context.Background(), []string{"x"})
	check(err)
}

func TestClient_DetectDims(t *testing.T) {
	f, srv := newFake(t, nil)
	f.dims = 6
	c := newClient(t, srv, func(c *Config) { c.Dims = 0 })
	if d := c.Dims(); d != 6 || len(f.requests()) != 1 {
		t.Fatalf("Dims() = %d after %d requests, want 6 after 1 probe by New", d, len(f.requests()))
	}
	vecs, err := c.EmbedPassages(context.Background(), texts(3))
	if err != nil {
		t.Fatal(err)
	}
	checkVectors(t, vecs, 3, 6)

	f.mu.Lock()
	f.dims = 5 // the server changed model under us
	f.mu.Unlock()
	if _, err := c.EmbedPassages(context.Background(), texts(2)); err == nil || !strings.Contains(err.Error(), "5 dimensions, want 6") {
		t.Errorf("error %v, want a dimension mismatch", err)
	}
}

func TestNew_ProbeFailsClearly(t *testing.T) {
	_, srv := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) bool {
		http.Error(w, `{"error":{"message":"Incorrect API key"}}`, http.StatusUnauthorized)
		return true
	})
	cfg := Config{BaseURL: srv.URL + "/v1", APIKey: "sk-test", Model: "test-model", Logger: slog.New(slog.DiscardHandler)}
	if _, err := New(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "rejected the API key (401)") {
		t.Fatalf("New = %v, want the 401 explained", err)
	}
}

func TestClient_RequestDims(t *testing.T) {
	sent := make(chan int, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Input      []string `json:"input"`
			Dimensions int      `json:"dimensions"`
		}
		json.NewDecoder(r.Body).Decode(&body)
		sent <- body.Dimensions
		writeVectors(w, body.Input, 4)
	}))
	defer srv.Close()
	c := newClient(t, srv, func(c *Config) { c.RequestDims = true })
	if _, err := c.EmbedQuery(context.Background(), "t0"); err != nil {
		t.Fatal(err)
	}
	if got := <-sent; got != 4 {
		t.Errorf("dimensions sent = %d, want 4", got)
	}
}

func TestClient_Empty(t *testing.T) {
	f, srv := newFake(t, nil)
	c := newClient(t, srv, nil)
	vecs, err := c.EmbedPassages(context.Background(), nil)
	if err != nil || len(vecs) != 0 || len(f.requests()) != 0 {
		t.Fatalf("got %v, %v after %d requests", vecs, err, len(f.requests()))
	}
}

func TestNew_Validation(t *testing.T) {
	tests := []struct {
		cfg  Config
		want string
	}{
		{Config{}, "no model name"},
		{Config{Model: "m", BaseURL: "localhost:8080"}, "not an http(s) URL"},
		{Config{Model: "m", Dims: -1}, "negative dimension"},
		{Config{Model: "m", RequestDims: true}, "RequestDims needs Dims"},
	}
	for _, tt := range tests {
		if _, err := New(context.Background(), tt.cfg); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("New(%+v) = %v, want %q", tt.cfg, err, tt.want)
		}
	}
	c, err := New(context.Background(), Config{Model: "m", Dims: 4, BaseURL: "http://user:secret@host/v1/"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(c.url, "secret") || strings.HasSuffix(c.url, "/") {
		t.Errorf("url for messages = %q: want redacted, no trailing slash", c.url)
	}
}

// syncBuffer is a bytes.Buffer safe for the concurrent writes of a logger.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
