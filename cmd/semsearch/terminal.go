package main

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// termLine makes a one-line value (a title, URL, ID, error) safe to print
// on a terminal: every control character, newline and tab included, and
// every invalid UTF-8 byte is shown as an escape ("\x1b", "\u009b") rather
// than sent raw, so a stored post cannot clear the screen, retitle the
// window or forge a link. Ingest already drops controls; this guards posts
// stored before it did, and anything else that reaches the CLI.
func termLine(s string) string { return termEscape(s, false) }

// termText is termLine for multi-line text: newlines and tabs pass.
func termText(s string) string { return termEscape(s, true) }

func termEscape(s string, keepLines bool) string {
	safe := func(r rune) bool {
		switch {
		case r == '\n' || r == '\t':
			return keepLines
		case r < 0x20 || (r >= 0x7f && r <= 0x9f):
			return false
		}
		return true
	}
	clean := utf8.ValidString(s)
	for _, r := range s {
		if !safe(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r < 0x80 && !safe(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case !safe(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}
