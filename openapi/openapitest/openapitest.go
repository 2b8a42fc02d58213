// Package openapitest checks HTTP exchanges against the OpenAPI document
// (package openapi) with kin-openapi, so that API tests fail when the server
// and the document disagree.
package openapitest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/semsearch/semsearch/openapi"
)

// Validator checks exchanges against a loaded document.
type Validator struct {
	doc    *openapi3.T
	router routers.Router
}

var (
	loadOnce sync.Once
	loaded   *Validator
	loadErr  error
)

// Load parses and validates the document once per test binary.
func Load() (*Validator, error) {
	loadOnce.Do(func() { loaded, loadErr = New(openapi.Document()) })
	return loaded, loadErr
}

// MustLoad is Load for tests: it fails t when the document is invalid.
func MustLoad(t testing.TB) *Validator {
	t.Helper()
	v, err := Load()
	if err != nil {
		t.Fatalf("openapi document: %v", err)
	}
	return v
}

// New loads a document from JSON and validates it as OpenAPI.
func New(data []byte) (*Validator, error) {
	doc, err := openapi3.NewLoader().LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("load openapi document: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("invalid openapi document: %w", err)
	}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("route openapi document: %w", err)
	}
	return &Validator{doc: doc, router: router}, nil
}

// Doc is the loaded document.
func (v *Validator) Doc() *openapi3.T { return v.doc }

// Check validates one exchange: the request (with its body) and the
// response's status, headers and body.
//
//   - Every response must be one the document lists for the operation, with
//     a body matching its schema (HEAD responses: status only).
//   - A request the document forbids must have been refused (4xx), and a
//     request the server accepted (2xx) must satisfy the document.
//   - A request to an undocumented path or method must get 404 or 405 with
//     the Error body.
//
// Two kinds of exchange are outside the document and are not checked:
// net/http's own 431 (headers too large, before any handler runs) and CORS
// preflights (OPTIONS with Access-Control-Request-Method).
func (v *Validator) Check(req *http.Request, reqBody []byte, status int, header http.Header, body []byte) error {
	return v.check(req, reqBody, status, header, body, false)
}

// CheckStream is Check for a streamed response (text/event-stream), whose
// body is not read: the status and headers are checked.
func (v *Validator) CheckStream(req *http.Request, reqBody []byte, status int, header http.Header) error {
	return v.check(req, reqBody, status, header, nil, true)
}

func (v *Validator) check(req *http.Request, reqBody []byte, status int, header http.Header, body []byte, stream bool) error {
	if status == http.StatusRequestHeaderFieldsTooLarge ||
		req.Method == http.MethodOptions && req.Header.Get("Access-Control-Request-Method") != "" {
		return nil
	}
	ctx := context.Background()
	head := req.Method == http.MethodHead
	// Route on the escaped path, as the server does, so an ID holding "%2F"
	// stays one path segment.
	r := req.Clone(ctx)
	r.URL.Path = req.URL.EscapedPath()
	r.URL.RawPath = ""
	if head {
		r.Method = http.MethodGet
	}
	r.Body = io.NopCloser(bytes.NewReader(reqBody))
	route, params, err := v.router.FindRoute(r)
	if err != nil {
		if status != http.StatusNotFound && status != http.StatusMethodNotAllowed {
			return fmt.Errorf("%s %s: route not in the document (%v) but the server answered %d", req.Method, req.URL.Path, err, status)
		}
		if head || stream {
			return nil
		}
		return v.checkError(req, status, header, body)
	}
	opts := &openapi3filter.Options{
		AuthenticationFunc:    openapi3filter.NoopAuthenticationFunc,
		IncludeResponseStatus: true,
		ExcludeResponseBody:   head || stream,
		MultiError:            true,
	}
	in := &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route, Options: opts}
	reqErr := openapi3filter.ValidateRequest(ctx, in)
	switch {
	case reqErr != nil && (status < 400 || status >= 500):
		return fmt.Errorf("%s %s: the server answered %d to a request the document forbids: %v", req.Method, req.URL, status, reqErr)
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 status,
		Header:                 header,
		Options:                opts,
	}
	out.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		return fmt.Errorf("%s %s: response %d does not match the document: %w\nbody: %.500s", req.Method, req.URL, status, err, body)
	}
	return nil
}

// checkError validates a body against the Error schema.
func (v *Validator) checkError(req *http.Request, status int, header http.Header, body []byte) error {
	if ct := header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		return fmt.Errorf("%s %s: error %d has Content-Type %q, want application/json", req.Method, req.URL, status, ct)
	}
	schema := v.doc.Components.Schemas["Error"]
	if schema == nil || schema.Value == nil {
		return errors.New("the document has no Error schema")
	}
	var value any
	if err := jsonDecode(body, &value); err != nil {
		return fmt.Errorf("%s %s: error %d body is not JSON: %w", req.Method, req.URL, status, err)
	}
	if err := schema.Value.VisitJSON(value, openapi3.EnableJSONSchema2020()); err != nil {
		return fmt.Errorf("%s %s: error %d body does not match the Error schema: %w\nbody: %.500s", req.Method, req.URL, status, err, body)
	}
	return nil
}

// Transport is an http.RoundTripper that checks every exchange it carries
// and reports mismatches to t (as errors: the test goes on). Base nil means
// http.DefaultTransport.
type Transport struct {
	T    testing.TB
	Base http.RoundTripper
	V    *Validator
}

// RoundTrip sends req, then checks the request and the response; the
// response body is buffered and handed back unread. An event stream is
// handed back as it comes, its status and headers checked.
func (tr *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := tr.Base
	if base == nil {
		base = http.DefaultTransport
	}
	var reqBody []byte
	if req.Body != nil {
		var err error
		if reqBody, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	resp, err := base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt == "text/event-stream" {
		// A stream may stay open for the whole session: hand it back unread.
		if err := tr.V.CheckStream(req, reqBody, resp.StatusCode, resp.Header); err != nil {
			tr.T.Errorf("openapi: %v", err)
		}
		return resp, nil
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if err := tr.V.Check(req, reqBody, resp.StatusCode, resp.Header, body); err != nil {
		tr.T.Errorf("openapi: %v", err)
	}
	return resp, nil
}
