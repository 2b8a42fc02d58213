package server

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/wire"
)

// Status answers readiness probes and the stats route.
type Status interface {
	// Ready reports, cheaply, whether searches can be answered (index open,
	// model loaded); nil means ready.
	Ready(ctx context.Context) error
	Stats(ctx context.Context) (semsearch.Stats, error)
}

// healthz answers 200 while the process serves HTTP at all (liveness).
func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, wire.StatusBody{Status: "ok"})
}

// readyz answers 200 when the service can answer searches, else 503
// (readiness). The reason is logged; the caller sees a generic message
// unless the service gave a caller-safe one.
func (s *Server) readyz(c echo.Context) error {
	if err := s.svc.Status.Ready(c.Request().Context()); err != nil {
		s.log.LogAttrs(c.Request().Context(), slog.LevelWarn, "not ready", slog.String("error", err.Error()))
		msg := "not ready"
		if semsearch.ErrorCode(err) != semsearch.EInternal {
			msg = "not ready: " + semsearch.ErrorMessage(err)
		}
		return semsearch.Errorf(semsearch.EUnavailable, "%s", msg)
	}
	return c.JSON(http.StatusOK, wire.StatusBody{Status: "ready"})
}
