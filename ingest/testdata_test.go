package ingest

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/ingest/fetch"
	"github.com/semsearch/semsearch/internal/testenv"
)

func testdataDir(t *testing.T) string {
	t.Helper()
	return filepath.Join(testenv.RepoRoot(t), "testdata")
}

// checkClean asserts the invariants post.go documents for every post.
func checkClean(t *testing.T, p semsearch.Post) {
	t.Helper()
	if p.ID == "" || p.Title == "" || p.Text == "" || len(p.ContentHash) != 64 {
		t.Errorf("incomplete post: id=%q title=%q hash=%q text=%d bytes", p.ID, p.Title, p.ContentHash, len(p.Text))
	}
	if !utf8.ValidString(p.Text) || strings.ContainsRune(p.Text, utf8.RuneError) {
		t.Errorf("%q: invalid UTF-8 or replacement characters in text", p.Title)
	}
	for _, bad := range []string{"<script", "trackPageView", "analytics", "<p>", "&amp;", "&mdash;", "&lt;", "\n\n\n", "\r", "\u00a0"} {
		if strings.Contains(p.Text, bad) {
			t.Errorf("%q: text contains %q", p.Title, bad)
		}
	}
	if strings.TrimSpace(p.Text) != p.Text {
		t.Errorf("%q: text not trimmed", p.Title)
	}
}

func TestLoad_TestdataFormats(t *testing.T) {
	tests := []struct {
		file      string
		count     int
		title     string
		published string
		authors   []string
		tags      []string
		url       string
		id        string
		phrases   []string // must appear in the text
		absent    []string // must not
	}{
		{file: "feeds/rss2.xml", count: 2, title: "What fsync actually promises", published: "2024-03-05",
			authors: []string{"Mira Okafor"}, tags: []string{"storage", "linux"},
			url: "https://durable.example.com/posts/fsync-promises/", id: "durable-bytes-2024-001-fsync",
			phrases: []string{"## A write is not a commit", "- fsync the temporary file;", "```go\nf, _ := os.CreateTemp(dir, \"state-*\")", "treats a failed fsync as fatal — the only"},
			absent:  []string{"pixel.gif", "A successful write() does not mean"}},
		{file: "feeds/rss091.xml", count: 2, title: "TCP backpressure in one picture",
			url: "https://packets.example.org/notes/tcp-backpressure.html", phrases: []string{"the advertised window is the message"}},
		{file: "feeds/rdf.xml", count: 2, title: "Lamport clocks in five minutes", published: "2023-06-12",
			authors: []string{"Jonas Hale"}, phrases: []string{"C(a) < C(b)"}},
		{file: "feeds/atom10.xml", count: 2, title: "Raft leader election, step by step", published: "2024-08-14",
			authors: []string{"Priya Raman"}, tags: []string{"raft", "consensus"},
			url: "https://consensus.example.com/raft/leader-election", id: "tag:consensus.example.com,2024:raft-election",
			phrases: []string{"## The vote restriction", "150–300 ms"}},
		{file: "feeds/atom10.xml", count: 2, title: "From ZooKeeper to KRaft", published: "2024-09-02",
			phrases: []string{"## The metadata log", "- One system to deploy and secure instead of two."}},
		{file: "feeds/atom03.xml", count: 2, title: "B-tree page splits and fill factor", published: "2022-11-20",
			authors: []string{"Tomás Ibáñez"}, phrases: []string{"A fill factor below 100%"}},
		{file: "feeds/jsonfeed10.json", count: 2, title: "Go generics: constraints are interfaces", published: "2023-02-14",
			authors: []string{"Lena Fischer"}, tags: []string{"go", "generics"},
			phrases: []string{"## comparable and any", "```go\nfunc Max[T cmp.Ordered](a, b T) T {\n\tif a > b {"}},
		{file: "feeds/jsonfeed10.json", count: 2, title: "Why Go has no generic methods",
			phrases: []string{"through reflection or interface conversion.\n\nThe usual workaround"}},
		{file: "feeds/jsonfeed11.json", count: 2, title: "SQLite WAL mode, explained", published: "2024-05-06",
			authors: []string{"Sam Whitaker"}, id: "https://embedded-db.example.com/feed.json#edb-0042",
			phrases: []string{"## Checkpoints", "- Use PRAGMA journal_mode=WAL once; it persists."}},
		{file: "feeds/jsonfeed11.json", count: 2, title: "CRDT counters for offline-first apps", authors: []string{"Ada Mensah"}},
		{file: "pages/article.html", count: 1, title: "Write amplification in LSM trees", published: "2024-02-20",
			authors: []string{"Keiko Tanaka"}, tags: []string{"lsm", "compaction", "storage", "rocksdb"},
			url: "https://fieldnotes.example.com/posts/lsm-write-amplification/", id: "https://fieldnotes.example.com/posts/lsm-write-amplification/",
			phrases: []string{"## Leveled compaction", "- Write-heavy ingestion with few reads: tiered.", "```ini\n[CFOptions \"default\"]"},
			absent:  []string{"Privacy", "Archive", "Related", "Bloom filters", "analytics"}},
		{file: "pages/listing.html", count: 3, title: "Sizing a database connection pool", published: "2024-08-21",
			tags: []string{"postgres", "performance"}, url: "https://opsjournal.example.com/posts/connection-pool-sizing/",
			phrases: []string{"More connections rarely means more throughput."}, absent: []string{"5 min read", "postgres"}},
		{file: "notes/listing.txt", count: 3, title: "Tuning GOGC and GOMEMLIMIT together", published: "2024-07-30",
			tags: []string{"Go", "Garbage-Collection", "Performance"}, absent: []string{"·", "4 minutes"}},
		{file: "notes/listing.txt", count: 3, title: "Epoll is level-triggered by default", published: "2024-09-15"},
		{file: "notes/index.txt", count: 3, title: "Reading a flame graph", published: "2023-03-19",
			phrases: []string{"Width is time"}},
		{file: "notes/hnsw.md", count: 1, title: "How HNSW finds neighbours fast", published: "2024-12-09",
			authors: []string{"Rosa Delgado"}, tags: []string{"vector-search", "algorithms"},
			phrases: []string{"## Searching", "- a larger `ef` gives better recall", "```python\nindex = hnswlib.Index"},
			absent:  []string{"---", "# How HNSW"}},
		{file: "notes/consistent-hashing.md", count: 1, title: "Consistent hashing with virtual nodes", published: "2023-09-18",
			authors: []string{"Felix Brandt"}, tags: []string{"distributed-systems", "hashing"},
			phrases: []string{"## Virtual nodes", "hundred or so virtual nodes"}, absent: []string{"+++", "*"}},
		{file: "notes/postmortem.txt", count: 1, title: "The disk that filled up on a Sunday",
			phrases: []string{"Our metrics database stopped", "\n\nWhat we changed:"}},
	}
	in := New(Options{})
	for _, tt := range tests {
		t.Run(tt.file+"/"+tt.title, func(t *testing.T) {
			res := in.Load(t.Context(), filepath.Join(testdataDir(t), tt.file), nil)
			if len(res) != 1 || res[0].Err != nil {
				t.Fatalf("Load: %+v", res)
			}
			posts := res[0].Posts
			if len(posts) != tt.count {
				t.Fatalf("got %d posts, want %d", len(posts), tt.count)
			}
			for _, p := range posts {
				checkClean(t, p)
			}
			p := findTitle(posts, tt.title)
			if p == nil {
				t.Fatalf("no post titled %q", tt.title)
			}
			if tt.published != "" && !p.Published.Equal(day(tt.published)) && p.Published.Format("2006-01-02") != tt.published {
				t.Errorf("published = %v, want %s", p.Published, tt.published)
			}
			for _, a := range tt.authors {
				if !contains(p.Authors, a) {
					t.Errorf("authors = %q, want %q", p.Authors, a)
				}
			}
			for _, tag := range tt.tags {
				if !contains(p.Tags, tag) {
					t.Errorf("tags = %q, want %q", p.Tags, tag)
				}
			}
			if tt.url != "" && p.URL != tt.url {
				t.Errorf("url = %q, want %q", p.URL, tt.url)
			}
			if tt.id != "" && p.ID != tt.id {
				t.Errorf("id = %q, want %q", p.ID, tt.id)
			}
			for _, s := range tt.phrases {
				if !strings.Contains(p.Text, s) {
					t.Errorf("text lacks %q:\n%s", s, p.Text)
				}
			}
			for _, s := range tt.absent {
				if strings.Contains(p.Text, s) {
					t.Errorf("text contains %q:\n%s", s, p.Text)
				}
			}
		})
	}
}

func TestLoad_TestdataBroken(t *testing.T) {
	dir := filepath.Join("testdata", "broken") // the package's own: not sample data
	tests := []struct {
		file    string
		errIs   error
		errHas  string
		title   string // for inputs that must parse despite being broken
		hasText string
	}{
		{file: "billion-laughs.xml", errIs: ErrUnsafeXML, errHas: "entity"},
		{file: "deep-nesting.xml", errIs: ErrUnsafeXML, errHas: "nested deeper than 200"},
		{file: "empty-feed.xml", errHas: "has no entries"},
		{file: "empty.txt", errIs: ErrEmpty},
		{file: "html-as-feed.xml", errIs: ErrNoContent},
		{file: "not-a-feed.json", errHas: "no entries"},
		{file: "pixel.png", errHas: "binary"},
		{file: "truncated.xml", errHas: "unexpected EOF"},
		{file: "wrong-encoding-label.xml", title: "Naïve retries considered harmful", hasText: "UTF-8 — the em dash and the naïve"},
		{file: "latin1-labelled-utf8.xml", title: "Crème brûlée and cache lines", hasText: "the crème must decode"},
	}
	in := New(Options{})
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join(dir, tt.file)
			res := in.Load(t.Context(), path, nil)
			if len(res) != 1 {
				t.Fatalf("got %d results", len(res))
			}
			r := res[0]
			if tt.title != "" {
				if r.Err != nil || len(r.Posts) != 1 {
					t.Fatalf("want one post, got %d, err %v", len(r.Posts), r.Err)
				}
				if r.Posts[0].Title != tt.title || !strings.Contains(r.Posts[0].Text, tt.hasText) {
					t.Errorf("got %q / %q", r.Posts[0].Title, r.Posts[0].Text)
				}
				return
			}
			if r.Err == nil {
				t.Fatalf("want an error, got %d posts", len(r.Posts))
			}
			if len(r.Posts) != 0 {
				t.Errorf("failed source returned %d posts", len(r.Posts))
			}
			if !strings.Contains(r.Err.Error(), path) {
				t.Errorf("error does not name the source: %v", r.Err)
			}
			if tt.errIs != nil && !errors.Is(r.Err, tt.errIs) {
				t.Errorf("err = %v, want %v", r.Err, tt.errIs)
			}
			if tt.errHas != "" && !strings.Contains(r.Err.Error(), tt.errHas) {
				t.Errorf("err = %v, want it to mention %q", r.Err, tt.errHas)
			}
		})
	}
}

// A directory ingest walks in sorted order, reports every broken file on
// its own, and still loads the good ones.
func TestLoad_Dir(t *testing.T) {
	in := New(Options{})
	res := in.Load(t.Context(), testdataDir(t), nil)
	for _, r := range res {
		if r.Err != nil {
			t.Errorf("the sample data in testdata/ must load cleanly: %v", r.Err)
		}
	}
	res = append(res, in.Load(t.Context(), filepath.Join("testdata", "broken"), nil)...)
	var sources []string
	posts, errs := 0, 0
	for _, r := range res {
		sources = append(sources, r.Source)
		if r.Err != nil {
			errs++
			if !strings.Contains(r.Source, "broken") {
				t.Errorf("unexpected error outside broken/: %v", r.Err)
			}
			continue
		}
		posts += len(r.Posts)
	}
	if !sortedStrings(sources[:len(sources)-10]) || !sortedStrings(sources[len(sources)-10:]) {
		t.Errorf("results not in sorted order: %q", sources)
	}
	if errs != 8 {
		t.Errorf("got %d errors, want 8 (the broken files minus the two encoding fixes)", errs)
	}
	if posts != 29 {
		t.Errorf("got %d posts from testdata, want 29", posts)
	}
	// The OPML list only names files the walk already covers: no duplicates.
	seen := map[string]string{}
	for _, r := range res {
		for _, p := range r.Posts {
			if prev, ok := seen[p.ID]; ok {
				t.Errorf("post %s loaded twice (%s, %s)", p.ID, prev, r.Source)
			}
			seen[p.ID] = r.Source
		}
	}
}

func sortedStrings(ss []string) bool {
	for i := 1; i < len(ss); i++ {
		if ss[i-1] > ss[i] {
			return false
		}
	}
	return true
}

func TestLoad_OPML(t *testing.T) {
	res := New(Options{}).Load(t.Context(), filepath.Join(testdataDir(t), "subscriptions.opml"), nil)
	if len(res) != 4 {
		t.Fatalf("got %d results, want one per feed (4): %+v", len(res), res)
	}
	want := []string{"rss2.xml", "atom03.xml", "atom10.xml", "jsonfeed11.json"}
	for i, r := range res {
		if r.Err != nil || len(r.Posts) != 2 {
			t.Errorf("%s: %d posts, err %v", r.Source, len(r.Posts), r.Err)
		}
		if filepath.Base(r.Source) != want[i] {
			t.Errorf("result %d is %s, want %s (document order)", i, r.Source, want[i])
		}
	}
}

func TestLoad_Stdin(t *testing.T) {
	in := New(Options{})
	res := in.Load(t.Context(), "-", strings.NewReader("---\ntitle: From stdin\ndate: 2024-01-02\n---\nPiped text about write-ahead logs.\n"))
	if len(res) != 1 || res[0].Err != nil || len(res[0].Posts) != 1 {
		t.Fatalf("Load(-): %+v", res)
	}
	if p := res[0].Posts[0]; p.Title != "From stdin" || p.Text != "Piped text about write-ahead logs." || !strings.HasPrefix(p.ID, "sha256:") {
		t.Errorf("post = %+v", p)
	}
	small := New(Options{MaxBodyBytes: 10})
	res = small.Load(t.Context(), "-", strings.NewReader(strings.Repeat("x", 100)))
	if len(res) != 1 || !errors.Is(res[0].Err, fetch.ErrTooLarge) {
		t.Fatalf("oversized stdin: %+v", res)
	}
}

func TestLoad_Missing(t *testing.T) {
	res := New(Options{}).Load(t.Context(), "no/such/file.xml", nil)
	if len(res) != 1 || res[0].Err == nil || !strings.Contains(res[0].Err.Error(), "no/such/file.xml") {
		t.Fatalf("got %+v", res)
	}
}
