package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/semsearch/semsearch/openapi"
)

// openapiDoc serves the OpenAPI 3.1 document of this API.
func (s *Server) openapiDoc(c echo.Context) error {
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, openapi.Document())
}
