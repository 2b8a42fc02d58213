package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/wire"
)

// Error codes for HTTP-level failures that have no semsearch kind.
const (
	codeUnauthorized     = "unauthorized"
	codeForbidden        = "forbidden"
	codeMethodNotAllowed = "method_not_allowed"
	codeRateLimited      = "rate_limited"
)

// invalidf returns a caller-safe invalid-request error.
func invalidf(format string, args ...any) error {
	return semsearch.Errorf(semsearch.EInvalid, format, args...)
}

// statusOf maps an error kind to its HTTP status: the only such table.
var statusOf = map[string]int{
	semsearch.EInvalid:     http.StatusBadRequest,
	semsearch.ENotFound:    http.StatusNotFound,
	semsearch.EConflict:    http.StatusConflict,
	semsearch.ETooLarge:    http.StatusRequestEntityTooLarge,
	semsearch.EUnavailable: http.StatusServiceUnavailable,
	semsearch.EUpstream:    http.StatusBadGateway,
	semsearch.EInternal:    http.StatusInternalServerError,
	codeUnauthorized:       http.StatusUnauthorized,
	codeForbidden:          http.StatusForbidden,
	codeMethodNotAllowed:   http.StatusMethodNotAllowed,
	codeRateLimited:        http.StatusTooManyRequests,
}

// codeOfStatus gives echo's own HTTP errors (404 route, 405, 413 body
// limit, 429 rate limit...) an error kind.
func codeOfStatus(status int) string {
	switch status {
	case http.StatusBadRequest:
		return semsearch.EInvalid
	case http.StatusUnauthorized:
		return codeUnauthorized
	case http.StatusForbidden:
		return codeForbidden
	case http.StatusNotFound:
		return semsearch.ENotFound
	case http.StatusMethodNotAllowed:
		return codeMethodNotAllowed
	case http.StatusConflict:
		return semsearch.EConflict
	case http.StatusRequestEntityTooLarge:
		return semsearch.ETooLarge
	case http.StatusTooManyRequests:
		return codeRateLimited
	case http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return semsearch.EUnavailable
	}
	if status >= 500 {
		return semsearch.EInternal
	}
	return semsearch.EInvalid
}

// classify turns any error into (status, code, caller-safe message).
func classify(err error) (int, string, string) {
	var he *echo.HTTPError
	var se *semsearch.Error
	switch {
	case errors.As(err, &se):
		status, ok := statusOf[se.Code]
		if !ok {
			return http.StatusInternalServerError, semsearch.EInternal, "internal error"
		}
		if se.Code == semsearch.EInternal {
			return status, se.Code, "internal error"
		}
		return status, se.Code, se.Message
	case errors.As(err, &he):
		code := codeOfStatus(he.Code)
		msg := http.StatusText(he.Code)
		if m, ok := he.Message.(string); ok && he.Code < 500 {
			msg = m
		}
		if code == semsearch.EInternal {
			msg = "internal error"
		}
		return he.Code, code, msg
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable, semsearch.EUnavailable, "request timed out"
	case errors.Is(err, context.Canceled):
		// The client went away; the status is only for the log.
		return 499, "canceled", "request canceled"
	}
	return http.StatusInternalServerError, semsearch.EInternal, "internal error"
}

// handleError is echo's HTTPErrorHandler: it writes {"error":{code,message}}
// and logs internal details, which are never shown.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status, code, msg := classify(err)
	if status >= 500 {
		s.log.LogAttrs(c.Request().Context(), slog.LevelError, "request failed",
			slog.String("request_id", c.Response().Header().Get(echo.HeaderXRequestID)),
			slog.String("method", c.Request().Method),
			slog.String("path", c.Request().URL.Path),
			slog.Int("status", status),
			slog.String("error", err.Error()),
		)
	}
	if c.Request().Method == http.MethodHead {
		err = c.NoContent(status)
	} else {
		err = c.JSON(status, wire.ErrorBody{Error: wire.ErrorDetail{Code: code, Message: msg}})
	}
	if err != nil {
		s.log.Warn("write error response", "error", fmt.Sprint(err))
	}
}
