// Package testenv locates what tests read beside the code — the repo root,
// ../shared (seeds, datasets, questions) and the local model weights — and
// applies the one rule for missing prerequisites: skip with the reason on a
// developer's machine, fail in CI (CI=true), where .ci/run installs them all.
package testenv

import (
	"os"
	"path/filepath"
	"testing"
)

// InCI reports whether the tests run in CI, where nothing may be skipped.
func InCI() bool { return os.Getenv("CI") == "true" }

// Need skips t with the formatted reason unless ok, and fails it instead
// when running in CI.
func Need(t testing.TB, ok bool, format string, args ...any) {
	t.Helper()
	if ok {
		return
	}
	if InCI() {
		t.Fatalf("required in CI: "+format, args...)
	}
	t.Skipf("skipping: "+format, args...)
}

// RepoRoot walks up from the working directory to the one holding go.mod.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the working directory")
		}
		dir = parent
	}
}

// Shared returns the path of elem inside ../shared beside the repo, after
// Need-checking that it exists.
func Shared(t testing.TB, elem ...string) string {
	t.Helper()
	path := filepath.Join(append([]string{RepoRoot(t), "..", "shared"}, elem...)...)
	_, err := os.Stat(path)
	Need(t, err == nil, "%s is absent: %v", path, err)
	return path
}

// ModelsDir is where `make model` puts the local weights: $SEMSEARCH_MODELS,
// else models/ in the repo. It does not check that any model is there.
func ModelsDir(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("SEMSEARCH_MODELS"); d != "" {
		return d
	}
	return filepath.Join(RepoRoot(t), "models")
}
