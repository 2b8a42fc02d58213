package server

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/wire"
)

// maxIngestSources bounds one POST /api/ingest request.
const maxIngestSources = 100

// Ingester ingests sources named by an API caller, which must be http(s)
// URLs (semsearch.CheckRemoteSource): never a path on the server.
type Ingester interface {
	IngestURLs(ctx context.Context, urls []string) (semsearch.IngestReport, error)
}

// ingest runs the ingest of the given URLs and answers with the
// semsearch.IngestReport (the `ingest --json` body). A source that fails is
// reported in its entry; when every source failed, the status is 502 and
// the body also carries the error shape (wire.IngestFailure).
func (s *Server) ingest(c echo.Context) error {
	var req wire.IngestRequest
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
		if err := semsearch.CheckRemoteSource(src); err != nil {
			return invalidf("sources[%d]: %s", i, semsearch.ErrorMessage(err))
		}
		req.Sources[i] = src
	}
	rep, err := s.svc.Ingest.IngestURLs(c.Request().Context(), req.Sources)
	if err != nil {
		return err
	}
	if rep.Sources == nil {
		rep.Sources = []semsearch.SourceReport{}
	}
	if failed := allFailed(rep); failed != "" {
		return c.JSON(http.StatusBadGateway, wire.IngestFailure{IngestReport: rep,
			Error: wire.ErrorDetail{Code: semsearch.EUpstream, Message: failed}})
	}
	return c.JSON(http.StatusOK, rep)
}

// allFailed says why no source could be ingested, or "" when one could.
func allFailed(rep semsearch.IngestReport) string {
	if len(rep.Sources) == 0 {
		return ""
	}
	for _, src := range rep.Sources {
		if src.Error == "" {
			return ""
		}
	}
	first := rep.Sources[0]
	if len(rep.Sources) == 1 {
		return fmt.Sprintf("the source could not be ingested: %s: %s", first.Source, first.Error)
	}
	return fmt.Sprintf("none of the %d sources could be ingested; the first: %s: %s", len(rep.Sources), first.Source, first.Error)
}
