package semsearch

import (
	"net/url"
	"path/filepath"
	"strings"
)

// RedactURL returns a source URL fit to show and log: the userinfo is
// dropped and the values of secret-looking query parameters (token, key,
// password, signature, ...) are replaced by REDACTED. Anything that is not
// an http(s) URL comes back unchanged. The URL with its secrets is kept for
// fetching only.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return raw
	}
	u.User = nil
	if u.RawQuery != "" {
		q := u.Query()
		changed := false
		for name, vals := range q {
			if secretParam(name) {
				for i := range vals {
					vals[i] = "REDACTED"
				}
				changed = true
			}
		}
		if changed {
			u.RawQuery = q.Encode()
		}
	}
	return u.String()
}

// PublicSourceName is how a source is shown to API readers: RedactURL for
// URLs, and only the last element of a local path (the server's file system
// layout is nobody else's business).
func PublicSourceName(raw string) string {
	if strings.HasPrefix(raw, "http://") || strings.HasPrefix(raw, "https://") {
		return RedactURL(raw)
	}
	if strings.HasPrefix(raw, "file://") {
		raw = strings.TrimPrefix(raw, "file://")
	}
	return filepath.Base(raw)
}

// secretParam reports a query parameter name that likely carries a secret.
func secretParam(name string) bool {
	n := strings.NewReplacer("-", "", "_", "", ".", "").Replace(strings.ToLower(name))
	switch n {
	case "key", "sig", "pass", "pwd", "sid", "code", "auth", "jwt", "hash", "otp":
		return true
	}
	for _, s := range []string{"token", "secret", "passw", "apikey", "signature", "session", "credential", "privatekey", "accesskey", "authorization"} {
		if strings.Contains(n, s) {
			return true
		}
	}
	return false
}
