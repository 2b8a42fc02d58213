package server

import (
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/semsearch/semsearch"
)

// maxFilterRunes bounds source, author and tag.
const maxFilterRunes = 1000

// SearchResponse is the GET /api/search body (and `search --json`).
type SearchResponse struct {
	Query   string             `json:"query"`
	Mode    semsearch.Mode     `json:"mode"`
	TookMS  float64            `json:"took_ms"`
	Results []semsearch.Result `json:"results"` // never null
}

// parseSearchQuery validates the /api/search query parameters (q, k, mode,
// source, author, tag, since, until) into a Query. Invalid input is a
// *semsearch.Error of kind invalid.
func parseSearchQuery(get func(string) string) (semsearch.Query, error) {
	var q semsearch.Query
	q.Text = strings.TrimSpace(get("q"))
	if q.Text == "" {
		return q, invalidf("q is required")
	}
	if err := checkText("q", q.Text, semsearch.MaxQueryRunes); err != nil {
		return q, err
	}
	q.K = defaultK
	if raw := get("k"); raw != "" {
		k, err := parseKString(raw)
		if err != nil {
			return q, err
		}
		q.K = k
	}
	switch m := semsearch.Mode(get("mode")); m {
	case "":
		q.Mode = semsearch.ModeHybrid
	case semsearch.ModeHybrid, semsearch.ModeVector, semsearch.ModeLexical:
		q.Mode = m
	default:
		return q, invalidf("mode must be hybrid, vector or lexical, got %q", string(m))
	}
	for _, f := range []struct {
		name string
		dst  *string
	}{{"source", &q.Filter.Source}, {"author", &q.Filter.Author}, {"tag", &q.Filter.Tag}} {
		v := strings.TrimSpace(get(f.name))
		if err := checkText(f.name, v, maxFilterRunes); err != nil {
			return q, err
		}
		*f.dst = v
	}
	var err error
	if q.Filter.Since, err = parseTime("since", get("since"), false); err != nil {
		return q, err
	}
	if q.Filter.Until, err = parseTime("until", get("until"), true); err != nil {
		return q, err
	}
	if !q.Filter.Since.IsZero() && !q.Filter.Until.IsZero() && q.Filter.Until.Before(q.Filter.Since) {
		return q, invalidf("until is before since")
	}
	return q, nil
}

func (s *Server) search(c echo.Context) error {
	q, err := parseSearchQuery(c.QueryParam)
	if err != nil {
		return err
	}
	start := time.Now()
	results, err := s.svc.Search(c.Request().Context(), q)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, SearchResponse{
		Query:   q.Text,
		Mode:    q.Mode,
		TookMS:  millis(time.Since(start)),
		Results: nonNil(results),
	})
}

// millis is d in milliseconds, rounded to the microsecond.
func millis(d time.Duration) float64 {
	return math.Round(float64(d.Microseconds())) / 1000
}

func nonNil(r []semsearch.Result) []semsearch.Result {
	if r == nil {
		return []semsearch.Result{}
	}
	for i := range r {
		if r[i].Passages == nil {
			r[i].Passages = []semsearch.Passage{}
		}
	}
	return r
}
