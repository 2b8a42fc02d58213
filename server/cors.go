package server

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// corsMaxAge is how long (seconds) a browser may cache a preflight answer.
const corsMaxAge = 600

// normalizeOrigins checks Config.CORSOrigins and returns them as browsers
// send them in Origin: "scheme://host[:port]", lower case, default port
// dropped. "*" (any origin) must stand alone.
func normalizeOrigins(origins []string) ([]string, error) {
	var out []string
	for _, o := range origins {
		o = strings.TrimSpace(o)
		if o == "" {
			continue
		}
		if o == "*" {
			if len(origins) > 1 {
				return nil, fmt.Errorf("server: CORS origin \"*\" allows every origin and cannot be combined with others")
			}
			return []string{"*"}, nil
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
			u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
			return nil, fmt.Errorf("server: invalid CORS origin %q: want scheme://host[:port], e.g. https://blog.example.org", o)
		}
		host := strings.ToLower(u.Hostname())
		port := u.Port()
		if (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
			port = ""
		}
		if strings.Contains(host, ":") {
			host = "[" + host + "]"
		}
		norm := u.Scheme + "://" + host
		if port != "" {
			norm += ":" + port
		}
		out = append(out, norm)
	}
	return out, nil
}

// cors returns the middleware of the read endpoints: with Config.CORSOrigins
// set, a request whose Origin is one of them (compared exactly) gets
// Access-Control-Allow-Origin, and a preflight (OPTIONS) for GET, HEAD or
// POST with Content-Type is answered. Without origins it does nothing, so
// browsers keep their same-origin rule. Write endpoints never get it: their
// routes do not carry this middleware, and no preflight for them is
// answered with CORS headers. No credentials are ever allowed.
func (s *Server) cors() echo.MiddlewareFunc {
	if len(s.cfg.CORSOrigins) == 0 {
		return func(next echo.HandlerFunc) echo.HandlerFunc { return next }
	}
	allowed := map[string]bool{}
	for _, o := range s.cfg.CORSOrigins {
		allowed[o] = true
	}
	cfg := middleware.CORSConfig{
		// Exact matches only: echo's own list matching also accepts
		// subdomains and wildcards.
		AllowOriginFunc: func(origin string) (bool, error) { return allowed[origin], nil },
		AllowMethods:    []string{http.MethodGet, http.MethodHead, http.MethodPost},
		AllowHeaders:    []string{echo.HeaderContentType},
		// The request ID lets a caller quote a failure to the operator.
		ExposeHeaders: []string{echo.HeaderXRequestID},
		MaxAge:        corsMaxAge,
	}
	if allowed["*"] {
		cfg.AllowOriginFunc, cfg.AllowOrigins = nil, []string{"*"}
	}
	return middleware.CORSWithConfig(cfg)
}

// preflight answers an OPTIONS request that the cors middleware passed on
// (no Origin, or one not allowed): 204, no CORS headers.
func preflight(c echo.Context) error { return c.NoContent(http.StatusNoContent) }
