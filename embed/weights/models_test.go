package weights

import (
	"os"
	"testing"

	"github.com/semsearch/semsearch/internal/testenv"
)

// modelsDir is where `make model` put the weights: $SEMSEARCH_MODELS, else
// <repo root>/models.

// TestVerify_RealModels checks the files `make model` fetched: every known
// model must be there in CI.
func TestVerify_RealModels(t *testing.T) {
	dir := testenv.ModelsDir(t)
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			if _, err := os.Stat(Dir(dir, name)); err != nil {
				testenv.Need(t, false, "%s absent (%v); run `make model`", name, err)
			}
			if err := Verify(dir, name); err != nil {
				t.Fatal(err)
			}
		})
	}
}
