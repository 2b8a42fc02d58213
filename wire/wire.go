// Package wire holds the JSON bodies of semsearch's outside contract (see
// ../shared/DESIGN.md): what the HTTP API sends and takes, and what the
// CLI's --json prints. The server, the CLI and any other front door (an
// OpenAPI document, an MCP adapter) share these types, so one change of
// shape shows everywhere at once. The ingest report and the index stats are
// domain types (semsearch.IngestReport, semsearch.Stats) and are sent as
// they are.
//
// Slices documented "never null" are empty, not nil, once built with the
// constructors here.
package wire

import (
	"strings"
	"time"

	"github.com/semsearch/semsearch"
)

// SearchResponse is the GET /api/search body (and `search --json`).
type SearchResponse struct {
	Query   string             `json:"query"`
	Mode    semsearch.Mode     `json:"mode"`
	TookMS  float64            `json:"took_ms"`
	Results []semsearch.Result `json:"results"` // never null
	// Facets count every candidate post (not only Results) by source,
	// author and tag; Interpreted is what the query was read as (its date
	// phrases as filters and ordering). The API always sends both.
	Facets      *semsearch.Facets         `json:"facets,omitempty"`
	Interpreted *semsearch.Interpretation `json:"interpreted,omitempty"`
}

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

// SimilarRequest is the POST /api/similar body; K 0 means semsearch.DefaultK.
type SimilarRequest struct {
	Text string `json:"text"`
	K    int    `json:"k"`
}

// SimilarResponse is the POST /api/similar response body.
type SimilarResponse struct {
	Results []semsearch.Result `json:"results"` // never null
}

// IngestRequest is the POST /api/ingest body; the response is a
// semsearch.IngestReport.
type IngestRequest struct {
	Sources []string `json:"sources"`
}

// IngestFailure is the POST /api/ingest body when no source could be
// ingested: the report and the error shape in one object, so a caller that
// reads either contract finds what it expects.
type IngestFailure struct {
	semsearch.IngestReport
	Error ErrorDetail `json:"error"`
}

// StatusBody is the /healthz and /readyz body.
type StatusBody struct {
	Status string `json:"status"`
}

// ErrorBody is the JSON shape of every error response.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail names the error kind (a semsearch error code, or one of
// unauthorized, forbidden, method_not_allowed, rate_limited) and gives a
// message that is safe to show.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Results returns r with every nil slice made empty, so that the JSON says
// [] rather than null.
func Results(r []semsearch.Result) []semsearch.Result {
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
