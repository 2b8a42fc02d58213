package sources

import (
	"net/url"
	"strings"

	"github.com/semsearch/semsearch"
)

// scrub replaces the raw URL of a source, and the forms of it net/url
// prints, in msg by its redacted form, and bounds the message's length.
func scrub(msg, raw string) string { return scrubAs(msg, raw, semsearch.RedactURL) }

// scrubAs is scrub with the source shown as name(raw) (for API readers, a
// local path becomes its last element).
func scrubAs(msg, raw string, name func(string) string) string {
	if raw != "" {
		safe := name(raw)
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
