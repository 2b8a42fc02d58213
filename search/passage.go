package search

import (
	"regexp"
	"strings"
)

// headingMark is the "## " that marks a heading line in clean text.
var headingMark = regexp.MustCompile(`^#{1,6} `)

// displayText turns a chunk's clean text into what a reader sees in a
// passage: heading lines lose their "#" marks (the heading is shown on its
// own) and code fence lines go; text inside a fence stays as it is.
func displayText(text string) string {
	lines := strings.Split(text, "\n")
	out := lines[:0]
	inFence := false
	for _, l := range lines {
		if strings.HasPrefix(l, "```") {
			inFence = !inFence
			continue
		}
		if !inFence {
			l = headingMark.ReplaceAllString(l, "")
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}
