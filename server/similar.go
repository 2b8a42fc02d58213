package server

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/semsearch/semsearch"
)

// SimilarRequest is the POST /api/similar body; K 0 means the default 10.
type SimilarRequest struct {
	Text string `json:"text"`
	K    int    `json:"k"`
}

// SimilarResponse is the POST /api/similar response body.
type SimilarResponse struct {
	Results []semsearch.Result `json:"results"` // never null
}

func (s *Server) similar(c echo.Context) error {
	var req SimilarRequest
	if err := decodeJSON(c, &req, true); err != nil {
		return err
	}
	text := strings.TrimSpace(req.Text)
	if text == "" {
		return invalidf("text is required")
	}
	if err := checkText("text", text, semsearch.MaxTextRunes); err != nil {
		return err
	}
	k, err := bodyK(req.K)
	if err != nil {
		return err
	}
	results, err := s.svc.Similar(c.Request().Context(), text, k)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, SimilarResponse{Results: nonNil(results)})
}
