package semsearch

import (
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

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

// Input limits, checked by Query.Validate and CheckText for every front
// door (HTTP API, CLI, MCP).
const (
	DefaultK       = 10      // posts per request when none is asked for
	MaxK           = 100     // the most posts one request may ask for
	MaxQueryRunes  = 1000    // a search query
	MaxTextRunes   = 100_000 // a text to find similar posts for (a whole post fits)
	MaxFilterRunes = 1000    // a source, author or tag filter
)

// Query is a post-level search request.
type Query struct {
	Text   string
	K      int // number of posts, 1..MaxK
	Mode   Mode
	Filter Filter
	Sort   Sort // "" means SortRelevance
	// Literal asks front doors that read date phrases ("latest", "in
	// 2024") as filters not to: Text is searched as it is.
	Literal bool
}

// Validate checks q as every front door must: non-empty text of at most
// MaxQueryRunes (after trimming white space), K in 1..MaxK, a known or empty
// Mode (empty means hybrid) and Sort, short filters and an ordered date range. The
// error is an invalid *Error naming the field.
func (q Query) Validate() error { return q.ValidateWithin(MaxQueryRunes) }

// ValidateWithin is Validate with another bound on the query's length (the
// evaluation harness scores long test-collection queries whole).
func (q Query) ValidateWithin(maxRunes int) error {
	text := strings.TrimSpace(q.Text)
	if text == "" {
		return Errorf(EInvalid, "q is required: the query is empty")
	}
	if err := CheckText("q", text, maxRunes); err != nil {
		return err
	}
	if err := CheckK(q.K); err != nil {
		return err
	}
	switch q.Mode {
	case "", ModeHybrid, ModeVector, ModeLexical:
	default:
		return Errorf(EInvalid, "mode must be hybrid, vector or lexical, got %q", string(q.Mode))
	}
	switch q.Sort {
	case "", SortRelevance, SortDate:
	default:
		return Errorf(EInvalid, "sort must be relevance or date, got %q", string(q.Sort))
	}
	for _, f := range []struct{ name, v string }{{"source", q.Filter.Source}, {"author", q.Filter.Author}, {"tag", q.Filter.Tag}} {
		if err := CheckText(f.name, f.v, MaxFilterRunes); err != nil {
			return err
		}
	}
	if !q.Filter.Since.IsZero() && !q.Filter.Until.IsZero() && q.Filter.Until.Before(q.Filter.Since) {
		return Errorf(EInvalid, "until is before since")
	}
	return nil
}

// CheckK checks a number of posts asked for: 1..MaxK.
func CheckK(k int) error {
	if k < 1 || k > MaxK {
		return Errorf(EInvalid, "k must be an integer from 1 to %d, got %d", MaxK, k)
	}
	return nil
}

// CheckText checks a free-text field: valid UTF-8 of at most max runes.
func CheckText(name, v string, max int) error {
	if !utf8.ValidString(v) {
		return Errorf(EInvalid, "%s is not valid UTF-8", name)
	}
	if n := utf8.RuneCountInString(v); n > max {
		return Errorf(EInvalid, "%s is too long: %d characters, at most %d", name, n, max)
	}
	return nil
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
// Link is the post's URL with a text fragment (#:~:text=…) that scrolls a
// browser to the passage; it is "" when the post has no URL.
type Passage struct {
	Text      string `json:"text"`
	Highlight string `json:"highlight"`
	Heading   string `json:"heading"`
	Link      string `json:"link"`
}

// rfc3339 is RFC 3339's date-time syntax, which time.Parse checks only
// loosely (it takes a one-digit hour).
var rfc3339 = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$`)

// ParseDate parses a filter bound: YYYY-MM-DD or RFC 3339. A bare date as an
// upper bound (endOfDay) means the end of that day. Empty gives the zero time.
func ParseDate(s string, endOfDay bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if rfc3339.MatchString(s) {
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			return t, nil
		}
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
