package main

import (
	"bytes"
	"testing"

	"github.com/semsearch/semsearch/openapi"
)

// TestCLI_OpenAPI: `semsearch openapi` prints the document the server
// serves, byte for byte.
func TestCLI_OpenAPI(t *testing.T) {
	out := cli(t, nil, 0, "openapi")
	if !bytes.Equal(out, openapi.Document()) {
		t.Fatalf("semsearch openapi printed %d bytes, not the %d-byte document", len(out), len(openapi.Document()))
	}
}
