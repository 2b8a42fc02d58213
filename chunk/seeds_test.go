package chunk

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/semsearch/semsearch"
)

// seedsDir finds ../shared/seeds relative to the repository root (the
// directory holding go.mod). Missing seeds skip the test, except in CI.
func seedsDir(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test directory")
		}
		dir = parent
	}
	seeds := filepath.Join(dir, "..", "shared", "seeds")
	if _, err := os.Stat(seeds); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("seed documents missing at %s (required when CI=true)", seeds)
		}
		t.Skipf("seed documents not found at %s: skipping", seeds)
	}
	return seeds
}

// TestSplit_Seeds runs the real seed documents, raw, through Split: whatever
// their markup, the invariants must hold.
func TestSplit_Seeds(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(seedsDir(t), "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no seed files: %v", err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		p := semsearch.Post{ID: filepath.Base(f), Title: "Seed", Text: string(data)}
		for _, opts := range []Options{{}, {MaxTokens: 64, OverlapTokens: 8}} {
			got := Split(p, opts)
			checkInvariants(t, p, opts, got)
			t.Logf("%s: %d bytes → %d chunks (max %d)", filepath.Base(f), len(data), len(got), opts.MaxTokens)
		}
	}
}
