package server

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"

	"github.com/semsearch/semsearch/web"
)

// routes builds the echo instance: every endpoint, its method and its
// middleware, in one screen.
func (s *Server) routes() *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	// The TCP peer is the client: X-Forwarded-For and X-Real-IP are ignored,
	// so they cannot be used to dodge the rate limiter or spoof logs.
	e.IPExtractor = echo.ExtractIPDirect()
	e.HTTPErrorHandler = s.handleError

	e.Pre(escapedPathRouting)
	e.Use(
		requestID(),
		securityHeaders,
		s.observe(), // logs and counts every request with its final status
		middleware.RecoverWithConfig(middleware.RecoverConfig{DisableStackAll: true, DisablePrintStack: true}),
	)
	if s.cfg.RateLimit > 0 {
		e.Use(s.rateLimiter())
	}
	e.Use(middleware.BodyLimit(s.cfg.BodyLimit))

	timeout := contextTimeout(s.cfg.RequestTimeout)
	write := s.requireKey
	read := s.cors() // CORS for the allowed origins (--cors-origin); off by default

	// Every GET route answers HEAD too (net/http drops the body).
	get := func(g interface {
		Match([]string, string, echo.HandlerFunc, ...echo.MiddlewareFunc) []*echo.Route
	}, path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) {
		g.Match([]string{http.MethodGet, http.MethodHead}, path, h, m...)
	}

	get(e, "/healthz", s.healthz)
	get(e, "/readyz", s.readyz, timeout)
	get(e, "/metrics", s.serveMetrics)
	get(e, "/openapi.json", s.openapiDoc)

	api := e.Group("/api")
	get(api, "/search", s.search, read, timeout)
	get(api, "/ask", s.ask, read, timeout)
	get(api, "/gaps", s.gaps, write, timeout) // what readers asked: behind the key
	get(api, "/posts/:id", s.getPost, read, timeout)
	get(api, "/posts/:id/related", s.related, read, timeout)
	api.DELETE("/posts/:id", s.deletePost, write, timeout)
	api.POST("/similar", s.similar, read, timeout)
	api.OPTIONS("/similar", preflight, read) // its JSON body needs a CORS preflight
	api.POST("/ingest", s.ingest, write, contextTimeout(s.cfg.IngestTimeout))
	get(api, "/stats", s.stats, read, timeout)
	get(api, "/sources", s.listSources, timeout)
	api.POST("/sources", s.addSource, write, contextTimeout(s.cfg.IngestTimeout))
	api.DELETE("/sources/:id", s.removeSource, write, timeout)
	api.POST("/sources/:id/poll", s.pollSource, write, contextTimeout(s.cfg.IngestTimeout))

	// Embedding costs compute: behind the key too, when one is configured.
	e.POST("/v1/embeddings", s.embeddings, write, timeout)

	// MCP over streamable HTTP: POST messages, GET the server's stream,
	// DELETE the session. No request timeout: the GET stream is long-lived.
	if s.svc.MCP != nil {
		e.Match([]string{http.MethodPost, http.MethodGet, http.MethodDelete}, "/mcp", s.mcp(), write)
	}

	page := echo.WrapHandler(web.Handler())
	get(e, "/widget.js", page, read) // the search box other sites load (CORS: also as a module)
	for _, path := range []string{"/", "/app.js", "/style.css", "/favicon.svg"} {
		get(e, path, page)
	}
	return e
}

// contextTimeout bounds the request context. Its errors pass through
// unchanged so that handleError alone maps them to a status.
func contextTimeout(d time.Duration) echo.MiddlewareFunc {
	return middleware.ContextTimeoutWithConfig(middleware.ContextTimeoutConfig{
		Timeout:      d,
		ErrorHandler: func(err error, _ echo.Context) error { return err },
	})
}

// rateLimiter limits each client IP (the TCP peer) to cfg.RateLimit
// requests per second with a burst of twice that. Probes and metrics are
// exempt so that orchestrators never see a 429.
func (s *Server) rateLimiter() echo.MiddlewareFunc {
	burst := int(2 * s.cfg.RateLimit)
	if burst < 1 {
		burst = 1
	}
	store := middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
		Rate:      rate.Limit(s.cfg.RateLimit),
		Burst:     burst,
		ExpiresIn: 3 * time.Minute,
	})
	return middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
		Skipper: func(c echo.Context) bool {
			switch c.Path() {
			case "/healthz", "/readyz", "/metrics":
				return true
			}
			return false
		},
		Store:               store,
		IdentifierExtractor: func(c echo.Context) (string, error) { return c.RealIP(), nil },
		DenyHandler: func(c echo.Context, _ string, err error) error {
			c.Response().Header().Set("Retry-After", "1")
			return echo.NewHTTPError(http.StatusTooManyRequests, "rate limit exceeded").SetInternal(err)
		},
	})
}
