package server

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"slices"
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

// PollStatser reports the poller's counters for /metrics; a SourceService
// that implements it has them shown.
type PollStatser interface {
	PollStats() semsearch.PollStats
}

// writePollStats adds the poller's counters to /metrics.
func (s *Server) writePollStats(b *strings.Builder) {
	ps, ok := s.svc.Sources.(PollStatser)
	if !ok {
		return
	}
	st := ps.PollStats()
	b.WriteString("# HELP semsearch_source_fetches_total Fetches of subscribed sources by result (200, 304, error).\n")
	b.WriteString("# TYPE semsearch_source_fetches_total counter\n")
	for _, k := range slices.Sorted(maps.Keys(st.Fetches)) {
		fmt.Fprintf(b, "semsearch_source_fetches_total{result=%s} %d\n", quoteLabel(k), st.Fetches[k])
	}
	b.WriteString("# HELP semsearch_source_polls_total Polls of subscribed sources by outcome (updated, not_modified, error).\n")
	b.WriteString("# TYPE semsearch_source_polls_total counter\n")
	for _, k := range slices.Sorted(maps.Keys(st.Polls)) {
		fmt.Fprintf(b, "semsearch_source_polls_total{result=%s} %d\n", quoteLabel(k), st.Polls[k])
	}
	b.WriteString("# HELP semsearch_source_poll_seconds_total Time spent polling subscribed sources.\n")
	b.WriteString("# TYPE semsearch_source_poll_seconds_total counter\n")
	fmt.Fprintf(b, "semsearch_source_poll_seconds_total %s\n", strconv.FormatFloat(st.PollSeconds, 'g', -1, 64))
	b.WriteString("# HELP semsearch_sources_due Sources claimed at the poller's last pass.\n# TYPE semsearch_sources_due gauge\n")
	fmt.Fprintf(b, "semsearch_sources_due %d\n", st.Due)
	b.WriteString("# HELP semsearch_source_polls_in_flight Polls running now.\n# TYPE semsearch_source_polls_in_flight gauge\n")
	fmt.Fprintf(b, "semsearch_source_polls_in_flight %d\n", st.InFlight)
}
