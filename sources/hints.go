package sources

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/semsearch/semsearch/ingest/fetch"
)

// What a server and a feed say about when to come back.

// retryAfter parses a Retry-After header (delay in seconds, or an HTTP
// date, relative to now). ok is false when the header is absent or
// unusable; a date in the past is a zero delay.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		if secs > int64(365*24*time.Hour/time.Second) {
			secs = int64(365 * 24 * time.Hour / time.Second)
		}
		return time.Duration(secs) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}

// freshFor is how long the response says it stays fresh:
// Cache-Control max-age, else Expires (against the Date header, else now).
// no-cache, no-store and must-revalidate give no hint.
func freshFor(h http.Header, now time.Time) time.Duration {
	if h == nil {
		return 0
	}
	for _, part := range strings.Split(strings.ToLower(h.Get("Cache-Control")), ",") {
		name, val, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch name {
		case "no-cache", "no-store":
			return 0
		case "max-age":
			if n, err := strconv.ParseInt(strings.Trim(val, `"`), 10, 64); err == nil && n > 0 {
				return time.Duration(min(n, int64(365*24*3600))) * time.Second
			}
		}
	}
	exp := h.Get("Expires")
	if exp == "" {
		return 0
	}
	t, err := http.ParseTime(exp)
	if err != nil {
		return 0
	}
	base := now
	if d, err := http.ParseTime(h.Get("Date")); err == nil {
		base = d
	}
	return max(t.Sub(base), 0)
}

// feedTTL reads how often an RSS feed asks to be polled: <ttl> (minutes) in
// its channel, else the syndication module's sy:updatePeriod and
// sy:updateFrequency. It reads only the head of the document, before the
// first item. Zero when the feed says nothing.
func feedTTL(data []byte) time.Duration {
	if i := bytes.Index(data, []byte("<item")); i > 0 {
		data = data[:i]
	} else if len(data) > 64<<10 {
		data = data[:64<<10]
	}
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = false
	dec.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	var ttl time.Duration
	var period string
	freq := 1
	var cur string
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch t := tok.(type) {
		case xml.StartElement:
			cur = strings.ToLower(t.Name.Local)
			if cur == "item" || cur == "entry" {
				return combineTTL(ttl, period, freq)
			}
		case xml.EndElement:
			cur = ""
		case xml.CharData:
			v := strings.TrimSpace(string(t))
			switch cur {
			case "ttl":
				if n, err := strconv.Atoi(v); err == nil && n > 0 && n < 60*24*366 {
					ttl = time.Duration(n) * time.Minute
				}
			case "updateperiod":
				period = strings.ToLower(v)
			case "updatefrequency":
				if n, err := strconv.Atoi(v); err == nil && n > 0 {
					freq = n
				}
			}
		}
	}
	return combineTTL(ttl, period, freq)
}

func combineTTL(ttl time.Duration, period string, freq int) time.Duration {
	if ttl > 0 {
		return ttl
	}
	var p time.Duration
	switch period {
	case "hourly":
		p = time.Hour
	case "daily":
		p = 24 * time.Hour
	case "weekly":
		p = 7 * 24 * time.Hour
	case "monthly":
		p = 30 * 24 * time.Hour
	case "yearly":
		p = 365 * 24 * time.Hour
	default:
		return 0
	}
	return p / time.Duration(freq)
}

// statusError returns the *fetch.StatusError in err's chain, or nil.
func statusError(err error) *fetch.StatusError {
	var se *fetch.StatusError
	if errors.As(err, &se) {
		return se
	}
	return nil
}
