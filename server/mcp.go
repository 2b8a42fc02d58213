package server

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// mcp mounts the MCP handler. The route carries requireKey, as the write
// endpoints do (the MCP tools may include writes): the API key when one is
// set, else a loopback Host only. Browsers are kept out on top of that: a
// request with an Origin must come from the server's own origin (the MCP
// handler also refuses cross-site Sec-Fetch-Site requests), so that a web
// page cannot reach a local MCP server through DNS rebinding.
func (s *Server) mcp() echo.HandlerFunc {
	h := s.svc.MCP
	return func(c echo.Context) error {
		r := c.Request()
		if origin := r.Header.Get("Origin"); origin != "" && !sameOrigin(origin, r.Host) {
			return echo.NewHTTPError(http.StatusForbidden, "cross-origin requests to /mcp are refused")
		}
		h.ServeHTTP(c.Response(), r)
		return nil
	}
}

// sameOrigin reports whether an Origin header names the host the request
// was addressed to (any scheme: behind a TLS proxy the scheme differs).
func sameOrigin(origin, host string) bool {
	for _, scheme := range []string{"http://", "https://"} {
		if origin == scheme+host {
			return true
		}
	}
	return false
}
