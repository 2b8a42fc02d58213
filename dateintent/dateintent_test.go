package dateintent

import (
	"reflect"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/semsearch/semsearch"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// end is the last nanosecond of the day before y-m-d.
func end(y int, m time.Month, d int) time.Time { return day(y, m, d).Add(-time.Nanosecond) }

func TestParse(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC) // the injected clock
	feb := time.Date(2026, 2, 10, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		q    string
		now  time.Time
		want semsearch.Interpretation
	}{
		{"nothing", "how does fsync work", now, semsearch.Interpretation{Text: "how does fsync work"}},
		{"latest", "latest post about Go generics", now, semsearch.Interpretation{
			Text: "Go generics", Sort: semsearch.SortDate, Phrases: []string{"latest"}}},
		{"most recent keeps topic", "what is the most recent Python post on bnjoroge's Imprint blog?", now, semsearch.Interpretation{
			Text: "Python", Sort: semsearch.SortDate, Phrases: []string{"the most recent"}, SourceHint: "bnjoroge's Imprint blog"}},
		{"the blog described, the topic after post on", "on the blog with the deep dives on microkernels, unikernels and hypervisors, what is the most recent post on mathematical optimization?", now, semsearch.Interpretation{
			Text: "mathematical optimization", Sort: semsearch.SortDate, Phrases: []string{"the most recent"},
			SourceHint: "the blog with the deep dives on microkernels, unikernels and hypervisors"}},
		{"a topic word that is no post", "newest thoughts on blog engines", now, semsearch.Interpretation{
			Text: "thoughts on blog engines", Sort: semsearch.SortDate, Phrases: []string{"newest"}}},
		{"newest", "Newest Rust articles", now, semsearch.Interpretation{
			Text: "Rust", Sort: semsearch.SortDate, Phrases: []string{"Newest"}}},
		{"in a year", "kubernetes operators in 2024", now, semsearch.Interpretation{
			Text: "kubernetes operators", Since: day(2024, 1, 1), Until: end(2025, 1, 1), Phrases: []string{"in 2024"}}},
		{"last year", "what did I write about raft last year", now, semsearch.Interpretation{
			Text: "what did I write about raft", Since: day(2025, 1, 1), Until: end(2026, 1, 1), Phrases: []string{"last year"}}},
		{"this year", "sqlite posts this year", now, semsearch.Interpretation{
			Text: "sqlite posts", Since: day(2026, 1, 1), Phrases: []string{"this year"}}},
		{"last month", "posts about caching from last month", now, semsearch.Interpretation{
			Text: "posts about caching", Since: day(2026, 11, 1), Until: end(2026, 12, 1), Phrases: []string{"from last month"}}},
		{"since March, this year", "wasm since March", now, semsearch.Interpretation{
			Text: "wasm", Since: day(2026, 3, 1), Phrases: []string{"since March"}}},
		{"since March, last year's", "wasm since March", feb, semsearch.Interpretation{
			Text: "wasm", Since: day(2025, 3, 1), Phrases: []string{"since March"}}},
		{"since a month and year", "wasm since march 2024", now, semsearch.Interpretation{
			Text: "wasm", Since: day(2024, 3, 1), Phrases: []string{"since march 2024"}}},
		{"before a year", "distributed tracing before 2021", now, semsearch.Interpretation{
			Text: "distributed tracing", Until: end(2021, 1, 1), Phrases: []string{"before 2021"}}},
		{"after a year", "vector databases after 2022", now, semsearch.Interpretation{
			Text: "vector databases", Since: day(2023, 1, 1), Phrases: []string{"after 2022"}}},
		{"latest and a year", "latest ebpf post in 2025", now, semsearch.Interpretation{
			Text: "ebpf", Sort: semsearch.SortDate, Since: day(2025, 1, 1), Until: end(2026, 1, 1), Phrases: []string{"latest", "in 2025"}}},
		{"a number that is no year", "latency in 300 ms", now, semsearch.Interpretation{Text: "latency in 300 ms"}},
		{"only a date phrase", "the latest", now, semsearch.Interpretation{
			Text: "the latest", Sort: semsearch.SortDate, Phrases: []string{"the latest"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Parse(tt.q, tt.now)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse(%q)\n got %+v\nwant %+v", tt.q, got, tt.want)
			}
		})
	}
}

func TestApply_ExplicitWins(t *testing.T) {
	in := semsearch.Interpretation{Text: "raft", Since: day(2024, 1, 1), Until: end(2025, 1, 1), Sort: semsearch.SortDate}
	q := Apply(semsearch.Query{Text: "raft in 2024", Sort: semsearch.SortRelevance, Filter: semsearch.Filter{Since: day(2024, 6, 1)}}, in)
	if q.Text != "raft" || !q.Filter.Since.Equal(day(2024, 6, 1)) || !q.Filter.Until.Equal(end(2025, 1, 1)) || q.Sort != semsearch.SortRelevance {
		t.Errorf("Apply = %+v", q)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"latest in 2024", "since March 2021 before 2023", "the most recent", "past month", "ÄÖ in 2024"} {
		f.Add(s)
	}
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, q string) {
		in := Parse(q, now)
		if utf8.ValidString(q) && !utf8.ValidString(in.Text) {
			t.Fatalf("Parse(%q).Text = %q is not valid UTF-8", q, in.Text)
		}
		if len(in.Text) > len(q) {
			t.Fatalf("Parse(%q).Text = %q grew", q, in.Text)
		}
	})
}
