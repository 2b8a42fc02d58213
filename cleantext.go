package semsearch

import "strings"

// The line syntax of Post.Text, shared by ingest (which writes it), chunk
// (which splits along it) and search (which displays passages of it).

// HeadingLine recognises a heading line of clean text, given with its
// surrounding white space trimmed: 1–6 '#' then a space or tab, as in
// "## Title". A closing run of '#' (as in "## Title ##") is dropped from the
// title.
func HeadingLine(trimmed string) (level int, title string, ok bool) {
	for level < len(trimmed) && trimmed[level] == '#' {
		level++
	}
	if level == 0 || level > 6 || level == len(trimmed) || (trimmed[level] != ' ' && trimmed[level] != '\t') {
		return 0, "", false
	}
	title = strings.TrimSpace(trimmed[level:])
	if t := strings.TrimRight(title, "#"); t != title && (t == "" || strings.HasSuffix(t, " ") || strings.HasSuffix(t, "\t")) {
		title = strings.TrimSpace(t)
	}
	return level, title, true
}

// IsFence reports whether a trimmed line opens or closes a code block.
func IsFence(trimmed string) bool { return strings.HasPrefix(trimmed, "```") }
