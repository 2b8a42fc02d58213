package server

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/wire"
)

func (s *Server) similar(c echo.Context) error {
	var req wire.SimilarRequest
	if err := decodeJSON(c, &req, true); err != nil {
		return err
	}
	text := strings.TrimSpace(req.Text)
	if text == "" {
		return invalidf("text is required")
	}
	if err := semsearch.CheckText("text", text, semsearch.MaxTextRunes); err != nil {
		return err
	}
	k, err := bodyK(req.K)
	if err != nil {
		return err
	}
	results, err := s.svc.Search.Similar(c.Request().Context(), text, k)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, wire.SimilarResponse{Results: wire.Results(results)})
}
