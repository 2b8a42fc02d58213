package server

import (
	"context"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/wire"
)

// Searcher answers the search, related and similar routes.
type Searcher interface {
	Search(ctx context.Context, q semsearch.Query) ([]semsearch.Result, error)
	Related(ctx context.Context, id string, k int) ([]semsearch.Result, error)
	Similar(ctx context.Context, text string, k int) ([]semsearch.Result, error)
}

// parseSearchQuery reads the /api/search query parameters (q, k, mode,
// source, author, tag, since, until) into a Query and validates it
// (semsearch.Query.Validate). Invalid input is a *semsearch.Error of kind
// invalid.
func parseSearchQuery(get func(string) string) (semsearch.Query, error) {
	q := semsearch.Query{
		Text: strings.TrimSpace(get("q")),
		K:    semsearch.DefaultK,
		Mode: semsearch.Mode(get("mode")),
		Filter: semsearch.Filter{
			Source: strings.TrimSpace(get("source")),
			Author: strings.TrimSpace(get("author")),
			Tag:    strings.TrimSpace(get("tag")),
		},
	}
	if q.Mode == "" {
		q.Mode = semsearch.ModeHybrid
	}
	if raw := get("k"); raw != "" {
		k, err := parseKString(raw)
		if err != nil {
			return q, err
		}
		q.K = k
	}
	var err error
	if q.Filter.Since, err = parseTime("since", get("since"), false); err != nil {
		return q, err
	}
	if q.Filter.Until, err = parseTime("until", get("until"), true); err != nil {
		return q, err
	}
	return q, q.Validate()
}

func (s *Server) search(c echo.Context) error {
	get, err := queryParams(c)
	if err != nil {
		return err
	}
	q, err := parseAskQuery(get) // ask.go: sort and interpret too
	if err != nil {
		return err
	}
	start := time.Now()
	page, err := s.svc.Answers.SearchPage(c.Request().Context(), q)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, wire.NewSearchPage(q, page, millis(time.Since(start))))
}

// millis is d in milliseconds, rounded to the microsecond.
func millis(d time.Duration) float64 {
	return math.Round(float64(d.Microseconds())) / 1000
}
