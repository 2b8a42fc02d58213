package search

import (
	"strings"

	"github.com/semsearch/semsearch"
)

// displayText turns a chunk's clean text into what a reader sees in a
// passage: heading lines lose their "#" marks (the heading is shown on its
// own) and code fence lines go; text inside a fence stays as it is.
func displayText(text string) string {
	d, _ := display(text)
	return d
}

// display is displayText that also maps the result back to text: orig[i]
// is the byte offset in text of the display text's byte i, and
// orig[len(display)] is len(text) (so a range [from, to) of the display
// text is text[orig[from]:orig[to]], give or take a dropped fence line).
func display(text string) (string, []int) {
	var b strings.Builder
	orig := make([]int, 0, len(text)+1)
	inFence := false
	pos := 0
	first := true
	for _, line := range strings.Split(text, "\n") {
		start := pos
		pos += len(line) + 1
		if semsearch.IsFence(line) {
			inFence = !inFence
			continue
		}
		skip := 0
		if level, _, ok := semsearch.HeadingLine(line); ok && !inFence {
			skip = level + 1
		}
		if !first {
			// The newline that ended the previous kept line.
			b.WriteByte('\n')
			orig = append(orig, start-1)
		}
		first = false
		b.WriteString(line[skip:])
		for i := skip; i < len(line); i++ {
			orig = append(orig, start+i)
		}
	}
	orig = append(orig, len(text))
	return b.String(), orig
}
