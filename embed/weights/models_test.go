package weights

import (
	"os"
	"testing"

	"github.com/semsearch/semsearch/internal/testenv"
)

// modelsDir is where `make model` put the weights: $SEMSEARCH_MODELS, else
// <repo root>/models.

// TestVerify_RealModels checks the files `make model` fetched. The default
// model must be there in CI; bge-small-en-v1.5 (hub-only) is checked when present.
func TestVerify_RealModels(t *testing.T) {
	dir := testenv.ModelsDir(t)
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			m, _ := Lookup(name)
			if _, err := os.Stat(Dir(dir, name)); err != nil {
				if m.PyPIPackage == "" {
					t.Skipf("%s not pulled (hub-only model; `semsearch model pull %s`)", name, name)
				}
				testenv.Need(t, false, "%s absent (%v); run `make model`", name, err)
			}
			if err := Verify(dir, name); err != nil {
				t.Fatal(err)
			}
		})
	}
}
