package app

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/internal/fakeembed"
)

// TestOpen_VectorIndex: both vector indexes open and answer the same
// query the same way; an unknown name is an invalid error.
func TestOpen_VectorIndex(t *testing.T) {
	ctx := context.Background()
	fake := fakeembed.New()
	defer fake.Close()
	dir := filepath.Join(t.TempDir(), "data")
	posts := []semsearch.Post{
		{ID: "p1", Title: "Disks", Text: "An fsync makes a write durable on disk."},
		{ID: "p2", Title: "Cats", Text: "Cats sleep most of the day."},
	}
	var first string
	for _, tt := range []struct {
		vectors string
		code    string
	}{{"", ""}, {VectorFast, ""}, {VectorExact, ""}, {"hnsw", semsearch.EInvalid}} {
		a, err := Open(ctx, Config{DataDir: dir, EmbedURL: fake.URL + "/v1", EmbedModel: "fake", VectorIndex: tt.vectors})
		if tt.code != "" {
			if semsearch.ErrorCode(err) != tt.code {
				t.Errorf("VectorIndex %q: err = %v, want %s", tt.vectors, err, tt.code)
			}
			if err == nil {
				a.Close()
			}
			continue
		}
		if err != nil {
			t.Fatalf("VectorIndex %q: %v", tt.vectors, err)
		}
		if _, err := a.IngestPosts(ctx, "feed", posts); err != nil {
			t.Fatal(err)
		}
		rs, err := a.Search(ctx, semsearch.Query{Text: "durable write fsync", K: 1, Mode: semsearch.ModeVector})
		a.Close()
		if err != nil || len(rs) != 1 {
			t.Fatalf("VectorIndex %q: %v, %v", tt.vectors, rs, err)
		}
		if first == "" {
			first = rs[0].ID
		} else if rs[0].ID != first {
			t.Errorf("VectorIndex %q: top post %s, the first index gave %s", tt.vectors, rs[0].ID, first)
		}
	}
}
