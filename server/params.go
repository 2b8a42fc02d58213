package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/semsearch/semsearch"
)

const (
	defaultK = 10
	maxK     = 100
)

// queryK parses the optional "k" query parameter: 1..100, default 10.
func queryK(c echo.Context) (int, error) {
	raw := c.QueryParam("k")
	if raw == "" {
		return defaultK, nil
	}
	return parseKString(raw)
}

func parseKString(raw string) (int, error) {
	k, err := strconv.Atoi(raw)
	if err != nil || k < 1 || k > maxK {
		return 0, invalidf("k must be an integer from 1 to %d, got %q", maxK, raw)
	}
	return k, nil
}

// bodyK checks a k given in a JSON body: 0 (absent) means the default.
func bodyK(k int) (int, error) {
	if k == 0 {
		return defaultK, nil
	}
	if k < 1 || k > maxK {
		return 0, invalidf("k must be an integer from 1 to %d, got %d", maxK, k)
	}
	return k, nil
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

// checkText validates a free-text field: valid UTF-8, at most max runes.
func checkText(name, v string, max int) error {
	if !utf8.ValidString(v) {
		return invalidf("%s is not valid UTF-8", name)
	}
	if n := utf8.RuneCountInString(v); n > max {
		return invalidf("%s is too long: %d characters, at most %d", name, n, max)
	}
	return nil
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
	dec := json.NewDecoder(c.Request().Body)
	if strict {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		if he := (*echo.HTTPError)(nil); errors.As(err, &he) {
			return he
		}
		return invalidf("request body must hold a single JSON value")
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
