package wire

import (
	"time"

	"github.com/semsearch/semsearch"
)

// Source is one subscription as `sources --json` and GET /api/sources show
// it. Times are RFC 3339, null when it never happened (last_checked) or
// will not (next_check of a gone source).
type Source struct {
	ID          int64      `json:"id"`
	URL         string     `json:"url"` // redacted; a local path only by its name over HTTP
	Kind        string     `json:"kind"`
	Status      string     `json:"status"` // new, ok, error or gone
	LastChecked *time.Time `json:"last_checked"`
	NextCheck   *time.Time `json:"next_check"`
	HTTPStatus  int        `json:"http_status"`
	Errors      int        `json:"errors"` // consecutive failed polls
	LastError   string     `json:"last_error"`
	Posts       int        `json:"posts"`
}

// NewSource shapes a subscription, its URL shown by name
// (semsearch.RedactURL for the CLI, semsearch.PublicSourceName for the API).
func NewSource(sub semsearch.Subscription, name func(string) string) Source {
	s := Source{
		ID: sub.ID, URL: name(sub.URL), Kind: string(sub.Kind), Status: string(sub.Status),
		HTTPStatus: sub.HTTPStatus, Errors: sub.Errors, LastError: sub.LastError, Posts: sub.Posts,
	}
	if !sub.LastChecked.IsZero() {
		t := sub.LastChecked
		s.LastChecked = &t
	}
	if !sub.NextCheck.IsZero() {
		t := sub.NextCheck
		s.NextCheck = &t
	}
	return s
}

// SourcesResponse is the `sources --json` and GET /api/sources body.
type SourcesResponse struct {
	Sources []Source `json:"sources"` // never null
}

// NewSources shapes a list of subscriptions.
func NewSources(subs []semsearch.Subscription, name func(string) string) SourcesResponse {
	out := SourcesResponse{Sources: make([]Source, 0, len(subs))}
	for _, s := range subs {
		out.Sources = append(out.Sources, NewSource(s, name))
	}
	return out
}

// SubscribeRequest is the POST /api/sources body. Interval is a duration
// ("30m", "6h"); empty adapts to how often the source publishes. Crawl
// crawls an HTML page's site to full articles even when it advertises a
// feed.
type SubscribeRequest struct {
	URL      string `json:"url"`
	Interval string `json:"interval,omitempty"`
	Crawl    bool   `json:"crawl,omitempty"`
}

// SubscribeResponse is the POST /api/sources body: the subscriptions made
// (an OPML list makes several) and the report of their first poll, as
// `ingest --json` prints it.
type SubscribeResponse struct {
	Sources []Source               `json:"sources"` // never null
	Ingest  semsearch.IngestReport `json:"ingest"`
}

// RemoveSourceResponse is the DELETE /api/sources/{id} body: the source
// removed and how many posts went with it (?purge=true).
type RemoveSourceResponse struct {
	Removed int64 `json:"removed"`
	Purged  int   `json:"purged"`
}

// PollResponse is the `poll --json` and POST /api/sources/{id}/poll body.
type PollResponse struct {
	Sources []semsearch.PollReport `json:"sources"` // never null
}
