// Package dateintent reads the date phrases of a query ("latest", "most
// recent", "in 2024", "last year", "since March", "before 2021") as a date
// filter and an ordering, and takes them out of the text searched, keeping
// every word that still carries topic.
package dateintent

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/semsearch/semsearch"
)

var months = map[string]time.Month{
	"january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
	"may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
	"september": 9, "sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
	"december": 12, "dec": 12,
}

const monthRE = `(january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)`

// Patterns, tried in order on the lower-cased query; each match is cut
// out of the text. A year is 1990..2099 so that "in 300 ms" stays topic.
var (
	reNewest = regexp.MustCompile(`\b(the\s+)?(latest|newest|most\s+recent(ly)?|most\s+recently\s+published)\b`)
	reRange  = regexp.MustCompile(`\b(in|during|from|since|after|before|until)\s+(` + monthRE + `\s+)?((19|20)\d\d)\b`)
	reMonth  = regexp.MustCompile(`\b(in|since|after|before|until)\s+` + monthRE + `\b`)
	reYear   = regexp.MustCompile(`\b(in\s+|from\s+|during\s+)?(last|this|past)\s+(year|month)\b`)
)

// Parse returns what q asks for: Text is q with its date phrases taken
// out (white space folded; q itself if nothing else would be left), Since
// and Until the bounds they set (Until inclusive, to the nanosecond),
// Sort SortDate for "latest" and its kin, and Phrases the phrases as they
// appeared in q. Relative phrases ("last year", "since March") are read
// against now, in now's location.
func Parse(q string, now time.Time) semsearch.Interpretation {
	in := semsearch.Interpretation{}
	lower := asciiLower(q) // same byte offsets as q: the patterns are ASCII
	var cuts [][2]int      // byte ranges of q to take out
	take := func(loc []int) {
		cuts = append(cuts, [2]int{loc[0], loc[1]})
		in.Phrases = append(in.Phrases, strings.TrimSpace(q[loc[0]:loc[1]]))
	}
	free := func(loc []int) bool {
		for _, c := range cuts {
			if loc[0] < c[1] && c[0] < loc[1] {
				return false
			}
		}
		return true
	}
	for _, loc := range reNewest.FindAllStringIndex(lower, -1) {
		in.Sort = semsearch.SortDate
		take(loc)
	}
	for _, m := range reRange.FindAllStringSubmatchIndex(lower, -1) {
		if !free(m[:2]) {
			continue
		}
		prep := lower[m[2]:m[3]]
		year, _ := strconv.Atoi(lower[m[8]:m[9]])
		var from, to time.Time
		if m[4] >= 0 {
			mon := months[lower[m[6]:m[7]]]
			from = time.Date(year, mon, 1, 0, 0, 0, 0, now.Location())
			to = from.AddDate(0, 1, 0)
		} else {
			from = time.Date(year, 1, 1, 0, 0, 0, 0, now.Location())
			to = from.AddDate(1, 0, 0)
		}
		apply(&in, prep, from, to)
		take(m[:2])
	}
	for _, m := range reMonth.FindAllStringSubmatchIndex(lower, -1) {
		if !free(m[:2]) {
			continue
		}
		prep := lower[m[2]:m[3]]
		mon := months[lower[m[4]:m[5]]]
		// The latest such month that has begun.
		from := time.Date(now.Year(), mon, 1, 0, 0, 0, 0, now.Location())
		if from.After(now) {
			from = from.AddDate(-1, 0, 0)
		}
		apply(&in, prep, from, from.AddDate(0, 1, 0))
		take(m[:2])
	}
	for _, m := range reYear.FindAllStringSubmatchIndex(lower, -1) {
		if !free(m[:2]) {
			continue
		}
		which, unit := lower[m[4]:m[5]], lower[m[6]:m[7]]
		var from time.Time
		if unit == "year" {
			from = time.Date(now.Year(), 1, 1, 0, 0, 0, 0, now.Location())
		} else {
			from = time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, now.Location())
		}
		step := func(t time.Time, n int) time.Time {
			if unit == "year" {
				return t.AddDate(n, 0, 0)
			}
			return t.AddDate(0, n, 0)
		}
		switch which {
		case "last":
			apply(&in, "in", step(from, -1), from)
		case "this":
			apply(&in, "since", from, step(from, 1))
		case "past": // a rolling window: the last 12 months, the last 30 days
			if unit == "year" {
				apply(&in, "since", now.AddDate(-1, 0, 0), now)
			} else {
				apply(&in, "since", now.AddDate(0, -1, 0), now)
			}
		}
		take(m[:2])
	}
	in.Text = cutOut(q, cuts)
	if in.Sort == semsearch.SortDate {
		focus(&in)
	}
	return in
}

// A blog named in a question that asks for the newest post: "on
// bnjoroge's Imprint blog", "on the blog with the deep dives on X, Y and
// Z, what is ...". The clause runs to the question's end or to ", what".
var reSource = regexp.MustCompile(`(?i)\b(?:on|from|in|at)\s+((?:the\s+|my\s+|your\s+)?(?:[^\s?,]+\s+){0,4}?blog(?:\s+(?:with|that|which|about|where|by|of)\b[^?]*?)?)(?:,\s*(?:what|which|who|where|when|how)\b|\?|$)`)

// The topic of "the newest post on/about X" or "the newest X post".
var (
	reTopicAfter  = regexp.MustCompile(`(?i)\b(?:posts?|articles?|entries|entry|write-?ups?|pieces?)\s+(?:on|about|regarding|covering|discussing)\s+([^,?;]+)`)
	reTopicBefore = regexp.MustCompile(`(?i)\b((?:[\p{L}\p{N}+#.-]+\s+){1,3}?)(?:posts?|articles?)\b`)
)

// focus narrows a "newest post about X on blog Y" question to its topic:
// the blog clause goes to SourceHint, and when the topic is spelled out
// ("post about X", "X post"), Text is the topic alone.
func focus(in *semsearch.Interpretation) {
	text := in.Text
	if m := reSource.FindStringSubmatchIndex(text); m != nil {
		in.SourceHint = strings.TrimSpace(text[m[2]:m[3]])
		text = strings.TrimSpace(text[:m[0]] + " " + text[m[3]:])
	}
	if m := reTopicAfter.FindStringSubmatch(text); m != nil && hasTopic(m[1]) {
		text = strings.TrimSpace(m[1])
	} else if m := reTopicBefore.FindStringSubmatch(text); m != nil {
		// The content words just before "post".
		var topic []string
		for _, w := range strings.Fields(m[1]) {
			if !semsearch.IsStopword(strings.ToLower(w)) {
				topic = append(topic, w)
			} else {
				topic = topic[:0]
			}
		}
		if len(topic) > 0 {
			text = strings.Join(topic, " ")
		}
	}
	text = strings.Join(strings.Fields(text), " ")
	if hasTopic(text) {
		in.Text = text
	}
}

func hasTopic(s string) bool {
	for _, w := range semsearch.Words(s) {
		if !semsearch.IsStopword(w) {
			return true
		}
	}
	return false
}

// apply narrows in to the period [from, to) as the preposition says:
// "in" the period, "since"/"after" it began (after: it ended), "before"/
// "until" it (until: to its end).
func apply(in *semsearch.Interpretation, prep string, from, to time.Time) {
	last := to.Add(-time.Nanosecond)
	switch prep {
	case "in", "during", "from":
		in.Since, in.Until = later(in.Since, from), earlier(in.Until, last)
	case "since":
		in.Since = later(in.Since, from)
	case "after":
		in.Since = later(in.Since, to)
	case "before":
		in.Until = earlier(in.Until, from.Add(-time.Nanosecond))
	case "until":
		in.Until = earlier(in.Until, last)
	}
}

func later(a, b time.Time) time.Time {
	if a.IsZero() || b.After(a) {
		return b
	}
	return a
}

func earlier(a, b time.Time) time.Time {
	if a.IsZero() || b.Before(a) {
		return b
	}
	return a
}

// cutOut removes the byte ranges from q and folds white space; when
// nothing but stop words would be left, q is kept whole.
func cutOut(q string, cuts [][2]int) string {
	if len(cuts) == 0 {
		return strings.TrimSpace(q)
	}
	keep := make([]bool, len(q))
	for i := range keep {
		keep[i] = true
	}
	for _, c := range cuts {
		for i := c[0]; i < c[1]; i++ {
			keep[i] = false
		}
	}
	var b strings.Builder
	for i := 0; i < len(q); i++ {
		if keep[i] {
			b.WriteByte(q[i])
		} else if i == 0 || keep[i-1] {
			b.WriteByte(' ')
		}
	}
	out := strings.Join(strings.Fields(b.String()), " ")
	for _, w := range semsearch.Words(out) {
		if !semsearch.IsStopword(w) {
			return out
		}
	}
	return strings.TrimSpace(q)
}

// Apply returns q with the interpretation's filter and ordering where q
// leaves them unset (what a caller passed explicitly wins), and its text.
func Apply(q semsearch.Query, in semsearch.Interpretation) semsearch.Query {
	q.Text = in.Text
	if q.Filter.Since.IsZero() {
		q.Filter.Since = in.Since
	}
	if q.Filter.Until.IsZero() {
		q.Filter.Until = in.Until
	}
	if q.Sort == "" {
		q.Sort = in.Sort
	}
	return q
}

func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
