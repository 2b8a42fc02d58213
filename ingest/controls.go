package ingest

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

// maxControlString bounds how far dropControls looks for the end of an
// OSC/DCS/APC/PM/SOS string; an unterminated one loses only its
// introducer, so the scan stays linear in the length of the text.
const maxControlString = 4096

// dropControls removes the C0 and C1 control characters of s except
// newline and tab, which a terminal would act on (clear the screen, retitle
// the window, forge an OSC 8 link, ring the bell). Whole escape sequences go
// with their introducer, so "ESC[2J" leaves nothing behind rather than
// "[2J"; carriage return, vertical tab, form feed and NEL become spaces.
// Invalid UTF-8 becomes U+FFFD. s is returned as it is when it has nothing
// to drop.
func dropControls(s string) string {
	if !hasControl(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteRune(utf8.RuneError)
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case r == '\r' || r == '\v' || r == '\f' || r == '\u0085':
			b.WriteByte(' ')
		case r == 0x1b:
			i += escapeLen(s[i:])
			continue
		case r == '\u009b': // CSI
			i += size + csiLen(s[i+size:])
			continue
		case r == '\u0090' || r == '\u0098' || r == '\u009d' || r == '\u009e' || r == '\u009f': // DCS SOS OSC PM APC
			i += size + controlStringLen(s[i+size:])
			continue
		case isControl(r):
			// dropped
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// dropEscapesAndNUL removes every ESC-introduced sequence of markup whole,
// and NUL bytes, before a parser sees it: the XML parser drops a bare ESC
// (not a legal XML character) but keeps the "[2J" after it, and the HTML
// parser turns NUL into U+FFFD. Everything else is left to dropControls.
func dropEscapesAndNUL(data []byte) []byte {
	if bytes.IndexByte(data, 0x1b) < 0 && bytes.IndexByte(data, 0) < 0 {
		return data
	}
	out := make([]byte, 0, len(data))
	for i := 0; i < len(data); {
		switch data[i] {
		case 0:
			i++
		case 0x1b:
			i += escapeLen(string(data[i:min(len(data), i+3+maxControlString)]))
		default:
			out = append(out, data[i])
			i++
		}
	}
	return out
}

// isControl reports a C0 control, DEL or a C1 control.
func isControl(r rune) bool { return r < 0x20 || (r >= 0x7f && r <= 0x9f) }

// hasControl reports whether dropControls has anything to do: a control
// other than newline and tab, or invalid UTF-8.
func hasControl(s string) bool {
	for _, r := range s {
		if (isControl(r) && r != '\n' && r != '\t') || r == utf8.RuneError {
			return true
		}
	}
	return false
}

// escapeLen is the length of the escape sequence that starts s (with ESC):
// CSI "ESC [" params final, a control string "ESC ] ... BEL|ST", or ESC,
// intermediates and a final byte. A malformed or unterminated one counts
// as its introducer alone.
func escapeLen(s string) int {
	if len(s) < 2 {
		return 1
	}
	switch c := s[1]; {
	case c == '[':
		return 2 + csiLen(s[2:])
	case c == ']' || c == 'P' || c == 'X' || c == '^' || c == '_':
		return 2 + controlStringLen(s[2:])
	case c >= 0x20 && c <= 0x7e:
		n := 1
		for n < len(s) && s[n] >= 0x20 && s[n] <= 0x2f { // intermediates
			n++
		}
		if n < len(s) && s[n] >= 0x30 && s[n] <= 0x7e {
			return n + 1
		}
	}
	return 1
}

// csiLen is the length of the parameters, intermediates and final byte of
// a control sequence after its introducer; 0 when they are malformed.
func csiLen(s string) int {
	n := 0
	for n < len(s) && s[n] >= 0x30 && s[n] <= 0x3f {
		n++
	}
	for n < len(s) && s[n] >= 0x20 && s[n] <= 0x2f {
		n++
	}
	if n < len(s) && s[n] >= 0x40 && s[n] <= 0x7e {
		return n + 1
	}
	return 0
}

// controlStringLen is the length of a control string's body and its
// terminator (BEL, "ESC \" or ST) after the introducer; 0 when no
// terminator comes within maxControlString bytes.
func controlStringLen(s string) int {
	for i := 0; i < len(s) && i < maxControlString; i++ {
		switch {
		case s[i] == 0x07:
			return i + 1
		case s[i] == 0x1b && i+1 < len(s) && s[i+1] == '\\':
			return i + 2
		case strings.HasPrefix(s[i:], "\u009c"):
			return i + len("\u009c")
		}
	}
	return 0
}
