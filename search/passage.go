package search

import (
	"strings"

	"github.com/semsearch/semsearch"
)

// displayText turns a chunk's clean text into what a reader sees in a
// passage: heading lines lose their "#" marks (the heading is shown on its
// own) and code fence lines go; text inside a fence stays as it is.
func displayText(text string) string {
	lines := strings.Split(text, "\n")
	out := lines[:0]
	inFence := false
	for _, l := range lines {
		if semsearch.IsFence(l) {
			inFence = !inFence
			continue
		}
		if level, _, ok := semsearch.HeadingLine(l); ok && !inFence {
			l = l[level+1:]
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}
