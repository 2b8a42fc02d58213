// Package dateintent reads the date phrases of a query ("latest", "most
// recent", "the last post", "recently", "in 2024", "last year", "in the
// past 6 months", "two years ago", "between 2021 and 2023", "since March",
// "before 2021", "prior to 2020") as a date filter and an ordering, and
// takes them out of the text searched, keeping every word that still
// carries topic ("the latest version of Go" is no date phrase).
package dateintent

import (
	"regexp"
	"slices"
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

// A count in words or digits: "6", "six", "a few", "a couple of".
const countRE = `(\d{1,3}|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|(?:a\s+)?few|(?:a\s+)?couple(?:\s+of)?)`

var counts = map[string]int{"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
	"seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}

// count reads a countRE match ("a few" is 3, "a couple of" 2).
func count(s string) int {
	f := strings.Fields(s)
	switch {
	case slices.Contains(f, "few"):
		return 3
	case slices.Contains(f, "couple"):
		return 2
	}
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	return counts[s]
}

// Patterns, tried in order on the lower-cased query; each match is cut
// out of the text. A year is 1990..2099 so that "in 300 ms" stays topic.
var (
	// "latest", "newest", "most recent": a date ordering when they ask for
	// posts (see asksForPosts), not in "the latest version of Go".
	reNewest = regexp.MustCompile(`\b(the\s+)?(latest|newest|most\s+recent(ly)?|most\s+recently\s+published)\b`)
	// "the last post on X", "recent articles about Y": the words before
	// the post word are cut, the post word stays for focus.
	reLastPost = regexp.MustCompile(`\b((?:the\s+)?(?:last|recent|newer)\s+)(?:[\p{L}\p{N}+#.-]+\s+){0,2}?(?:posts?|articles?|entries|entry|write-?ups?|pieces?)\b`)
	// "recently" or "lately" next to a verb of writing: "what did she
	// write recently about X" (see writesRecently).
	reRecently = regexp.MustCompile(`\b(?:lately|recently)\b`)
	// "between 2021 and 2023", "from 2019 to 2021".
	reBetween = regexp.MustCompile(`\b(?:between|from)\s+((?:19|20)\d\d)\s*(?:and|to|through|until|-|–)\s*((?:19|20)\d\d)\b`)
	reRange   = regexp.MustCompile(`\b(in|during|from|since|after|before|until|prior\s+to|older\s+than|earlier\s+than|later\s+than|newer\s+than)\s+(` + monthRE + `\s+)?((19|20)\d\d)\b`)
	reMonth   = regexp.MustCompile(`\b(in|since|after|before|until)\s+` + monthRE + `\b`)
	// "in the last 6 months", "over the past two weeks": a rolling window.
	reWindow = regexp.MustCompile(`\b(?:(?:in|over|during|from|within)\s+)?(?:the\s+)?(?:last|past)\s+` + countRE + `\s+(days?|weeks?|months?|years?)\b`)
	// "two years ago", "a month ago": that calendar year or month.
	reAgo  = regexp.MustCompile(`\b(?:(?:from|in)\s+)?` + countRE + `\s+(years?|months?)\s+ago\b`)
	reYear = regexp.MustCompile(`\b(in\s+|from\s+|during\s+|earlier\s+)?(last|this|past)\s+(year|month|week)\b`)
)

// postWords are what "the latest …" asks for when it asks for posts.
var postWords = wordSet(`post posts article articles entry entries writing writings write-up write-ups
	writeup writeups piece pieces blog blogs news thoughts update updates one ones note notes essay essays
	story stories tutorial tutorials guide guides musings newsletter newsletters episode episodes`)

// writing are the verbs that make "recently" a date phrase.
var writing = regexp.MustCompile(`^(?:writ(?:e|es|ing|ten)|wrote|publish(?:ed|es|ing)?|post(?:ed|s|ing)?|blog(?:ged|s|ging)?|cover(?:ed|s|ing)?|talk(?:ed|s|ing)?|said|say)$`)

// writesRecently reports whether "recently" between before and after is
// about when posts were written: a verb of writing within two words
// before it or one after ("wrote recently", "recently published"), not
// the asker's story ("I recently moved to Go").
func writesRecently(before, after string) bool {
	b, a := semsearch.Words(before), semsearch.Words(after)
	for _, w := range append(b[max(0, len(b)-2):], a[:min(1, len(a))]...) {
		if writing.MatchString(w) {
			return true
		}
	}
	return false
}

// asksForPosts reports whether the recency word that ends where rest
// begins asks for the newest posts ("the latest on X", "the newest Python
// post", "latest kubernetes"), and not for the newest of something the
// topic is about ("the latest version of Go", "the latest value from a
// channel", "the most recent commit"): a post word within three words
// says posts; else a word of versions and data right after it says
// topic; else posts.
func asksForPosts(rest string) bool {
	words := semsearch.Words(rest)
	for _, w := range words[:min(3, len(words))] {
		if postWords[w] {
			return true
		}
	}
	return len(words) == 0 || !topicNouns[words[0]]
}

// topicNouns after "latest" name the newest of a thing, not of posts.
var topicNouns = wordSet(`version versions release releases value values commit commits build builds
	revision revisions snapshot snapshots offset offsets state states record records row rows message messages
	event events item items element elements key keys change changes data image images model models
	checkpoint checkpoints block blocks frame frames timestamp timestamps result results reading readings tag tags
	patch patches firmware kernel driver drivers iteration iterations epoch epochs generation term index`)

func wordSet(words string) map[string]bool {
	set := map[string]bool{}
	for _, w := range strings.Fields(words) {
		set[w] = true
	}
	return set
}

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
		if asksForPosts(lower[loc[1]:]) {
			in.Sort = semsearch.SortDate
			take(loc)
		}
	}
	for _, m := range reLastPost.FindAllStringSubmatchIndex(lower, -1) {
		if free(m[2:4]) {
			in.Sort = semsearch.SortDate
			take(m[2:4])
		}
	}
	for _, loc := range reRecently.FindAllStringIndex(lower, -1) {
		if free(loc) && writesRecently(lower[:loc[0]], lower[loc[1]:]) {
			in.Sort = semsearch.SortDate
			take(loc)
		}
	}
	for _, m := range reBetween.FindAllStringSubmatchIndex(lower, -1) {
		if !free(m[:2]) {
			continue
		}
		y1, _ := strconv.Atoi(lower[m[2]:m[3]])
		y2, _ := strconv.Atoi(lower[m[4]:m[5]])
		y1, y2 = min(y1, y2), max(y1, y2)
		apply(&in, "in", time.Date(y1, 1, 1, 0, 0, 0, 0, now.Location()), time.Date(y2+1, 1, 1, 0, 0, 0, 0, now.Location()))
		take(m[:2])
	}
	for _, m := range reWindow.FindAllStringSubmatchIndex(lower, -1) {
		if !free(m[:2]) {
			continue
		}
		n, unit := count(lower[m[2]:m[3]]), strings.TrimSuffix(lower[m[4]:m[5]], "s")
		if n <= 0 {
			continue
		}
		from := now
		switch unit {
		case "day":
			from = now.AddDate(0, 0, -n)
		case "week":
			from = now.AddDate(0, 0, -7*n)
		case "month":
			from = now.AddDate(0, -n, 0)
		case "year":
			from = now.AddDate(-n, 0, 0)
		}
		apply(&in, "since", from, now)
		take(m[:2])
	}
	for _, m := range reAgo.FindAllStringSubmatchIndex(lower, -1) {
		if !free(m[:2]) {
			continue
		}
		n, unit := count(lower[m[2]:m[3]]), strings.TrimSuffix(lower[m[4]:m[5]], "s")
		if n <= 0 {
			continue
		}
		var from, to time.Time
		if unit == "year" {
			from = time.Date(now.Year()-n, 1, 1, 0, 0, 0, 0, now.Location())
			to = from.AddDate(1, 0, 0)
		} else {
			from = time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, now.Location()).AddDate(0, -n, 0)
			to = from.AddDate(0, 1, 0)
		}
		apply(&in, "in", from, to)
		take(m[:2])
	}
	for _, m := range reRange.FindAllStringSubmatchIndex(lower, -1) {
		if !free(m[:2]) {
			continue
		}
		prep := strings.Join(strings.Fields(lower[m[2]:m[3]]), " ")
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
		switch unit {
		case "year":
			from = time.Date(now.Year(), 1, 1, 0, 0, 0, 0, now.Location())
		case "month":
			from = time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, now.Location())
		case "week": // weeks begin on Monday
			back := (int(now.Weekday()) + 6) % 7
			from = time.Date(now.Year(), now.Month(), now.Day()-back, 0, 0, 0, 0, now.Location())
		}
		step := func(t time.Time, n int) time.Time {
			switch unit {
			case "year":
				return t.AddDate(n, 0, 0)
			case "week":
				return t.AddDate(0, 0, 7*n)
			}
			return t.AddDate(0, n, 0)
		}
		switch which {
		case "last":
			apply(&in, "in", step(from, -1), from)
		case "this":
			apply(&in, "since", from, step(from, 1))
		case "past": // a rolling window: the last 12 months, 30 days, 7 days
			switch unit {
			case "year":
				apply(&in, "since", now.AddDate(-1, 0, 0), now)
			case "month":
				apply(&in, "since", now.AddDate(0, -1, 0), now)
			case "week":
				apply(&in, "since", now.AddDate(0, 0, -7), now)
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

var (
	reBlogWord = regexp.MustCompile(`(?i)\bblog\b`)
	rePrep     = regexp.MustCompile(`(?i)\b(?:on|about|from|in|at)\s+`)
)

// The topic of "the newest post on/about X" or "the newest X post".
var (
	reTopicAfter  = regexp.MustCompile(`(?i)\b(?:posts?|articles?|entries|entry|write-?ups?|pieces?|writings?)\s+(?:on|about|regarding|covering|discussing)\s+([^,?;]+)`)
	reTopicBefore = regexp.MustCompile(`(?i)\b((?:[\p{L}\p{N}+#.-]+\s+){1,3}?)(?:posts?|articles?)\b`)
)

// focus narrows a "newest post about X on blog Y" question to its topic:
// the blog clause goes to SourceHint, and when the topic is spelled out
// ("post about X", "X post"), Text is the topic alone.
func focus(in *semsearch.Interpretation) {
	text := in.Text
	if m := reSource.FindStringSubmatchIndex(text); m != nil {
		start, cut := m[2], m[0]
		// "post on X on the blog with …": the blog clause starts at the
		// last preposition before "blog"; what comes before it is topic.
		if b := reBlogWord.FindStringIndex(text[start:m[3]]); b != nil {
			if ps := rePrep.FindAllStringIndex(text[start:start+b[0]], -1); len(ps) > 0 {
				last := ps[len(ps)-1]
				cut, start = start+last[0], start+last[1]
			}
		}
		in.SourceHint = strings.TrimSpace(text[start:m[3]])
		text = strings.TrimSpace(text[:cut] + " " + text[m[3]:])
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
	case "before", "prior to", "older than", "earlier than":
		in.Until = earlier(in.Until, from.Add(-time.Nanosecond))
	case "later than", "newer than":
		in.Since = later(in.Since, to)
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
	// A cut at the start can leave the comma that followed it.
	out := strings.TrimLeft(strings.Join(strings.Fields(b.String()), " "), ",;: ")
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
