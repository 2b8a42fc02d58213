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
		{"the last post", "the last post on raft", now, semsearch.Interpretation{
			Text: "raft", Sort: semsearch.SortDate, Phrases: []string{"the last"}}},
		{"recent articles", "recent articles about Go generics", now, semsearch.Interpretation{
			Text: "Go generics", Sort: semsearch.SortDate, Phrases: []string{"recent"}}},
		{"written recently", "what did she write recently about postgres", now, semsearch.Interpretation{
			Text: "what did she write about postgres", Sort: semsearch.SortDate, Phrases: []string{"recently"}}},
		{"the asker's recently is topic", "I recently moved to Go, what should I read", now, semsearch.Interpretation{
			Text: "I recently moved to Go, what should I read"}},
		{"latest that names no posts is topic", "why is the latest version of Go faster", now, semsearch.Interpretation{
			Text: "why is the latest version of Go faster"}},
		{"latest and a bare topic", "latest kubernetes", now, semsearch.Interpretation{
			Text: "kubernetes", Sort: semsearch.SortDate, Phrases: []string{"latest"}}},
		{"the most recent commit is topic", "how to find the most recent commit on a branch", now, semsearch.Interpretation{
			Text: "how to find the most recent commit on a branch"}},
		{"latest notes", "latest notes on page eviction", now, semsearch.Interpretation{
			Text: "notes on page eviction", Sort: semsearch.SortDate, Phrases: []string{"latest"}}},
		{"the latest on", "what's the latest on vector databases?", now, semsearch.Interpretation{
			Text: "what's on vector databases?", Sort: semsearch.SortDate, Phrases: []string{"the latest"}}},
		{"most recent writing", "most recent writing about sqlite", now, semsearch.Interpretation{
			Text: "sqlite", Sort: semsearch.SortDate, Phrases: []string{"most recent"}}},
		{"a rolling window of months", "posts about python in the last 6 months", now, semsearch.Interpretation{
			Text: "posts about python", Since: now.AddDate(0, -6, 0), Phrases: []string{"in the last 6 months"}}},
		{"a rolling window in words", "python posts from the past two weeks", now, semsearch.Interpretation{
			Text: "python posts", Since: now.AddDate(0, 0, -14), Phrases: []string{"from the past two weeks"}}},
		{"a few days", "outages over the last few days", now, semsearch.Interpretation{
			Text: "outages", Since: now.AddDate(0, 0, -3), Phrases: []string{"over the last few days"}}},
		{"years ago", "two years ago posts on zig", now, semsearch.Interpretation{
			Text: "posts on zig", Since: day(2024, 1, 1), Until: end(2025, 1, 1), Phrases: []string{"two years ago"}}},
		{"a month ago", "what did I write a month ago", now, semsearch.Interpretation{
			Text: "what did I write", Since: day(2026, 11, 1), Until: end(2026, 12, 1), Phrases: []string{"a month ago"}}},
		{"between two years", "posts between 2021 and 2023 about raft", now, semsearch.Interpretation{
			Text: "posts about raft", Since: day(2021, 1, 1), Until: end(2024, 1, 1), Phrases: []string{"between 2021 and 2023"}}},
		{"from one year to another, reversed", "raft from 2023 to 2021", now, semsearch.Interpretation{
			Text: "raft", Since: day(2021, 1, 1), Until: end(2024, 1, 1), Phrases: []string{"from 2023 to 2021"}}},
		{"prior to", "posts about raft prior to 2020", now, semsearch.Interpretation{
			Text: "posts about raft", Until: end(2020, 1, 1), Phrases: []string{"prior to 2020"}}},
		{"older than", "paxos posts older than March 2022", now, semsearch.Interpretation{
			Text: "paxos posts", Until: end(2022, 3, 1), Phrases: []string{"older than March 2022"}}},
		{"newer than", "wasm newer than 2023", now, semsearch.Interpretation{
			Text: "wasm", Since: day(2024, 1, 1), Phrases: []string{"newer than 2023"}}},
		{"last week: the calendar week before", "deploys last week", now, semsearch.Interpretation{ // now is a Tuesday
			Text: "deploys", Since: day(2026, 11, 23), Until: end(2026, 11, 30), Phrases: []string{"last week"}}},
		{"earlier this year", "posts about llms earlier this year", now, semsearch.Interpretation{
			Text: "posts about llms", Since: day(2026, 1, 1), Phrases: []string{"earlier this year"}}},
		{"a leading cut leaves no comma", "after March 2024, what about wasm", now, semsearch.Interpretation{
			Text: "what about wasm", Since: day(2024, 4, 1), Phrases: []string{"after March 2024"}}},
		{"the blog clause after the topic", "the latest post on mathematical optimization on the blog with deep dives on microkernels", now, semsearch.Interpretation{
			Text: "mathematical optimization", Sort: semsearch.SortDate, Phrases: []string{"the latest"},
			SourceHint: "the blog with deep dives on microkernels"}},
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
