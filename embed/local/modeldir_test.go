package local

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/semsearch/semsearch/embed/weights"
	"github.com/semsearch/semsearch/internal/testenv"
)

// modelsDirOrSkip returns the models directory holding model name's
// weights. Without them the test skips with the reason, or fails in CI,
// where `make model` must have fetched every known model.
func modelsDirOrSkip(t testing.TB, name string) string {
	t.Helper()
	dir := testenv.ModelsDir(t)
	if _, err := os.Stat(filepath.Join(dir, name, "model.safetensors")); err == nil {
		return dir
	}
	info, err := weights.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	testenv.Need(t, false, "weights of %s not found in %s: %s", name, filepath.Join(dir, name), weights.FixHint(info))
	return ""
}
