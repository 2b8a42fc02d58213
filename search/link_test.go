package search

import (
	"context"
	"strings"
	"testing"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/chunk"
	"github.com/semsearch/semsearch/deeplink"
	"github.com/semsearch/semsearch/index"
)

// TestSearcher_PassageLinks checks that each passage links to the window
// it shows: the link is deeplink.Link over the post's clean text for the
// byte range whose text the passage shows, headings and trimming included;
// a post without a URL gets no link.
func TestSearcher_PassageLinks(t *testing.T) {
	ctx := context.Background()
	st, err := index.Open(ctx, t.TempDir(), "concept-fake", fakeDims)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	long := strings.Repeat("Filler words about nothing in particular go here. ", 12) +
		"Then fsync makes the database durable after a power crash, at last. " +
		strings.Repeat("More filler follows the answer for a while. ", 8)
	posts := []semsearch.Post{
		{ID: "long", Title: "Long", URL: "https://example.test/long", Text: "# Intro\n\nShort intro.\n\n## Durability\n\n" + long},
		{ID: "nourl", Title: "No URL", Text: "fsync and power crash notes."},
	}
	e := conceptEmbedder{}
	for _, p := range posts {
		p.ContentHash = semsearch.ContentHash(p.Title, p.Text)
		cs := chunk.Split(p, chunk.Options{MaxTokens: 400})
		var texts []string
		for _, c := range cs {
			texts = append(texts, c.Context)
		}
		vecs, _ := e.EmbedPassages(ctx, texts)
		if err := st.Put(ctx, p, cs, vecs); err != nil {
			t.Fatal(err)
		}
	}
	s := New(st, e)
	rs, err := s.Search(ctx, semsearch.Query{Text: "fsync power crash", K: 5, Mode: semsearch.ModeLexical})
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, r := range rs {
		for _, p := range r.Passages {
			seen++
			if r.URL == "" {
				if p.Link != "" {
					t.Errorf("%s: link %q for a post without a URL", r.ID, p.Link)
				}
				continue
			}
			text := posts[0].Text
			shown := strings.Trim(p.Text, "…")
			start := strings.Index(text, shown)
			if start < 0 {
				t.Fatalf("passage %q is not a slice of the post text", shown)
			}
			want := deeplink.Link(r.URL, text, start, start+len(shown))
			if p.Link != want {
				t.Errorf("link %q, want %q", p.Link, want)
			}
			if !strings.Contains(p.Link, "#:~:text=") || strings.Contains(p.Link, "Filler%20words%20about%20nothing%20in,") {
				t.Errorf("link %q does not point into the shown window", p.Link)
			}
		}
	}
	if seen < 2 {
		t.Fatalf("only %d passages in %+v", seen, rs)
	}
}
