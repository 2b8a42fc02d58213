// Package openapi holds the OpenAPI 3.1 document of semsearch's HTTP API:
// every route, its parameters and bodies, every response schema, the error
// shape and the auth scheme. The server serves it at /openapi.json and
// `semsearch openapi` prints it.
//
// The document is written by hand (openapi.json) and kept from drifting by
// the API tests, which validate every request and response they make
// against it (package openapitest), and by a route-table test in server.
package openapi

import (
	"bytes"
	_ "embed"
)

//go:embed openapi.json
var document []byte

// Document returns the OpenAPI document as JSON (a fresh copy).
func Document() []byte { return bytes.Clone(document) }
