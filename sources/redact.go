package sources

import (
	"net/url"
	"path/filepath"
	"strings"
)

// Redact returns a source URL fit to show and log: the userinfo is
// dropped and the values of secret-looking query parameters (token, key,
// password, signature, ...) are replaced by REDACTED. Anything that is not
// an http(s) URL comes back unchanged.
func Redact(raw string) string {
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

// PublicName is how a source is shown to API readers: Redact for URLs, and
// only the last element of a local path (the server's file system layout
// is nobody else's business).
func PublicName(raw string) string {
	if strings.HasPrefix(raw, "http://") || strings.HasPrefix(raw, "https://") {
		return Redact(raw)
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

// scrub replaces the raw URL of a source, and the forms of it net/url
// prints, in msg by its redacted form, and bounds the message's length.
func scrub(msg, raw string) string {
	if raw != "" {
		safe := Redact(raw)
		msg = strings.ReplaceAll(msg, raw, safe)
		if u, err := url.Parse(raw); err == nil {
			msg = strings.ReplaceAll(msg, u.Redacted(), safe)
			msg = strings.ReplaceAll(msg, u.String(), safe)
		}
	}
	const maxLen = 1000
	if len(msg) > maxLen {
		msg = strings.ToValidUTF8(msg[:maxLen], "") + "…"
	}
	return msg
}
