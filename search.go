package semsearch

import "time"

// Mode selects the retrievers a search runs.
type Mode string

const (
	ModeHybrid  Mode = "hybrid" // vector + lexical, fused; the default
	ModeVector  Mode = "vector"
	ModeLexical Mode = "lexical"
)

// Filter narrows a search to posts that match every non-zero field.
// Since and Until bound Post.Published, inclusive.
type Filter struct {
	Source string    `json:"source,omitempty"` // Source.Title or Source.URL
	Author string    `json:"author,omitempty"`
	Tag    string    `json:"tag,omitempty"`
	Since  time.Time `json:"since,omitzero"`
	Until  time.Time `json:"until,omitzero"`
}

// Input limits, checked by search and, earlier and with field names, by the
// HTTP API.
const (
	MaxQueryRunes = 1000    // a search query
	MaxTextRunes  = 100_000 // a text to find similar posts for (a whole post fits)
)

// Query is a post-level search request.
type Query struct {
	Text   string
	K      int // number of posts, 1..100
	Mode   Mode
	Filter Filter
}

// Result is one post in a ranked list, with its best passages.
type Result struct {
	ID        string    `json:"id"`
	Title     string    `json:"title"`
	URL       string    `json:"url"`
	Source    string    `json:"source"`
	Author    string    `json:"author"`
	Published time.Time `json:"published,omitzero"`
	Score     float64   `json:"score"`
	Passages  []Passage `json:"passages"`
}

// Passage is a chunk shown in a result. Highlight is Text HTML-escaped with
// the query terms wrapped in <mark>…</mark>; it is safe to insert as HTML.
type Passage struct {
	Text      string `json:"text"`
	Highlight string `json:"highlight"`
	Heading   string `json:"heading"`
}

// ParseDate parses a filter bound: YYYY-MM-DD or RFC 3339. A bare date as an
// upper bound (endOfDay) means the end of that day. Empty gives the zero time.
func ParseDate(s string, endOfDay bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, Errorf(EInvalid, "date %q: want YYYY-MM-DD or RFC 3339", s)
	}
	if endOfDay {
		t = t.Add(24*time.Hour - time.Nanosecond)
	}
	return t, nil
}
