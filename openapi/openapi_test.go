package openapi_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/semsearch/semsearch/internal/testenv"
	"github.com/semsearch/semsearch/openapi"
	"github.com/semsearch/semsearch/openapi/openapitest"
)

// TestDocument_Valid loads the document with kin-openapi, which validates it
// as OpenAPI 3.1.
func TestDocument_Valid(t *testing.T) {
	v := openapitest.MustLoad(t)
	if !v.Doc().IsOpenAPI31OrLater() {
		t.Fatalf("openapi %q, want 3.1", v.Doc().OpenAPI)
	}
	var raw map[string]any
	if err := json.Unmarshal(openapi.Document(), &raw); err != nil {
		t.Fatal(err)
	}
}

// TestDocument_StandardValidator runs openapi-spec-validator (PyPI,
// installed by .ci/run) on the document.
func TestDocument_StandardValidator(t *testing.T) {
	python, err := exec.LookPath("python3")
	testenv.Need(t, err == nil, "python3 is not installed")
	have := exec.Command(python, "-c", "import openapi_spec_validator").Run() == nil
	testenv.Need(t, have, "openapi-spec-validator is not installed: pip install openapi-spec-validator==0.9.0")
	path := filepath.Join(t.TempDir(), "openapi.json")
	if err := os.WriteFile(path, openapi.Document(), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(python, "-m", "openapi_spec_validator", path).CombinedOutput()
	if err != nil {
		t.Fatalf("openapi-spec-validator: %v\n%s", err, out)
	}
	t.Logf("openapi-spec-validator: %s", out)
}
