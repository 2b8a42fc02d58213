package server

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/wire"
)

// Answerer answers the ask route and gives the search route its results
// page (facets, date interpretation).
type Answerer interface {
	Ask(ctx context.Context, q semsearch.Query) (semsearch.Answer, error)
	SearchPage(ctx context.Context, q semsearch.Query) (semsearch.Page, error)
	// Gaps groups the logged questions since the given time that got no
	// answer or a doubtful one.
	Gaps(ctx context.Context, since time.Time) ([]semsearch.Gap, error)
}

// parseAskQuery reads the parameters ask and search share beyond
// parseSearchQuery's: sort (relevance or date) and interpret (0 or false:
// take the query's date phrases literally).
func parseAskQuery(get func(string) string) (semsearch.Query, error) {
	q, err := parseSearchQuery(get)
	if err != nil {
		return q, err
	}
	q.Sort = semsearch.Sort(get("sort"))
	switch get("interpret") {
	case "", "1", "true":
	case "0", "false":
		q.Literal = true
	default:
		return q, invalidf("interpret must be 1 or 0, got %q", get("interpret"))
	}
	return q, q.Validate()
}

// ask answers GET /api/ask: the sentences that answer the question, or
// answered:false, with the search results either way.
func (s *Server) ask(c echo.Context) error {
	get, err := queryParams(c)
	if err != nil {
		return err
	}
	q, err := parseAskQuery(get)
	if err != nil {
		return err
	}
	start := time.Now()
	a, err := s.svc.Answers.Ask(c.Request().Context(), q)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, wire.NewAskResponse(a, millis(time.Since(start))))
}

// gaps answers GET /api/gaps?since=: the questions readers asked in vain,
// grouped (needs the API key when one is set: the log says what readers
// asked). since is RFC 3339, a date, or a duration back from now ("720h");
// default: everything the log keeps.
func (s *Server) gaps(c echo.Context) error {
	get, err := queryParams(c)
	if err != nil {
		return err
	}
	since, err := parseSince(get("since"), time.Now())
	if err != nil {
		return err
	}
	gs, err := s.svc.Answers.Gaps(c.Request().Context(), since)
	if err != nil {
		return err
	}
	if gs == nil {
		gs = []semsearch.Gap{}
	}
	return c.JSON(http.StatusOK, wire.GapsResponse{Since: since, Gaps: gs})
}

// parseSince reads a lower time bound: RFC 3339, YYYY-MM-DD, or a Go
// duration back from now ("720h").
func parseSince(raw string, now time.Time) (time.Time, error) {
	if raw == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(raw); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	t, err := semsearch.ParseDate(raw, false)
	if err != nil {
		return t, invalidf("since must be an RFC 3339 time, a YYYY-MM-DD date or a duration such as 720h, got %q", raw)
	}
	return t, nil
}
