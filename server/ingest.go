package server

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/semsearch/semsearch"
)

// maxIngestSources bounds one POST /api/ingest request.
const maxIngestSources = 100

// IngestRequest is the POST /api/ingest body.
type IngestRequest struct {
	Sources []string `json:"sources"`
}

// ingest runs the ingest of the given sources and answers with the
// semsearch.IngestReport (the `ingest --json` body). A source that fails is
// reported in its entry; the request itself still succeeds.
func (s *Server) ingest(c echo.Context) error {
	var req IngestRequest
	if err := decodeJSON(c, &req, true); err != nil {
		return err
	}
	if len(req.Sources) == 0 {
		return invalidf("sources is required: a list of feed URLs, pages or paths")
	}
	if len(req.Sources) > maxIngestSources {
		return invalidf("too many sources: %d, at most %d per request", len(req.Sources), maxIngestSources)
	}
	for i, src := range req.Sources {
		src = strings.TrimSpace(src)
		if src == "" {
			return invalidf("sources[%d] is empty", i)
		}
		if src == "-" {
			return invalidf("sources[%d]: stdin (\"-\") cannot be ingested over HTTP", i)
		}
		if err := checkText("source", src, 4096); err != nil {
			return err
		}
		req.Sources[i] = src
	}
	rep, err := s.svc.Ingest(c.Request().Context(), req.Sources)
	if err != nil {
		return err
	}
	if rep.Sources == nil {
		rep.Sources = []semsearch.SourceReport{}
	}
	return c.JSON(http.StatusOK, rep)
}
