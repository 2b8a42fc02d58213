package server

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/semsearch/semsearch"
)

// PostResponse is the GET /api/posts/{id} body (and `show --json`).
type PostResponse struct {
	ID        string    `json:"id"`
	Title     string    `json:"title"`
	URL       string    `json:"url"`
	Source    string    `json:"source"` // the feed or page title, else its URL
	Author    string    `json:"author"` // authors joined with ", "
	Published time.Time `json:"published,omitzero"`
	Tags      []string  `json:"tags"` // never null
	Text      string    `json:"text"`
}

// NewPostResponse shapes a post for the API.
func NewPostResponse(p semsearch.Post) PostResponse {
	tags := p.Tags
	if tags == nil {
		tags = []string{}
	}
	return PostResponse{
		ID:        p.ID,
		Title:     p.Title,
		URL:       p.URL,
		Source:    p.Source.Name(),
		Author:    strings.Join(p.Authors, ", "),
		Published: p.Published,
		Tags:      tags,
		Text:      p.Text,
	}
}

// RelatedResponse is the GET /api/posts/{id}/related body (and
// `related --json`).
type RelatedResponse struct {
	ID      string             `json:"id"`
	Results []semsearch.Result `json:"results"` // never null
}

// DeleteResponse is the DELETE /api/posts/{id} body.
type DeleteResponse struct {
	Deleted string `json:"deleted"`
}

func (s *Server) getPost(c echo.Context) error {
	id, err := pathParam(c, "id")
	if err != nil {
		return err
	}
	p, err := s.svc.Post(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, NewPostResponse(p))
}

func (s *Server) related(c echo.Context) error {
	id, err := pathParam(c, "id")
	if err != nil {
		return err
	}
	k, err := queryK(c)
	if err != nil {
		return err
	}
	results, err := s.svc.Related(c.Request().Context(), id, k)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, RelatedResponse{ID: id, Results: nonNil(results)})
}

func (s *Server) deletePost(c echo.Context) error {
	id, err := pathParam(c, "id")
	if err != nil {
		return err
	}
	if err := s.svc.Delete(c.Request().Context(), id); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, DeleteResponse{Deleted: id})
}
