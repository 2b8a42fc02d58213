package export

import (
	"cmp"
	"context"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/deeplink"
	"github.com/semsearch/semsearch/ingest"
	"github.com/semsearch/semsearch/internal/testenv"
)

// fakeSource serves posts from memory; Related ranks every other post by
// the cosine of word counts (stop words left out), the post's first
// paragraph as the passage, as a stand-in for the app's ranking that does
// not move when that ranking is tuned.
type fakeSource struct {
	posts map[string]semsearch.Post
	bags  map[string]map[string]float64
}

func newFakeSource(posts []semsearch.Post) *fakeSource {
	f := &fakeSource{posts: map[string]semsearch.Post{}, bags: map[string]map[string]float64{}}
	for _, p := range posts {
		f.posts[p.ID] = p
		bag := map[string]float64{}
		for _, w := range semsearch.Words(p.Title + "\n" + p.Text) {
			if !semsearch.IsStopword(w) {
				bag[w]++
			}
		}
		f.bags[p.ID] = bag
	}
	return f
}

func (f *fakeSource) PostIDs(context.Context) ([]string, error) {
	var ids []string
	for id := range f.posts {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids, nil
}

func (f *fakeSource) Post(_ context.Context, id string) (semsearch.Post, error) {
	p, ok := f.posts[id]
	if !ok {
		return semsearch.Post{}, semsearch.Errorf(semsearch.ENotFound, "post %q not found", id)
	}
	return p, nil
}

func (f *fakeSource) Related(_ context.Context, id string, k int) ([]semsearch.Result, error) {
	if err := semsearch.CheckK(k); err != nil {
		return nil, err
	}
	q, ok := f.bags[id]
	if !ok {
		return nil, semsearch.Errorf(semsearch.ENotFound, "post %q not found", id)
	}
	var out []semsearch.Result
	for oid, p := range f.posts {
		if oid == id {
			continue
		}
		first, _, _ := strings.Cut(strings.TrimSpace(p.Text), "\n\n")
		start := strings.Index(p.Text, first)
		out = append(out, semsearch.Result{
			ID: p.ID, Title: p.Title, URL: p.URL, Score: cosine(q, f.bags[oid]),
			Passages: []semsearch.Passage{{Text: first, Link: deeplink.Link(p.URL, p.Text, start, start+len(first))}},
		})
	}
	slices.SortFunc(out, func(a, b semsearch.Result) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out[:min(k, len(out))], nil
}

func cosine(a, b map[string]float64) float64 {
	var dot, na, nb float64
	for w, x := range a {
		dot += x * b[w]
		na += x * x
	}
	for _, y := range b {
		nb += y * y
	}
	if na == 0 || nb == 0 {
		return 0
	}
	return dot / math.Sqrt(na*nb)
}

// testdataPosts ingests the repo's testdata/ feeds, pages and notes.
func testdataPosts(t *testing.T) []semsearch.Post {
	t.Helper()
	root := testenv.RepoRoot(t)
	in := ingest.New(ingest.Options{})
	var posts []semsearch.Post
	for _, dir := range []string{"feeds", "pages", "notes"} {
		for _, r := range in.Load(context.Background(), filepath.Join(root, "testdata", dir), nil) {
			if r.Err != nil {
				t.Fatalf("ingest %s: %v", r.Source, r.Err)
			}
			posts = append(posts, r.Posts...)
		}
	}
	// Notes are files: give them web URLs, as a static site would have.
	for i := range posts {
		if !strings.HasPrefix(posts[i].URL, "http") {
			posts[i].URL = "https://notes.example.net/" + slug(posts[i].Title)
		}
	}
	if len(posts) < 10 {
		t.Fatalf("only %d posts in testdata", len(posts))
	}
	return posts
}

// withCopies adds, for the first few posts with enough text, the copies a
// real index holds: a syndicated copy (same content, other URL), a retitled
// copy (same words), a lightly edited copy (a sentence added) and a second
// ID for the same URL.
func withCopies(posts []semsearch.Post) []semsearch.Post {
	out := slices.Clone(posts)
	n := 0
	for _, p := range posts {
		if len(semsearch.Words(p.Text)) < 60 || n == 3 {
			continue
		}
		n++
		syn := p
		syn.ID, syn.URL = "syndicated:"+p.ID, "https://mirror.example.com/"+filepath.Base(p.URL)
		retitled := p
		retitled.ID, retitled.URL, retitled.Title = "retitled:"+p.ID, p.URL+"-retitled", "Re: "+p.Title
		retitled.ContentHash = semsearch.ContentHash(retitled.Title, retitled.Text)
		edited := p
		edited.ID, edited.URL = "edited:"+p.ID, p.URL+"-v2"
		edited.Text += "\n\nUpdate: a reader pointed out a typo, now fixed."
		edited.ContentHash = semsearch.ContentHash(edited.Title, edited.Text)
		sameURL := p
		sameURL.ID = "zz-same-url:" + p.ID
		out = append(out, syn, retitled, edited, sameURL)
	}
	return out
}

func slug(s string) string { return strings.Join(semsearch.Words(s), "-") }
