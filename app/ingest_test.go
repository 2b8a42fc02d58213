package app

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/internal/fakeembed"
)

// TestApp_IngestPosts_RepeatedID: a source that lists a post twice stores it
// once, the last copy, in the same transaction as the rest of the source.
func TestApp_IngestPosts_RepeatedID(t *testing.T) {
	ctx := context.Background()
	fake := fakeembed.New()
	defer fake.Close()
	a, err := Open(ctx, Config{DataDir: filepath.Join(t.TempDir(), "data"), EmbedURL: fake.URL + "/v1", EmbedModel: "fake"})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()

	posts := []semsearch.Post{
		{ID: "p1", Title: "First copy", Text: "The first copy of a repeated post."},
		{ID: "p2", Title: "Other", Text: "Another post in the same feed."},
		{ID: "p1", Title: "Second copy", Text: "The second copy wins."},
	}
	rep, err := a.IngestPosts(ctx, "feed", posts)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Posts != 2 {
		t.Errorf("stored %d posts, want 2", rep.Posts)
	}
	p, err := a.Post(ctx, "p1")
	if err != nil || p.Title != "Second copy" {
		t.Fatalf("p1 = %q, %v; want the last copy", p.Title, err)
	}
	if err := a.Verify(ctx); err != nil {
		t.Fatal(err)
	}
}
