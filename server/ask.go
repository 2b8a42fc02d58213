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
