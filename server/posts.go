package server

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/wire"
)

// PostStore answers the post routes.
type PostStore interface {
	Post(ctx context.Context, id string) (semsearch.Post, error)
	Delete(ctx context.Context, id string) error
}

func (s *Server) getPost(c echo.Context) error {
	id, err := pathParam(c, "id")
	if err != nil {
		return err
	}
	p, err := s.svc.Posts.Post(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, wire.NewPostResponse(p))
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
	results, err := s.svc.Search.Related(c.Request().Context(), id, k)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, wire.RelatedResponse{ID: id, Results: wire.Results(results)})
}

func (s *Server) deletePost(c echo.Context) error {
	id, err := pathParam(c, "id")
	if err != nil {
		return err
	}
	if err := s.svc.Posts.Delete(c.Request().Context(), id); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, wire.DeleteResponse{Deleted: id})
}
