package app

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/internal/fakeembed"
)

// TestReindex re-embeds every post with a new model, and refuses to swap the
// store while another App has the data dir open: that App would go on
// writing to the replaced file and lose what it wrote.
func TestReindex(t *testing.T) {
	ctx := context.Background()
	fake := fakeembed.New()
	defer fake.Close()
	cfg := Config{DataDir: filepath.Join(t.TempDir(), "data"), EmbedURL: fake.URL + "/v1", EmbedModel: "fake"}
	a, err := Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var posts []semsearch.Post
	for i := range 5 {
		posts = append(posts, semsearch.Post{ID: fmt.Sprintf("p%d", i), Title: fmt.Sprintf("Post %d", i), Text: fmt.Sprintf("Post %d is about marker%d and quasars.", i, i)})
	}
	if _, err := a.IngestPosts(ctx, "feed", posts); err != nil {
		t.Fatal(err)
	}

	newCfg := cfg
	newCfg.EmbedModel = "fake-2"
	if _, err := Reindex(ctx, newCfg, nil); semsearch.ErrorCode(err) != semsearch.EConflict {
		t.Fatalf("reindex while an App is open: %v, want a conflict", err)
	}
	// The refused reindex changed nothing: the open App still writes and reads.
	if _, err := a.IngestPosts(ctx, "feed", []semsearch.Post{{ID: "p5", Title: "Post 5", Text: "Post 5 is about marker5."}}); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}

	rep, err := Reindex(ctx, newCfg, nil)
	if err != nil || rep.Posts != 6 {
		t.Fatalf("reindex: %+v, %v; want 6 posts", rep, err)
	}
	if _, err := Open(ctx, cfg); err == nil {
		t.Fatal("the old model still opens the reindexed store")
	}
	b, err := Open(ctx, newCfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Verify(ctx); err != nil {
		t.Fatal(err)
	}
	rs, err := b.Search(ctx, semsearch.Query{Text: "marker5", K: 3, Mode: semsearch.ModeLexical})
	if err != nil || len(rs) == 0 || rs[0].ID != "p5" {
		t.Fatalf("search after reindex: %v, %v", rs, err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}

	// While a reindex holds the dir, opening it is refused, not blocked.
	lock, err := lockDir(cfg.DataDir, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, newCfg); semsearch.ErrorCode(err) != semsearch.EConflict {
		t.Fatalf("open during a reindex: %v, want a conflict", err)
	}
	if err := lock.unlock(); err != nil {
		t.Fatal(err)
	}
	c, err := Open(ctx, newCfg)
	if err != nil {
		t.Fatalf("open after the reindex released the dir: %v", err)
	}
	c.Close()
}
