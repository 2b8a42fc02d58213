package chunk

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/internal/testenv"
)

// TestSplit_Seeds runs the real seed documents, raw, through Split: whatever
// their markup, the invariants must hold.
func TestSplit_Seeds(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(testenv.Shared(t, "seeds"), "*"))
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
