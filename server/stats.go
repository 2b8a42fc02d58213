package server

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// stats answers with the semsearch.Stats of the index (the `stats --json`
// body).
func (s *Server) stats(c echo.Context) error {
	st, err := s.svc.Status.Stats(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, st)
}
