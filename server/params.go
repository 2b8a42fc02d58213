package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/semsearch/semsearch"
)

// queryParams parses the request's query string strictly: a malformed one
// (q=%zz) is an invalid error naming it, where echo's QueryParam would
// silently drop the bad pair.
func queryParams(c echo.Context) (func(string) string, error) {
	vals, err := url.ParseQuery(c.Request().URL.RawQuery)
	if err != nil {
		return nil, invalidf("malformed query string: %v", err)
	}
	return vals.Get, nil
}

// queryK parses the optional "k" query parameter: 1..MaxK, default
// DefaultK.
func queryK(c echo.Context) (int, error) {
	get, err := queryParams(c)
	if err != nil {
		return 0, err
	}
	raw := get("k")
	if raw == "" {
		return semsearch.DefaultK, nil
	}
	return parseKString(raw)
}

func parseKString(raw string) (int, error) {
	k, err := strconv.Atoi(raw)
	if err != nil {
		return 0, invalidf("k must be an integer from 1 to %d, got %q", semsearch.MaxK, raw)
	}
	return k, semsearch.CheckK(k)
}

// bodyK checks a k given in a JSON body: 0 (absent) means the default.
func bodyK(k int) (int, error) {
	if k == 0 {
		return semsearch.DefaultK, nil
	}
	return k, semsearch.CheckK(k)
}

// parseTime accepts RFC 3339 or a plain date (YYYY-MM-DD, UTC). For a
// plain date used as an upper bound (endOfDay), the whole day is included.
func parseTime(name, raw string, endOfDay bool) (time.Time, error) {
	t, err := semsearch.ParseDate(raw, endOfDay)
	if err != nil {
		return t, invalidf("%s must be an RFC 3339 time or a YYYY-MM-DD date, got %q", name, raw)
	}
	return t, nil
}

// decodeJSON reads a JSON request body into v. It requires a JSON content
// type and exactly one JSON value; strict also rejects unknown fields.
// A body over the limit surfaces as the body-limit middleware's 413.
func decodeJSON(c echo.Context, v any, strict bool) error {
	ct := c.Request().Header.Get(echo.HeaderContentType)
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || mt != echo.MIMEApplicationJSON {
		return invalidf("request body must be JSON (Content-Type: application/json), got %q", ct)
	}
	var seen bytes.Buffer
	dec := json.NewDecoder(io.TeeReader(c.Request().Body, &seen))
	if strict {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	first := seen.Bytes()[:dec.InputOffset()]
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		if he := (*echo.HTTPError)(nil); errors.As(err, &he) {
			return he
		}
		return invalidf("request body must hold a single JSON value")
	}
	return exactFieldNames(first, v)
}

// exactFieldNames refuses a body field that names one of v's fields in
// another case ("inPut"): encoding/json would take it for the field, while
// the contract (and the OpenAPI document) spell field names exactly.
func exactFieldNames(body []byte, v any) error {
	var fields map[string]json.RawMessage
	if json.Unmarshal(body, &fields) != nil {
		return nil // not an object: the decode into v already judged it
	}
	t := reflect.TypeOf(v)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil
	}
	names := map[string]string{} // lower case → as spelled
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			names[strings.ToLower(name)] = name
		}
	}
	for k := range fields {
		if want, ok := names[strings.ToLower(k)]; ok && want != k {
			return invalidf("unknown field %q: field names are case-sensitive (did you mean %q?)", k, want)
		}
	}
	return nil
}

func jsonError(err error) error {
	var he *echo.HTTPError
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &he):
		return he // 413 from the body limit
	case errors.Is(err, io.EOF):
		return invalidf("request body is empty")
	case errors.As(err, &syn):
		return invalidf("invalid JSON at byte %d: %v", syn.Offset, syn)
	case errors.As(err, &typ):
		return invalidf("invalid JSON: field %q must be %s", typ.Field, typ.Type)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return invalidf("invalid JSON: unexpected end of body")
	}
	return invalidf("invalid JSON: %s", fmt.Sprint(err))
}
