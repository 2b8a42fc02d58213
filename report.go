package semsearch

// IngestReport is the result of ingesting a list of sources; its JSON is the
// `ingest --json` and `POST /api/ingest` body.
type IngestReport struct {
	Sources   []SourceReport `json:"sources"`
	Posts     int            `json:"posts"`     // posts stored (new or changed) over all sources
	Chunks    int            `json:"chunks"`    // chunks stored over all sources
	Unchanged int            `json:"unchanged"` // posts skipped: already stored with the same content
}

// SourceReport is the outcome for one source. Error is empty on success; a
// source that fails to fetch, parse, embed or store stores nothing.
type SourceReport struct {
	Source    string `json:"source"`
	Posts     int    `json:"posts"`
	Chunks    int    `json:"chunks"`
	Unchanged int    `json:"unchanged"`
	Error     string `json:"error,omitempty"`
	// Skipped says why a source stored nothing on purpose, not by failure:
	// "draft" for a Markdown file marked draft: true.
	Skipped string `json:"skipped,omitempty"`
	// Feeds an HTML page advertises (auto-discovery); ingest them instead
	// with --follow-feeds.
	Feeds []string `json:"feeds,omitempty"`
}

// Stats describes an index; its JSON is the `stats --json` and
// `GET /api/stats` body.
type Stats struct {
	Posts   int    `json:"posts"`
	Chunks  int    `json:"chunks"`
	Sources int    `json:"sources"`
	Model   string `json:"model"`
	Dims    int    `json:"dims"`
}
