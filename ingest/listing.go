package ingest

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/semsearch/semsearch"
)

var (
	// listingDate matches a date at the start of a line, optionally followed
	// directly by the entry's summary ("2021-04-18An in-depth look...").
	listingDate = regexp.MustCompile(`^(\d{4}-\d{2}-\d{2}|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* \d{1,2}, \d{4}|\d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* \d{4})(.*)$`)
	readingTime = regexp.MustCompile(`(?i)^(?:reading time:?\s*)?(\d+\s*(?:min|mins|minute|minutes))(?:\s+read)?$`)
)

// isTagsLine recognises a "Tag · Tag · Tag" or "Tags: a, b" line.
func isTagsLine(l string) ([]string, bool) {
	if rest, ok := strings.CutPrefix(l, "Tags:"); ok {
		return strings.Split(rest, ","), true
	}
	if strings.Contains(l, " · ") && !strings.ContainsAny(l, ".!?") {
		parts := strings.Split(l, "·")
		for _, p := range parts {
			if len(strings.Fields(p)) > 4 {
				return nil, false
			}
		}
		return parts, true
	}
	return nil, false
}

// splitTextListing splits a plain-text blog index into one post per entry.
// It recognises two shapes and reports ok=false for anything else:
//
//   - dated entries: an optional title line, a line starting with a date
//     (the summary may follow on the same line), summary lines, an
//     optional "A · B" tags line and an optional "4 minutes" line;
//   - undated excerpts: one long, cut-off summary per line, with short
//     chrome lines ("Comments") in between.
func splitTextListing(text string) ([]semsearch.Post, bool) {
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	for i := range lines {
		lines[i] = strings.TrimSpace(lines[i])
	}
	var dates []int
	for i, l := range lines {
		if listingDate.MatchString(l) {
			dates = append(dates, i)
		}
	}
	if len(dates) >= 2 {
		return splitDated(lines, dates), true
	}
	return splitExcerpts(lines)
}

func splitDated(lines []string, dates []int) []semsearch.Post {
	type entry struct{ title, date, start int } // title -1 when none
	entries := make([]entry, len(dates))
	prevDate := -1
	for k, d := range dates {
		e := entry{title: -1, date: d, start: d}
		t := d - 1
		for t > prevDate && lines[t] == "" {
			t--
		}
		// The title line sits right before the date; it must not be part of
		// the previous entry (its summary line, tags or reading time).
		if t > prevDate && plausibleTitle(lines[t]) {
			firstBody := prevDate + 1
			prevHasInlineSummary := prevDate >= 0 && strings.TrimSpace(listingDate.FindStringSubmatch(lines[prevDate])[2]) != ""
			if prevDate < 0 || t > firstBody || prevHasInlineSummary {
				e.title, e.start = t, t
			}
		}
		entries[k] = e
		prevDate = d
	}
	var posts []semsearch.Post
	for k, e := range entries {
		end := len(lines)
		if k+1 < len(entries) {
			end = entries[k+1].start
		}
		m := listingDate.FindStringSubmatch(lines[e.date])
		var p semsearch.Post
		p.Published = parseDate(m[1])
		if e.title >= 0 {
			p.Title = lines[e.title]
		}
		var summary []string
		if s := strings.TrimSpace(m[2]); s != "" {
			summary = append(summary, s)
		}
		for _, l := range lines[e.date+1 : end] {
			if l == "" {
				continue
			}
			if rt := readingTime.FindStringSubmatch(l); rt != nil {
				p.ReadingTime = rt[1]
				continue
			}
			if tags, ok := isTagsLine(l); ok {
				p.Tags = append(p.Tags, tags...)
				continue
			}
			summary = append(summary, l)
		}
		p.Summary = strings.Join(summary, " ")
		p.Text = markdownToText(strings.Join(summary, "\n\n"))
		finishPost(&p, "")
		if p.Title == "" && p.Text == "" {
			continue // nothing left, e.g. an entry of control characters only
		}
		posts = append(posts, p)
	}
	return posts
}

// plausibleTitle: a title is one short line, not a sentence-long summary,
// not a tags or reading-time line.
func plausibleTitle(l string) bool {
	if l == "" || utf8.RuneCountInString(l) > 200 || readingTime.MatchString(l) {
		return false
	}
	if _, ok := isTagsLine(l); ok {
		return false
	}
	return len(strings.Fields(l)) <= 30
}

// splitExcerpts handles the undated shape: lines that are long and cut off
// mid-sentence are entries; short lines are page chrome and dropped.
func splitExcerpts(lines []string) ([]semsearch.Post, bool) {
	var long []string
	cut := 0
	for _, l := range lines {
		if utf8.RuneCountInString(l) < 200 || len(strings.Fields(l)) < 20 {
			continue
		}
		long = append(long, l)
		if !strings.ContainsAny(l[len(l)-1:], ".!?\"')”’…") {
			cut++
		}
	}
	if len(long) < 2 || cut*2 < len(long) {
		return nil, false
	}
	posts := make([]semsearch.Post, 0, len(long))
	for _, l := range long {
		p := semsearch.Post{Summary: l, Text: markdownToText(l)}
		finishPost(&p, "")
		if p.Title == "" && p.Text == "" {
			continue
		}
		posts = append(posts, p)
	}
	return posts, true
}
