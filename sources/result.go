package sources

import (
	"github.com/semsearch/semsearch"
)

// Outcome is how a poll went.
type Outcome string

// Poll outcomes, as `poll --json` prints them.
const (
	Updated     Outcome = "updated"      // new or changed posts were stored
	NotModified Outcome = "not_modified" // reachable, nothing new (304, same body, or only known posts)
	Failed      Outcome = "error"        // the poll failed; Err says why, the source backs off
)

// Result is the outcome of one poll of one source.
type Result struct {
	// Source is the subscription after the poll (ID 0 when Add failed
	// before subscribing).
	Source     semsearch.Subscription
	Outcome    Outcome
	HTTPStatus int // of the source's main document; 0 for local sources or when none arrived
	New        int // posts not stored before
	Changed    int // stored posts whose content changed
	Unchanged  int // posts already stored as they are
	Chunks     int // chunks stored for the new and changed posts
	Requests   int // HTTP requests the poll made
	Err        error
}

// Report is the `ingest --json` body for results (what `add --json`
// prints): one entry per source, named by its redacted URL.
func Report(results []Result, name func(string) string) semsearch.IngestReport {
	rep := semsearch.IngestReport{Sources: []semsearch.SourceReport{}}
	for _, r := range results {
		sr := semsearch.SourceReport{
			Source:    name(r.Source.URL),
			Posts:     r.New + r.Changed,
			Chunks:    r.Chunks,
			Unchanged: r.Unchanged,
		}
		if r.Err != nil {
			sr.Error = scrubAs(r.Err.Error(), r.Source.URL, name)
			sr.Posts, sr.Chunks = 0, 0
		}
		rep.Sources = append(rep.Sources, sr)
		rep.Posts += sr.Posts
		rep.Chunks += sr.Chunks
		rep.Unchanged += sr.Unchanged
	}
	return rep
}

// Report is r as the `poll --json` entry, its URL shown by name (RedactURL
// for the CLI, PublicSourceName for the API) and its error scrubbed of the
// source's secrets.
func (r Result) Report(name func(string) string) semsearch.PollReport {
	rep := semsearch.PollReport{
		URL: name(r.Source.URL), Result: string(r.Outcome), HTTPStatus: r.HTTPStatus,
		New: r.New, Changed: r.Changed, Unchanged: r.Unchanged,
	}
	if r.Err != nil {
		rep.Error = scrubAs(r.Err.Error(), r.Source.URL, name)
	}
	return rep
}
