package weaviate

import (
	"context"
	"testing"

	"github.com/weaviate/weaviate/entities/models"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/index"
	"github.com/semsearch/semsearch/index/storetest"
	"github.com/semsearch/semsearch/internal/weaviatetest"
)

// TestMigrateFromVersion1 rolls an index back to schema version 1 (chunks
// without the stemmed properties) and expects the next Open to migrate it:
// BM25 then finds a chunk through a stemmed query word.
func TestMigrateFromVersion1(t *testing.T) {
	if !weaviatetest.Isolate(t) {
		return
	}
	c := weaviatetest.Start(t, 1)
	ctx := context.Background()
	opts := Options{URL: c.URL(), Prefix: "Mig"}
	s, err := Open(ctx, "test-model", storetest.Dims, opts)
	if err != nil {
		t.Fatal(err)
	}
	d := storetest.Doc("a", []string{"the writer writes daily"}, []int{0})
	if err := s.PutMany(ctx, []index.Doc{d}); err != nil {
		t.Fatal(err)
	}
	// Version 1: chunks had no stemmed copies.
	rows, err := s.chunksOf(ctx, "a", s.lastGen, true)
	if err != nil || len(rows) != 1 {
		t.Fatalf("chunks: %v %v", rows, err)
	}
	obj := s.chunkObject(d.Post, rows[0].chunk(), rows[0].Additional.Vector, s.lastGen)
	for _, p := range stemProps {
		obj.Properties.(map[string]any)[p] = ""
	}
	if err := s.writeObjects(ctx, "roll back", []*models.Object{obj}); err != nil {
		t.Fatal(err)
	}
	if err := s.writeMeta(ctx, metaRecord{SchemaVersion: 1, Model: "test-model", Dims: storetest.Dims}); err != nil {
		t.Fatal(err)
	}
	if hits, _ := s.LexicalSearch(ctx, "writing", 5, semsearch.Filter{}, semsearch.BM25Weights{}); len(hits) != 0 {
		t.Fatalf("the rolled-back chunk is still found by its stem: %v", hits)
	}
	s2, err := Open(ctx, "test-model", storetest.Dims, opts)
	if err != nil {
		t.Fatalf("Open migrates: %v", err)
	}
	if m, found, err := s2.readMeta(ctx); err != nil || !found || m.SchemaVersion != SchemaVersion {
		t.Fatalf("meta after migration: %+v %v %v", m, found, err)
	}
	hits, err := s2.LexicalSearch(ctx, "writing", 5, semsearch.Filter{}, semsearch.BM25Weights{})
	if err != nil || len(hits) != 1 || hits[0].ChunkID != "a#0" {
		t.Fatalf("after migration: %v %v", hits, err)
	}
	if err := s2.Verify(ctx); err != nil {
		t.Errorf("Verify: %v", err)
	}
}
