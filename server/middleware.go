package server

import (
	"crypto/sha256"
	"crypto/subtle"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// escapedPathRouting makes echo always route on the escaped path, so that
// path parameters are always still escaped and pathParam can unescape them
// exactly once. Without it, echo routes on URL.RawPath only when the
// escaping is non-canonical: an ID sent as "a%2Fb" would arrive escaped but
// "a%2520b" would arrive already unescaped as "a%20b".
func escapedPathRouting(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		u := c.Request().URL
		u.RawPath = u.EscapedPath()
		return next(c)
	}
}

// pathParam returns the unescaped value of a path parameter.
func pathParam(c echo.Context, name string) (string, error) {
	v, err := url.PathUnescape(c.Param(name))
	if err != nil {
		return "", invalidf("malformed %s in path: %v", name, err)
	}
	return v, nil
}

// requestID sets X-Request-Id on the response: the client's own when it is
// short and plain (so callers can correlate), else a fresh random one.
func requestID() echo.MiddlewareFunc {
	mw := middleware.RequestIDWithConfig(middleware.RequestIDConfig{
		TargetHeader: echo.HeaderXRequestID,
	})
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		h := mw(next)
		return func(c echo.Context) error {
			hdr := c.Request().Header
			if id := hdr.Get(echo.HeaderXRequestID); id != "" && !plainID(id) {
				hdr.Del(echo.HeaderXRequestID)
			}
			return h(c)
		}
	}
}

func plainID(id string) bool {
	if len(id) > 64 {
		return false
	}
	for _, r := range id {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.'
		if !ok {
			return false
		}
	}
	return true
}

// contentSecurityPolicy allows only same-origin scripts, styles and
// requests: no inline script or style, no framing.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// securityHeaders sets the security headers on every response, errors
// included.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		return next(c)
	}
}

// requireKey guards write endpoints. With an API key configured, the
// request must carry it ("Authorization: Bearer KEY" or "X-API-Key: KEY");
// the comparison is constant-time. Without one (loopback only, see New),
// the request's Host must be a loopback name, which stops DNS-rebinding
// pages in a local browser from reaching the write endpoints.
func (s *Server) requireKey(next echo.HandlerFunc) echo.HandlerFunc {
	want := sha256.Sum256([]byte(s.cfg.APIKey))
	return func(c echo.Context) error {
		if s.cfg.APIKey == "" {
			if !s.cfg.Insecure && !loopbackHost(c.Request().Host) {
				return echo.NewHTTPError(http.StatusForbidden, "write endpoints without an API key only accept requests addressed to localhost")
			}
			return next(c)
		}
		got, ok := presentedKey(c.Request())
		gotSum := sha256.Sum256([]byte(got))
		if !ok || subtle.ConstantTimeCompare(gotSum[:], want[:]) != 1 {
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="semsearch"`)
			return echo.NewHTTPError(http.StatusUnauthorized, "missing or invalid API key")
		}
		return next(c)
	}
}

func presentedKey(r *http.Request) (string, bool) {
	if auth := r.Header.Get(echo.HeaderAuthorization); auth != "" {
		scheme, key, ok := strings.Cut(auth, " ")
		if ok && strings.EqualFold(scheme, "Bearer") {
			return strings.TrimSpace(key), true
		}
	}
	if key := r.Header.Get("X-API-Key"); key != "" {
		return key, true
	}
	return "", false
}

// loopbackHost reports whether a Host header names the local machine.
func loopbackHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	return host == "localhost" || isLoopback(host)
}

// observe logs every request once with its final status (after the error
// handler ran) and records it in the metrics.
func (s *Server) observe() echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		HandleError:  true,
		LogLatency:   true,
		LogMethod:    true,
		LogURIPath:   true,
		LogRoutePath: true,
		LogStatus:    true,
		LogRemoteIP:  true,
		LogRequestID: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			route := v.RoutePath
			if route == "" || c.Response().Status == http.StatusNotFound && route == "/*" {
				route = "unmatched"
			}
			s.metrics.observe(route, metricMethod(v.Method), v.Status, v.Latency)
			level := slog.LevelInfo
			if v.Status >= 500 {
				level = slog.LevelError
			}
			s.log.LogAttrs(c.Request().Context(), level, "http request",
				slog.String("method", v.Method),
				slog.String("path", v.URIPath),
				slog.String("route", route),
				slog.Int("status", v.Status),
				slog.Float64("latency_ms", float64(v.Latency.Microseconds())/1000),
				slog.String("request_id", v.RequestID),
				slog.String("remote_ip", v.RemoteIP),
			)
			return nil
		},
	})
}

// metricMethod bounds the method label to the standard methods.
func metricMethod(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "other"
}
