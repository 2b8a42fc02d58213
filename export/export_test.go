package export

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/semsearch/semsearch"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestRelated_Golden checks the three formats byte for byte against golden
// files built from the repo's testdata/ (go test ./export -update rewrites
// them), and that a second run gives the same bytes.
func TestRelated_Golden(t *testing.T) {
	src := newFakeSource(testdataPosts(t))
	d, err := Related(context.Background(), src, Options{K: 3})
	if err != nil {
		t.Fatal(err)
	}
	again, err := Related(context.Background(), src, Options{K: 3})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []Format{FormatJSON, FormatHugo, FormatJekyll} {
		t.Run(string(f), func(t *testing.T) {
			dir := t.TempDir()
			path, err := f.Write(dir, d)
			if err != nil {
				t.Fatal(err)
			}
			if want := filepath.Join(dir, f.Path()); path != want {
				t.Errorf("written to %s, want %s", path, want)
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			second, err := f.Encode(again)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, second) {
				t.Error("two runs gave different bytes")
			}
			golden := filepath.Join("testdata", map[Format]string{FormatJSON: "related.json", FormatHugo: "hugo-related.json", FormatJekyll: "jekyll-related.yml"}[f])
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./export -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from %s:\n%s", path, golden, got)
			}
		})
	}
}

// TestRelated_NoSelfNoCopies checks every list over testdata/ plus copies
// (syndicated, retitled, edited, same URL): it never holds the post, a
// post with its URL or a copy of it, and no two of its entries are copies of
// each other — checked here with the posts' texts, not the export's own
// bookkeeping.
func TestRelated_NoSelfNoCopies(t *testing.T) {
	posts := withCopies(testdataPosts(t))
	src := newFakeSource(posts)
	for _, k := range []int{1, 3, 10} {
		d, err := Related(context.Background(), src, Options{K: k})
		if err != nil {
			t.Fatal(err)
		}
		byURL := map[string][]semsearch.Post{}
		for _, p := range posts {
			byURL[p.URL] = append(byURL[p.URL], p)
		}
		if len(d) != len(byURL) {
			t.Errorf("k=%d: %d lists for %d post URLs", k, len(d), len(byURL))
		}
		copies := 0
		for key, list := range d {
			self, ok := byURL[key]
			if !ok {
				t.Fatalf("key %q is not a post URL", key)
			}
			if len(list) == 0 || len(list) > k {
				t.Errorf("k=%d: %s has %d entries", k, key, len(list))
			}
			seen := map[string]bool{}
			for i, e := range list {
				if e.URL == key {
					t.Errorf("%s lists itself", key)
				}
				if seen[e.URL] {
					t.Errorf("%s lists %s twice", key, e.URL)
				}
				seen[e.URL] = true
				if e.Title == "" || e.Score <= 0 || e.Passage.Text == "" || !strings.HasPrefix(e.Passage.Link, e.URL) {
					t.Errorf("%s entry %d incomplete: %+v", key, i, e)
				}
				other := byURL[e.URL]
				if len(other) == 0 {
					t.Fatalf("%s lists unknown URL %s", key, e.URL)
				}
				if copyOf(self[0], other[0]) {
					t.Errorf("%s lists %s, a copy of itself", key, e.URL)
					copies++
				}
				for _, f := range list[:i] {
					if copyOf(byURL[f.URL][0], other[0]) {
						t.Errorf("%s lists near-duplicates %s and %s", key, f.URL, e.URL)
					}
				}
			}
		}
	}
	// The copies are there to be caught: the fake ranks them first.
	rs, _ := src.Related(context.Background(), posts[len(posts)-1].ID, 3)
	if len(rs) == 0 || rs[0].Score < 0.9 {
		t.Fatalf("the fake does not rank the copies first: %+v", rs)
	}
}

// copyOf is the test's own judgement: same text or title-less words, or
// one text containing nearly all of the other.
func copyOf(a, b semsearch.Post) bool {
	wa, wb := strings.Join(semsearch.Words(a.Text), " "), strings.Join(semsearch.Words(b.Text), " ")
	if wa == wb {
		return true
	}
	short, long := wa, wb
	if len(short) > len(long) {
		short, long = long, short
	}
	return len(short) > 200 && strings.Contains(long, short[:len(short)*9/10])
}

func TestRelated_Options(t *testing.T) {
	src := newFakeSource(testdataPosts(t))
	if _, err := Related(context.Background(), src, Options{K: semsearch.MaxK + 1}); semsearch.ErrorCode(err) != semsearch.EInvalid {
		t.Errorf("k over the limit: %v", err)
	}
	if _, err := ParseFormat("toml"); semsearch.ErrorCode(err) != semsearch.EInvalid {
		t.Errorf("ParseFormat(toml): %v", err)
	}
}

// TestPick_MMR checks the diversification itself: of two candidates as
// relevant as each other, the one unlike what is already taken wins.
func TestPick_MMR(t *testing.T) {
	text := func(words ...string) string { return strings.Repeat(strings.Join(words, " ")+". ", 5) }
	self := newPostInfo(semsearch.Post{ID: "self", URL: "https://x/self", Text: text("alpha", "beta", "gamma", "delta")})
	a := newPostInfo(semsearch.Post{ID: "a", URL: "https://x/a", Text: text("one", "two", "three", "four", "five", "six") + text("seven", "eight", "nine", "ten")})
	a2 := newPostInfo(semsearch.Post{ID: "a2", URL: "https://x/a2", Text: text("one", "two", "three", "four", "five", "six") + text("eleven", "twelve", "thirteen", "fourteen")})
	b := newPostInfo(semsearch.Post{ID: "b", URL: "https://x/b", Text: text("red", "green", "blue", "cyan", "magenta")})
	res := func(id string, score float64) semsearch.Result {
		return semsearch.Result{ID: id, Title: id, URL: "https://x/" + id, Score: score, Passages: []semsearch.Passage{{Text: id}}}
	}
	cands := []candidate{{res("a", 0.9), a}, {res("a2", 0.85), a2}, {res("b", 0.8), b}}
	if r := resemblance(a, a2); r < 0.2 || r >= defaultNearDuplicate {
		t.Fatalf("resemblance(a, a2) = %.2f: the fixture should be alike but not a copy", r)
	}
	got := pick(Options{K: 3, Lambda: 0.7}.withDefaults(), self, cands)
	var urls []string
	for _, e := range got {
		urls = append(urls, strings.TrimPrefix(e.URL, "https://x/"))
	}
	if strings.Join(urls, " ") != "a b a2" {
		t.Errorf("MMR order %q, want a b a2", urls)
	}
	if got := pick(Options{K: 3}.withDefaults(), self, cands); got[1].URL != "https://x/a2" {
		t.Errorf("the default (Lambda 1) reordered: %+v", got)
	}
}
