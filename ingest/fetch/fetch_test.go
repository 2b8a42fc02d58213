package fetch

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestBlocked(t *testing.T) {
	tests := []struct {
		addr    string
		blocked bool
	}{
		{"127.0.0.1", true},
		{"127.8.9.10", true},
		{"10.1.2.3", true},
		{"172.16.0.1", true},
		{"172.31.255.255", true},
		{"172.32.0.1", false},
		{"192.168.1.1", true},
		{"100.64.0.1", true},    // CGNAT
		{"100.127.255.1", true}, // CGNAT
		{"100.128.0.1", false},
		{"169.254.169.254", true}, // cloud metadata
		{"169.254.1.1", true},
		{"0.0.0.0", true},
		{"224.0.0.1", true},
		{"239.255.255.250", true},
		{"255.255.255.255", true},
		{"8.8.8.8", false},
		{"1.1.1.1", false},
		{"93.184.216.34", false},
		{"::1", true},
		{"::", true},
		{"fe80::1", true},
		{"fe80::1%eth0", true},
		{"fc00::1", true},
		{"fd00:ec2::254", true}, // AWS IPv6 metadata
		{"ff02::1", true},
		{"::ffff:127.0.0.1", true}, // IPv4-mapped loopback
		{"::ffff:10.0.0.1", true},
		{"::ffff:169.254.169.254", true},
		{"::ffff:8.8.8.8", false},
		{"64:ff9b::7f00:1", true}, // NAT64 of 127.0.0.1
		{"2606:4700:4700::1111", false},
		{"2001:4860:4860::8888", false},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			ip, err := netip.ParseAddr(tt.addr)
			if err != nil {
				t.Fatal(err)
			}
			if got := Blocked(ip); got != tt.blocked {
				t.Errorf("Blocked(%s) = %v, want %v", tt.addr, got, tt.blocked)
			}
		})
	}
	if !Blocked(netip.Addr{}) {
		t.Error("zero Addr must be blocked")
	}
}

func okServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if got := r.Header.Get("User-Agent"); got != DefaultUserAgent {
			t.Errorf("User-Agent = %q", got)
		}
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte("hello"))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestClient_Get_GuardRefusesLoopback(t *testing.T) {
	srv := okServer(t)
	_, err := New(Options{}).Get(context.Background(), srv.URL)
	if !errors.Is(err, ErrBlockedAddress) {
		t.Fatalf("err = %v, want ErrBlockedAddress", err)
	}
	resp, err := New(Options{AllowPrivate: true}).Get(context.Background(), srv.URL)
	if err != nil {
		t.Fatalf("AllowPrivate: %v", err)
	}
	if string(resp.Body) != "hello" {
		t.Errorf("body = %q", resp.Body)
	}
}

// A name that resolves to loopback must be refused too: the check runs on
// the resolved address, not on the host string.
func TestClient_Get_GuardRefusesResolvedName(t *testing.T) {
	srv := okServer(t)
	u := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	_, err := New(Options{}).Get(context.Background(), u)
	if !errors.Is(err, ErrBlockedAddress) {
		t.Fatalf("err = %v, want ErrBlockedAddress", err)
	}
}

// An allowed-looking first hop that redirects to loopback is refused at
// dial time of the second hop. The first hop is served by a client with the
// guard lifted only for the first host, which we emulate with a transport
// that sends the first request to the test server directly.
func TestClient_Get_GuardRefusesRedirectToLoopback(t *testing.T) {
	target := okServer(t)
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+"/secret", http.StatusFound)
	}))
	t.Cleanup(redirector.Close)

	c := New(Options{})
	// Route the public-looking host to the redirector without the guard, so
	// only the redirect hop goes through the guarded dialer.
	guarded := c.hc.Transport.(*http.Transport)
	c.hc.Transport = roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if r.URL.Host == "blog.example.com" {
			r2 := r.Clone(r.Context())
			r2.URL.Scheme = "http"
			r2.URL.Host = strings.TrimPrefix(redirector.URL, "http://")
			return http.DefaultTransport.RoundTrip(r2)
		}
		return guarded.RoundTrip(r)
	})
	_, err := c.Get(context.Background(), "http://blog.example.com/feed.xml")
	if !errors.Is(err, ErrBlockedAddress) {
		t.Fatalf("err = %v, want ErrBlockedAddress", err)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestClient_Get_RefusesSchemes(t *testing.T) {
	for _, u := range []string{"file:///etc/passwd", "ftp://example.com/x", "gopher://example.com/"} {
		if _, err := New(Options{}).Get(context.Background(), u); err == nil || !strings.Contains(err.Error(), "not allowed") {
			t.Errorf("Get(%s) err = %v, want scheme refusal", u, err)
		}
	}
}

func TestClient_Get_BodyLimit(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		chunk := []byte(strings.Repeat("x", 4096))
		for r.Context().Err() == nil { // stream forever, no Content-Length
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
	t.Cleanup(srv.Close)
	_, err := New(Options{AllowPrivate: true, MaxBodyBytes: 64 << 10}).Get(context.Background(), srv.URL)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
	if !strings.Contains(err.Error(), "65536") {
		t.Errorf("error should name the limit: %v", err)
	}
}

func TestClient_Get_DeclaredLengthOverLimit(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000000")
		w.Write([]byte("short"))
	}))
	t.Cleanup(srv.Close)
	_, err := New(Options{AllowPrivate: true, MaxBodyBytes: 1000}).Get(context.Background(), srv.URL)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
}

func TestClient_Get_Timeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select { // hang until the client gives up or the test ends
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(func() { close(release); srv.Close() })
	start := time.Now()
	_, err := New(Options{AllowPrivate: true, Timeout: 100 * time.Millisecond}).Get(context.Background(), srv.URL)
	if err == nil {
		t.Fatal("want timeout error")
	}
	if elapsed := time.Since(start); elapsed > 10*time.Second {
		t.Errorf("timeout not honoured: took %v", elapsed)
	}
}

func TestClient_Get_RedirectLimit(t *testing.T) {
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, srv.URL+r.URL.Path+"x", http.StatusFound)
	}))
	t.Cleanup(srv.Close)
	_, err := New(Options{AllowPrivate: true, MaxRedirects: 3}).Get(context.Background(), srv.URL+"/")
	if err == nil || !strings.Contains(err.Error(), "redirects") {
		t.Fatalf("err = %v, want redirect limit", err)
	}
}

func TestClient_Get_Status(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(srv.Close)
	_, err := New(Options{AllowPrivate: true}).Get(context.Background(), srv.URL)
	if err == nil || !strings.Contains(err.Error(), "404") {
		t.Fatalf("err = %v, want 404", err)
	}
}

func TestClient_Fetch_Conditional(t *testing.T) {
	const etag, lastMod = `"v1"`, "Mon, 02 Jan 2006 15:04:05 GMT"
	var requests int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests++
		w.Header().Set("ETag", etag)
		w.Header().Set("Last-Modified", lastMod)
		if r.Header.Get("If-None-Match") == etag || r.Header.Get("If-Modified-Since") == lastMod {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write([]byte("<rss/>"))
	}))
	t.Cleanup(srv.Close)
	c := New(Options{AllowPrivate: true})
	tests := []struct {
		name      string
		req       Request
		status    int
		body      string
		validated bool
	}{
		{"unconditional", Request{URL: srv.URL}, 200, "<rss/>", false},
		{"etag", Request{URL: srv.URL, ETag: etag}, 304, "", true},
		{"last-modified", Request{URL: srv.URL, LastModified: lastMod}, 304, "", true},
		{"stale etag", Request{URL: srv.URL, ETag: `"v0"`}, 200, "<rss/>", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := c.Fetch(context.Background(), tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if resp.Status != tt.status || string(resp.Body) != tt.body || resp.NotModified() != tt.validated {
				t.Errorf("status %d body %q notModified %v; want %d %q %v", resp.Status, resp.Body, resp.NotModified(), tt.status, tt.body, tt.validated)
			}
			if resp.ETag != etag || resp.LastModified != lastMod {
				t.Errorf("validators %q %q", resp.ETag, resp.LastModified)
			}
		})
	}
	if requests != len(tests) {
		t.Errorf("%d requests, want %d", requests, len(tests))
	}
}

func TestClient_Fetch_StatusError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "120")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	t.Cleanup(srv.Close)
	_, err := New(Options{AllowPrivate: true}).Fetch(context.Background(), Request{URL: srv.URL})
	var se *StatusError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v, want *StatusError", err)
	}
	if se.Code != 429 || se.Header.Get("Retry-After") != "120" || !strings.Contains(err.Error(), "429") {
		t.Errorf("StatusError %+v (%v)", se, err)
	}
}

func TestClient_Fetch_Moved(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/perm", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/perm2", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/perm2", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/new", http.StatusPermanentRedirect)
	})
	mux.HandleFunc("/temp", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/new", http.StatusFound) })
	mux.HandleFunc("/mixed", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/temp", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/new", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) })
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	c := New(Options{AllowPrivate: true})
	for path, moved := range map[string]string{"/perm": "/new", "/temp": "", "/mixed": "", "/new": ""} {
		resp, err := c.Fetch(context.Background(), Request{URL: srv.URL + path})
		if err != nil {
			t.Fatal(err)
		}
		want := ""
		if moved != "" {
			want = srv.URL + moved
		}
		if resp.Moved != want || resp.URL != srv.URL+"/new" {
			t.Errorf("%s: Moved %q URL %q, want Moved %q", path, resp.Moved, resp.URL, want)
		}
	}
}

// With the private-address guard lifted, the cloud metadata endpoints stay
// refused, also as a redirect target. The guard runs before connect, so no
// packet leaves the machine.
func TestClient_Fetch_AllowPrivateKeepsMetadataBlocked(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
	}))
	t.Cleanup(srv.Close)
	c := New(Options{AllowPrivate: true, Timeout: 5 * time.Second})
	for _, u := range []string{srv.URL, "http://169.254.169.254/latest/meta-data/", "http://[fd00:ec2::254]/"} {
		_, err := c.Fetch(context.Background(), Request{URL: u})
		if !errors.Is(err, ErrBlockedAddress) {
			t.Errorf("%s: err = %v, want ErrBlockedAddress", u, err)
		}
	}
	for _, a := range []string{"169.254.169.254", "::ffff:169.254.169.254", "fd00:ec2::254"} {
		if !Metadata(netip.MustParseAddr(a)) {
			t.Errorf("Metadata(%s) = false", a)
		}
	}
	if Metadata(netip.MustParseAddr("127.0.0.1")) {
		t.Error("loopback is not a metadata address")
	}
}

func TestClient_Fetch_ErrorsHidePassword(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(srv.Close)
	u := strings.Replace(srv.URL, "http://", "http://user:s3cret@", 1)
	_, err := New(Options{AllowPrivate: true}).Fetch(context.Background(), Request{URL: u})
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("err = %v, want an error without the password", err)
	}
	_, err = New(Options{}).Fetch(context.Background(), Request{URL: u})
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("guarded: err = %v, want an error without the password", err)
	}
}
