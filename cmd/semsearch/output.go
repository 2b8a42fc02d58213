package main

import (
	"encoding/json"
	"fmt"
	"html"
	"io"
	"strings"
	"time"

	"github.com/semsearch/semsearch"
)

// printResults prints a ranked list for a terminal: title, link, the best
// passage with its highlight marks turned into «». Every stored value is
// escaped for the terminal (termLine).
func printResults(w io.Writer, res []semsearch.Result) {
	if len(res) == 0 {
		fmt.Fprintln(w, "no results")
		return
	}
	for i, r := range res {
		date := ""
		if !r.Published.IsZero() {
			date = r.Published.Format(time.DateOnly)
		}
		fmt.Fprintf(w, "%2d. %s  (%.3f)\n    %s\n    %s %s\n", i+1, termLine(r.Title), r.Score, termLine(r.URL), termLine(r.Source), date)
		fmt.Fprintf(w, "    id: %s\n", termLine(r.ID))
		if len(r.Passages) > 0 {
			fmt.Fprintf(w, "    %s\n", termText(plainHighlight(r.Passages[0].Highlight)))
		}
		fmt.Fprintln(w)
	}
}

// printPost prints one stored post for a terminal (show): title, link,
// date, source and authors, then its text, each escaped for the terminal.
func printPost(w io.Writer, p semsearch.Post) {
	fmt.Fprintf(w, "%s\n%s\n", termLine(p.Title), termLine(p.URL))
	if !p.Published.IsZero() {
		fmt.Fprintf(w, "%s", p.Published.Format(time.DateOnly))
	}
	authors := make([]string, len(p.Authors))
	for i, a := range p.Authors {
		authors[i] = termLine(a)
	}
	fmt.Fprintf(w, "  %s  %s\n\n%s\n", termLine(p.Source.Title), strings.Join(authors, ", "), termText(p.Text))
}

func plainHighlight(h string) string {
	h = strings.NewReplacer("<mark>", "«", "</mark>", "»").Replace(h)
	return html.UnescapeString(h)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
