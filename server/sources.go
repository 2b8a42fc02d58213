package server

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/wire"
)

// SourceService answers the subscription routes.
type SourceService interface {
	Sources(ctx context.Context) ([]semsearch.Subscription, error)
	// SubscribeURL subscribes to an http(s) URL and polls it once.
	SubscribeURL(ctx context.Context, url string, interval time.Duration, crawl bool) ([]semsearch.Subscription, semsearch.IngestReport, error)
	RemoveSource(ctx context.Context, id int64, purge bool) (int, error)
	PollSource(ctx context.Context, id int64) (semsearch.PollReport, error)
}

// API readers see a source by semsearch.PublicSourceName: secrets redacted,
// a local path only by its name.

func (s *Server) listSources(c echo.Context) error {
	subs, err := s.svc.Sources.Sources(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, wire.NewSources(subs, semsearch.PublicSourceName))
}

// addSource subscribes to the URL of the body and answers 201 with the
// subscriptions made and their first poll's report.
func (s *Server) addSource(c echo.Context) error {
	var req wire.SubscribeRequest
	if err := decodeJSON(c, &req, true); err != nil {
		return err
	}
	req.URL = strings.TrimSpace(req.URL)
	if err := semsearch.CheckRemoteSource(req.URL); err != nil {
		return invalidf("url: %s", semsearch.ErrorMessage(err))
	}
	var interval time.Duration
	if req.Interval != "" {
		d, err := time.ParseDuration(req.Interval)
		if err != nil || d <= 0 {
			return invalidf("interval must be a positive duration such as 30m or 6h, got %q", req.Interval)
		}
		interval = d
	}
	subs, rep, err := s.svc.Sources.SubscribeURL(c.Request().Context(), req.URL, interval, req.Crawl)
	if err != nil {
		return err
	}
	if rep.Sources == nil {
		rep.Sources = []semsearch.SourceReport{}
	}
	resp := wire.SubscribeResponse{Sources: wire.NewSources(subs, semsearch.PublicSourceName).Sources, Ingest: rep}
	return c.JSON(http.StatusCreated, resp)
}

// removeSource unsubscribes; ?purge=true also deletes the posts only this
// source contributed.
func (s *Server) removeSource(c echo.Context) error {
	id, err := sourceID(c)
	if err != nil {
		return err
	}
	get, err := queryParams(c)
	if err != nil {
		return err
	}
	purge := false
	if raw := get("purge"); raw != "" {
		if purge, err = strconv.ParseBool(raw); err != nil {
			return invalidf("purge must be true or false, got %q", raw)
		}
	}
	n, err := s.svc.Sources.RemoveSource(c.Request().Context(), id, purge)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, wire.RemoveSourceResponse{Removed: id, Purged: n})
}

// pollSource polls one source now, whatever its schedule.
func (s *Server) pollSource(c echo.Context) error {
	id, err := sourceID(c)
	if err != nil {
		return err
	}
	rep, err := s.svc.Sources.PollSource(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, wire.PollResponse{Sources: []semsearch.PollReport{rep}})
}

func sourceID(c echo.Context) (int64, error) {
	raw, err := pathParam(c, "id")
	if err != nil {
		return 0, err
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return 0, invalidf("source id must be a positive integer, got %q", raw)
	}
	return id, nil
}
