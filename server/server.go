// Package server is the HTTP face of semsearch: the JSON API, the
// OpenAI-compatible /v1/embeddings endpoint, health and metrics, and the
// embedded web page, on echo/v4.
//
// The whole route table is in routes.go; handlers are methods on Server, one
// file per resource; errors are mapped to HTTP status codes in errors.go only.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/gommon/bytes"

	"github.com/semsearch/semsearch"
)

// Services are what the handlers need from the rest of the program, one
// narrow interface per resource, each declared in its handler's file;
// *app.App implements them all. Every field is required but MCP.
type Services struct {
	Search   Searcher           // search.go: search, related, similar
	Posts    PostStore          // posts.go: get and delete a post
	Ingest   Ingester           // ingest.go: ingest URLs
	Status   Status             // health.go, stats.go: readiness and counts
	Embedder semsearch.Embedder // embeddings.go: /v1/embeddings (EmbedPassages, no query prefix)
	Answers  Answerer           // ask.go: ask, and the search route's facets and date reading
	Sources  SourceService      // sources.go: subscriptions
	// MCP serves the Model Context Protocol's streamable HTTP transport at
	// /mcp (package mcpserver); nil leaves /mcp out. It is guarded like the
	// write endpoints (mcp.go).
	MCP http.Handler
}

// Config is the server's configuration, validated once by New.
type Config struct {
	// Addr is the address Serve's listener is expected to be bound to
	// (host:port). A non-loopback host (including an empty one, meaning all
	// interfaces) needs APIKey unless Insecure is set.
	Addr string
	// APIKey, when set, is required on write endpoints as
	// "Authorization: Bearer KEY" or "X-API-Key: KEY".
	APIKey string
	// Insecure allows a non-loopback Addr without an APIKey.
	Insecure bool
	// BodyLimit caps request bodies, as "1M", "512K"...; default "1M".
	BodyLimit string
	// RateLimit is requests per second per client IP (the TCP peer, never
	// X-Forwarded-For); 0 turns rate limiting off. Burst is twice the rate.
	RateLimit float64
	// RequestTimeout bounds each request's context; default 30s. Ingest gets
	// IngestTimeout (default 5m) instead.
	RequestTimeout time.Duration
	IngestTimeout  time.Duration
	// CORSOrigins are the web origins ("https://blog.example.org") whose
	// pages may call the read endpoints (search, posts, related, similar,
	// stats) from a browser; "*" alone allows any. Empty (the default): no
	// CORS. Write endpoints never allow a cross-origin caller.
	CORSOrigins []string
}

const (
	defaultBodyLimit      = "1M"
	defaultRequestTimeout = 30 * time.Second
	defaultIngestTimeout  = 5 * time.Minute
	shutdownTimeout       = 10 * time.Second
)

// Server serves the API and the web page. Create it with New.
type Server struct {
	cfg     Config
	svc     Services
	log     *slog.Logger
	echo    *echo.Echo
	metrics *metrics
}

// New validates cfg and builds the route table. It refuses a non-loopback
// Addr without an APIKey unless cfg.Insecure is set.
func New(cfg Config, svc Services, log *slog.Logger) (*Server, error) {
	if svc.Search == nil || svc.Posts == nil || svc.Ingest == nil || svc.Status == nil || svc.Embedder == nil || svc.Answers == nil || svc.Sources == nil {
		return nil, errors.New("server: every service is required")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.BodyLimit == "" {
		cfg.BodyLimit = defaultBodyLimit
	}
	if _, err := bytes.Parse(cfg.BodyLimit); err != nil {
		return nil, fmt.Errorf("server: invalid body limit %q: %w", cfg.BodyLimit, err)
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = defaultRequestTimeout
	}
	if cfg.IngestTimeout <= 0 {
		cfg.IngestTimeout = defaultIngestTimeout
	}
	if cfg.RateLimit < 0 {
		return nil, fmt.Errorf("server: negative rate limit %v", cfg.RateLimit)
	}
	origins, err := normalizeOrigins(cfg.CORSOrigins)
	if err != nil {
		return nil, err
	}
	cfg.CORSOrigins = origins
	if cfg.Addr != "" {
		if err := checkExposure(cfg, cfg.Addr); err != nil {
			return nil, err
		}
	}
	s := &Server{cfg: cfg, svc: svc, log: log, metrics: newMetrics()}
	s.echo = s.routes()
	return s, nil
}

// Handler returns the server as an http.Handler (for tests and embedding).
func (s *Server) Handler() http.Handler { return s.echo }

// Serve serves HTTP on ln until ctx is cancelled, then shuts down
// gracefully, letting in-flight requests finish for up to 10s. It returns
// nil after a clean shutdown. Like New, it refuses a non-loopback listener
// without an API key unless Insecure is set.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	if err := checkExposure(s.cfg, ln.Addr().String()); err != nil {
		ln.Close()
		return err
	}
	hs := &http.Server{
		Handler:           s.echo,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		// Longer than any handler's context so a timed-out handler can still
		// write its 503.
		WriteTimeout:   s.cfg.IngestTimeout + time.Minute,
		IdleTimeout:    2 * time.Minute,
		MaxHeaderBytes: 64 << 10,
		ErrorLog:       slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:    func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	s.log.Info("serving http", "addr", ln.Addr().String(), "auth", s.cfg.APIKey != "")
	select {
	case err := <-errc:
		return fmt.Errorf("serve http on %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shut down http server: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve http on %s: %w", ln.Addr(), err)
	}
	return nil
}

// checkExposure refuses to serve a non-loopback address without an API key,
// so that write endpoints (ingest can read local files and fetch URLs) are
// never open to the network by accident.
func checkExposure(cfg Config, addr string) error {
	if cfg.APIKey != "" || cfg.Insecure || isLoopback(addr) {
		return nil
	}
	return fmt.Errorf("refusing to listen on non-loopback address %q without an API key: "+
		"set one with --api-key (or SEMSEARCH_API_KEY), listen on 127.0.0.1, or pass --insecure to accept the risk", addr)
}

// isLoopback reports whether addr (host:port or host) names only loopback
// interfaces. An empty host means all interfaces, so it is not loopback.
func isLoopback(addr string) bool {
	host := addr
	if h, _, err := net.SplitHostPort(addr); err == nil {
		host = h
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
