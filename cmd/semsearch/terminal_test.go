package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/semsearch/semsearch"
)

func TestTermEscape(t *testing.T) {
	tests := []struct{ name, in, line, text string }{
		{"plain", "Café — ok", "Café — ok", "Café — ok"},
		{"clear screen", "a\x1b[2Jb", `a\x1b[2Jb`, `a\x1b[2Jb`},
		{"OSC 8 link", "\x1b]8;;https://evil.example\x1b\\x", `\x1b]8;;https://evil.example\x1b\x`, `\x1b]8;;https://evil.example\x1b\x`},
		{"BEL NUL DEL", "\a\x00\x7f", `\x07\x00\x7f`, `\x07\x00\x7f`},
		{"C1 CSI", "a\u009b2J", `a\u009b2J`, `a\u009b2J`},
		{"invalid UTF-8 byte", "a\x9bb", `a\x9bb`, `a\x9bb`},
		{"newline and tab", "a\nb\tc", `a\x0ab\x09c`, "a\nb\tc"},
		{"carriage return", "a\rb", `a\x0db`, `a\x0db`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := termLine(tt.in); got != tt.line {
				t.Errorf("termLine(%q) = %q, want %q", tt.in, got, tt.line)
			}
			if got := termText(tt.in); got != tt.text {
				t.Errorf("termText(%q) = %q, want %q", tt.in, got, tt.text)
			}
		})
	}
}

// A post stored before ingest dropped controls (or by any other way in)
// never reaches the terminal raw through search, related or show.
func TestPrinters_EscapeStoredControls(t *testing.T) {
	const evil = "\x1b[2J\x1b]0;owned\a\u009b31m"
	var out bytes.Buffer
	printResults(&out, []semsearch.Result{{
		ID: "id" + evil, Title: "Title" + evil, URL: "https://x.example/" + evil, Source: "src" + evil,
		Passages: []semsearch.Passage{{Highlight: "<mark>hit</mark>" + evil + "&#27;[2J"}},
	}})
	printPost(&out, semsearch.Post{
		Title: "Title" + evil, URL: "https://x.example/" + evil, Published: time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC),
		Authors: []string{"Ann" + evil}, Source: semsearch.Source{Title: "src" + evil}, Text: "line one" + evil + "\n\nline two",
	})
	printIngestReport(&out, semsearch.IngestReport{Sources: []semsearch.SourceReport{
		{Source: "a" + evil, Error: "bad" + evil},
		{Source: "b" + evil, Feeds: []string{"f" + evil}},
		{Source: "c" + evil, Skipped: "draft"},
	}})
	got := out.String()
	for _, r := range got {
		if (r < 0x20 && r != '\n') || (r >= 0x7f && r <= 0x9f) {
			t.Fatalf("raw control U+%04X printed:\n%q", r, got)
		}
	}
	for _, want := range []string{`Title\x1b[2J\x1b]0;owned\x07\u009b31m`, "«hit»", `line one\x1b[2J`, "\n\nline two", `FAIL  a\x1b[2J`, `f\x1b[2J`, `skip  c\x1b[2J\x1b]0;owned\x07\u009b31m: draft`} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
}
