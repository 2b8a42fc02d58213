package server

import (
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/semsearch/semsearch"
)

type statusBody struct {
	Status string `json:"status"`
}

// healthz answers 200 while the process serves HTTP at all (liveness).
func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, statusBody{Status: "ok"})
}

// readyz answers 200 when the service can answer searches, else 503
// (readiness). The reason is logged; the caller sees a generic message
// unless the service gave a caller-safe one.
func (s *Server) readyz(c echo.Context) error {
	if err := s.svc.Ready(c.Request().Context()); err != nil {
		s.log.LogAttrs(c.Request().Context(), slog.LevelWarn, "not ready", slog.String("error", err.Error()))
		msg := "not ready"
		if semsearch.ErrorCode(err) != semsearch.EInternal {
			msg = "not ready: " + semsearch.ErrorMessage(err)
		}
		return semsearch.Errorf(semsearch.EUnavailable, "%s", msg)
	}
	return c.JSON(http.StatusOK, statusBody{Status: "ready"})
}
