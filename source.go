package semsearch

import (
	"net/url"
	"strings"
)

// CheckRemoteSource is the rule for sources named by an untrusted caller
// (the HTTP API, MCP): an absolute http(s) URL with a host, never a local
// path, stdin ("-") or another scheme, which would let a caller read the
// server's files. The error is an invalid *Error.
func CheckRemoteSource(src string) error {
	if src == "" {
		return Errorf(EInvalid, "the source is empty")
	}
	if err := CheckText("source", src, MaxSourceRunes); err != nil {
		return err
	}
	u, err := url.Parse(src)
	if err != nil || (!strings.EqualFold(u.Scheme, "http") && !strings.EqualFold(u.Scheme, "https")) || u.Host == "" {
		return Errorf(EInvalid, "source %q: only http and https URLs can be ingested here", src)
	}
	return nil
}

// MaxSourceRunes bounds a source name (a URL or path).
const MaxSourceRunes = 4096

// Name is how a source is shown: its title, else its URL.
func (s Source) Name() string {
	if s.Title != "" {
		return s.Title
	}
	return s.URL
}
