package ingest

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/internal/testenv"
)

// needDir skips (or, in CI, fails) when dir is absent.
func needDir(t *testing.T, dir, what string) {
	t.Helper()
	_, err := os.Stat(dir)
	testenv.Need(t, err == nil, "%s not found at %s: %v", what, dir, err)
}

func seedFile(t *testing.T, prefix string) string {
	t.Helper()
	dir := testenv.Shared(t, "seeds")
	m, err := filepath.Glob(filepath.Join(dir, prefix+"_*"))
	if err != nil || len(m) != 1 {
		t.Fatalf("seed %s_*: found %v (%v)", prefix, m, err)
	}
	return m[0]
}

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func findTitle(posts []semsearch.Post, prefix string) *semsearch.Post {
	for i := range posts {
		if strings.HasPrefix(posts[i].Title, prefix) {
			return &posts[i]
		}
	}
	return nil
}

func TestSeeds(t *testing.T) {
	type want struct {
		title     string // prefix of the title
		published string // date, YYYY-MM-DD
		derived   bool
		text      string // a phrase of the text, optional
	}
	tests := []struct {
		prefix string
		count  int
		posts  []want
		check  func(t *testing.T, posts []semsearch.Post)
	}{
		{"000", 8, []want{
			{title: "On Customizable software", published: "2026-04-29", text: "Tracing the bug"},
			{title: "dfs and bfs in the wild", published: "2026-03-27"},
			{title: "Binary Heaps in Python", published: "2025-02-11"},
		}, func(t *testing.T, posts []semsearch.Post) {
			withHeadings := 0
			for _, p := range posts {
				if len(p.Text) < 1500 {
					t.Errorf("%q: text is %d bytes, want the full article", p.Title, len(p.Text))
				}
				if strings.Contains(p.Text, "\n## ") || strings.Contains(p.Text, "\n# ") {
					withHeadings++
				}
				if strings.Contains(p.Text, "<p>") || strings.Contains(p.Text, "&lt;") || strings.Contains(p.Text, "&apos;") {
					t.Errorf("%q: markup or entities left in text", p.Title)
				}
				if p.Source.Title != "Imprint" || !strings.HasPrefix(p.URL, "https://") || p.ID != p.URL {
					t.Errorf("%q: source %+v url %q id %q", p.Title, p.Source, p.URL, p.ID)
				}
			}
			if withHeadings < 5 {
				t.Errorf("only %d of %d posts kept their headings", withHeadings, len(posts))
			}
		}},
		{"001", 13, []want{
			{title: "Fighting Rust", published: "2025-03-28"},
			{title: "Considerations on deploying LLM-based workflows", published: "2025-02-25"},
			{title: "Last year, I explored the possibility", published: "2025-03-18", derived: true},
			{title: "How valuable is your source code?", published: "2024-10-18"},
			{title: "Thoughts on the newer systems programming languages", published: "2024-08-20"},
		}, func(t *testing.T, posts []semsearch.Post) {
			p := findTitle(posts, "Static-linked CGO binaries")
			if p == nil {
				t.Fatal("missing the CGO post")
			}
			if p.ReadingTime != "3 minutes" || !contains(p.Tags, "Musl") || !contains(p.Tags, "Zig") {
				t.Errorf("reading time %q tags %v", p.ReadingTime, p.Tags)
			}
			if strings.Contains(p.Text, "·") || strings.Contains(p.Text, "3 minutes") {
				t.Errorf("tags or reading time leaked into text: %q", p.Text)
			}
		}},
		{"002", 5, []want{
			{title: "I use AI coding agents every day", derived: true},
			{title: "Every team experiences incidents", derived: true},
		}, func(t *testing.T, posts []semsearch.Post) {
			for _, p := range posts {
				if strings.Contains(p.Title, "Comments") || p.Title == "Linux kernel source tree" {
					t.Errorf("page chrome became a post: %q", p.Title)
				}
			}
		}},
		{"003", 59, []want{
			{title: "How Split Brain Happens in Distributed Databases", published: "2026-03-31", text: "## The Problem"},
			{title: "Migrating from Hugo to NextJS", published: "2025-03-10"},
			{title: "Building leverage in your career", published: "2025-03-18"},
		}, func(t *testing.T, posts []semsearch.Post) {
			for _, p := range posts {
				prose := proseOnly(p.Text)
				if strings.Contains(prose, "](") || strings.Contains(prose, "**") {
					t.Errorf("%q: markdown link/emphasis left in text", p.Title)
					break
				}
			}
		}},
		{"004", 24, []want{
			{title: "System Calls: The Gateway Between User Space and Kernel", published: "2021-04-18", text: "An in-depth exploration"},
			{title: "Raft Fast", published: "2020-11-09"},
			{title: "Matroid Theory", published: "2020-01-19"},
		}, func(t *testing.T, posts []semsearch.Post) {
			if findTitle(posts, "Blog") != nil || findTitle(posts, "Posts, notes") != nil {
				t.Error("page header became a post")
			}
		}},
	}
	in := New(Options{})
	for _, tt := range tests {
		t.Run(tt.prefix, func(t *testing.T) {
			path := seedFile(t, tt.prefix)
			res := in.Load(t.Context(), path, nil)
			if len(res) != 1 || res[0].Err != nil {
				t.Fatalf("Load: %+v", res)
			}
			posts := res[0].Posts
			if len(posts) != tt.count {
				for _, p := range posts {
					t.Logf("%s | %s", p.Published.Format("2006-01-02"), p.Title)
				}
				t.Fatalf("got %d posts, want %d", len(posts), tt.count)
			}
			ids := map[string]bool{}
			for _, p := range posts {
				if p.Title == "" || p.Text == "" || p.ID == "" || len(p.ContentHash) != 64 {
					t.Errorf("incomplete post %+v", p)
				}
				if ids[p.ID] {
					t.Errorf("duplicate id %s", p.ID)
				}
				ids[p.ID] = true
			}
			for _, w := range tt.posts {
				p := findTitle(posts, w.title)
				if p == nil {
					t.Errorf("no post titled %q", w.title)
					continue
				}
				if w.published != "" && !p.Published.Equal(day(w.published)) {
					t.Errorf("%q published %v, want %s", w.title, p.Published, w.published)
				}
				if p.TitleDerived != w.derived {
					t.Errorf("%q TitleDerived = %v", w.title, p.TitleDerived)
				}
				if w.text != "" && !strings.Contains(p.Text, w.text) {
					t.Errorf("%q text lacks %q", w.title, w.text)
				}
			}
			if tt.check != nil {
				tt.check(t, posts)
			}
		})
	}
}

var inlineCode = regexp.MustCompile("`[^`]*`")

// proseOnly drops fenced code blocks and inline code spans from text.
func proseOnly(text string) string {
	var b strings.Builder
	fenced := false
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, "```") {
			fenced = !fenced
			continue
		}
		if !fenced {
			b.WriteString(inlineCode.ReplaceAllString(l, ""))
			b.WriteByte('\n')
		}
	}
	return b.String()
}
