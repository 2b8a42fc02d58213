package weights

import (
	"os"
	"path/filepath"
	"testing"
)

// modelsDir is where `make model` put the weights: $SEMSEARCH_MODELS, else
// <repo root>/models.
func modelsDir(t *testing.T) string {
	t.Helper()
	if d := os.Getenv("SEMSEARCH_MODELS"); d != "" {
		return d
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "models")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test directory")
		}
		dir = parent
	}
}

// TestVerify_RealModels checks the files `make model` fetched. The default
// model must be there in CI; bge-small-en-v1.5 (hub-only) is checked when present.
func TestVerify_RealModels(t *testing.T) {
	dir := modelsDir(t)
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			m, _ := Lookup(name)
			if _, err := os.Stat(Dir(dir, name)); err != nil {
				if m.PyPIPackage == "" {
					t.Skipf("%s not pulled (hub-only model; `semsearch model pull %s`)", name, name)
				}
				if os.Getenv("CI") == "true" {
					t.Fatalf("%s absent in CI: `make model` must run first: %v", name, err)
				}
				t.Skipf("%s absent (%v); run `make model`", name, err)
			}
			if err := Verify(dir, name); err != nil {
				t.Fatal(err)
			}
		})
	}
}
