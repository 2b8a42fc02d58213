package server_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/semsearch/semsearch/server"
	"github.com/semsearch/semsearch/server/servertest"
)

func TestNew_RefusesExposedAddrWithoutKey(t *testing.T) {
	tests := []struct {
		addr     string
		key      string
		insecure bool
		ok       bool
	}{
		{"127.0.0.1:8080", "", false, true},
		{"127.0.0.2:8080", "", false, true},
		{"localhost:8080", "", false, true},
		{"[::1]:8080", "", false, true},
		{"0.0.0.0:8080", "", false, false},
		{":8080", "", false, false},
		{"[::]:8080", "", false, false},
		{"192.168.1.10:8080", "", false, false},
		{"example.com:8080", "", false, false},
		{"0.0.0.0:8080", testKey, false, true},
		{"0.0.0.0:8080", "", true, true},
	}
	for _, tt := range tests {
		_, err := server.New(server.Config{Addr: tt.addr, APIKey: tt.key, Insecure: tt.insecure}, (&servertest.Service{}).Services(), nil)
		if (err == nil) != tt.ok {
			t.Errorf("New(addr %q, key %q, insecure %v): err %v, want ok=%v", tt.addr, tt.key, tt.insecure, err, tt.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "API key") {
			t.Errorf("error %q does not say what to do", err)
		}
	}
	if _, err := server.New(server.Config{BodyLimit: "lots"}, (&servertest.Service{}).Services(), nil); err == nil {
		t.Error("invalid body limit accepted")
	}
}

func TestServer_ServeRefusesExposedListener(t *testing.T) {
	ln, err := net.Listen("tcp", "0.0.0.0:0")
	if err != nil {
		t.Fatalf("listen on all interfaces: %v", err)
	}
	srv, err := server.New(server.Config{}, (&servertest.Service{}).Services(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Serve(t.Context(), ln); err == nil || !strings.Contains(err.Error(), "API key") {
		t.Errorf("Serve on %s without key: %v", ln.Addr(), err)
	}
}

func TestServer_ServeGracefulShutdown(t *testing.T) {
	srv, err := server.New(server.Config{Addr: "127.0.0.1:0"}, (&servertest.Service{}).Services(), nil)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	resp, err := http.Get("http://" + ln.Addr().String() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "ok") {
		t.Fatalf("healthz: %d %s", resp.StatusCode, body)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Serve after cancel: %v", err)
	}
	if _, err := http.Get("http://" + ln.Addr().String() + "/healthz"); err == nil {
		t.Error("still serving after shutdown")
	}
}

// TestServer_RateLimit: with 1 request/s (burst 2), the third quick request
// is refused, and a forged X-Forwarded-For does not make a new client.
func TestServer_RateLimit(t *testing.T) {
	h := newHarness(t, server.Config{RateLimit: 1})
	ts := httptest.NewServer(h.srv.Handler())
	defer ts.Close()
	get := func(path, xff string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, ts.URL+path, nil)
		if xff != "" {
			req.Header.Set("X-Forwarded-For", xff)
			req.Header.Set("X-Real-Ip", xff)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	for i := range 2 {
		if resp := get("/api/search?q=x", ""); resp.StatusCode != 200 {
			t.Fatalf("request %d within burst: %d", i, resp.StatusCode)
		}
	}
	resp := get("/api/search?q=x", "")
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("over the burst: %d (Retry-After %q), want 429", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	for _, xff := range []string{"203.0.113.7", "198.51.100.1, 203.0.113.9"} {
		if resp := get("/api/search?q=x", xff); resp.StatusCode != http.StatusTooManyRequests {
			t.Errorf("X-Forwarded-For %q reset the limit: %d", xff, resp.StatusCode)
		}
	}
	// Probes are never limited.
	if resp := get("/healthz", ""); resp.StatusCode != 200 {
		t.Errorf("healthz limited: %d", resp.StatusCode)
	}
	rec := h.do(t, http.MethodGet, "/api/search?q=x", "") // another client (192.0.2.1)
	wantStatus(t, rec, 200)
	h.do(t, http.MethodGet, "/api/search?q=x", "")
	rec = h.do(t, http.MethodGet, "/api/search?q=x", "")
	wantStatus(t, rec, http.StatusTooManyRequests)
	if e := errorOf(t, rec); e.Code != "rate_limited" {
		t.Errorf("code %q", e.Code)
	}
}
