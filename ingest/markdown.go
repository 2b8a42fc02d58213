package ingest

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"gopkg.in/yaml.v3"
)

// frontMatter is the metadata block at the top of a Markdown file.
type frontMatter struct {
	Title     string
	Date      time.Time
	Updated   time.Time
	Authors   []string
	Tags      []string
	Summary   string
	URL       string
	Draft     bool // not published: the file is skipped
	HasFields bool
}

// splitFrontMatter separates a YAML ("---") or TOML ("+++") front-matter
// block from the body. ok is false when data does not start with one; an
// unterminated or unparsable block is an error.
func splitFrontMatter(data []byte) (fm frontMatter, body []byte, ok bool, err error) {
	data = bytes.TrimLeft(data, "\ufeff")
	var delim string
	switch {
	case bytes.HasPrefix(data, []byte("---\n")), bytes.HasPrefix(data, []byte("---\r\n")):
		delim = "---"
	case bytes.HasPrefix(data, []byte("+++\n")), bytes.HasPrefix(data, []byte("+++\r\n")):
		delim = "+++"
	default:
		return fm, data, false, nil
	}
	rest := data[bytes.IndexByte(data, '\n')+1:]
	var block []byte
	found := false
	for off := 0; off <= len(rest); {
		end := bytes.IndexByte(rest[off:], '\n')
		line := rest[off:]
		next := len(rest) + 1
		if end >= 0 {
			line = rest[off : off+end]
			next = off + end + 1
		}
		if string(bytes.TrimRight(line, " \t\r")) == delim || (delim == "---" && string(bytes.TrimRight(line, " \t\r")) == "...") {
			block = rest[:off]
			if next > len(rest) {
				next = len(rest)
			}
			body = rest[next:]
			found = true
			break
		}
		off = next
	}
	if !found {
		return fm, nil, true, fmt.Errorf("front matter: no closing %q line", delim)
	}
	raw := map[string]any{}
	if delim == "---" {
		err = yaml.Unmarshal(block, &raw)
	} else {
		err = toml.Unmarshal(block, &raw)
	}
	if err != nil {
		return fm, nil, true, fmt.Errorf("front matter: %w", err)
	}
	fm = frontMatterFrom(raw)
	return fm, body, true, nil
}

func frontMatterFrom(raw map[string]any) frontMatter {
	var fm frontMatter
	fm.HasFields = len(raw) > 0
	get := func(keys ...string) any {
		for _, k := range keys {
			for rk, v := range raw {
				if strings.EqualFold(rk, k) {
					return v
				}
			}
		}
		return nil
	}
	fm.Title = cleanLine(asString(get("title")))
	fm.Date = asTime(get("date", "published", "pubdate", "publishDate", "created"))
	fm.Updated = asTime(get("updated", "lastmod", "modified", "date_modified"))
	fm.Authors = asStrings(get("authors", "author"))
	fm.Tags = asStrings(get("tags", "categories", "keywords"))
	fm.Summary = cleanLine(asString(get("summary", "description", "excerpt")))
	fm.URL = strings.TrimSpace(asString(get("url", "permalink", "canonical")))
	// Hugo, Zola and Eleventy mark unpublished posts "draft: true", Jekyll
	// "published: false".
	switch d := get("draft").(type) {
	case bool:
		fm.Draft = d
	case string:
		fm.Draft = strings.EqualFold(strings.TrimSpace(d), "true")
	}
	if p, ok := get("published").(bool); ok && !p {
		fm.Draft = true
	}
	return fm
}

func asString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case map[string]any: // author: {name: ...}
		return asString(v["name"])
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

func asStrings(v any) []string {
	var out []string
	switch v := v.(type) {
	case []any:
		for _, e := range v {
			if s := cleanLine(asString(e)); s != "" {
				out = append(out, s)
			}
		}
	case []map[string]any:
		for _, e := range v {
			if s := cleanLine(asString(e)); s != "" {
				out = append(out, s)
			}
		}
	case string:
		for _, s := range strings.Split(v, ",") {
			if s = cleanLine(s); s != "" {
				out = append(out, s)
			}
		}
	case nil:
	default:
		if s := cleanLine(asString(v)); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func asTime(v any) time.Time {
	switch v := v.(type) {
	case time.Time:
		return v.UTC()
	case string:
		return parseDate(v)
	}
	return time.Time{}
}

var dateLayouts = []string{
	time.RFC3339Nano, time.RFC3339, "2006-01-02T15:04:05", "2006-01-02 15:04:05 -0700",
	"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02", time.RFC1123Z, time.RFC1123,
	"Mon, 2 Jan 2006 15:04:05 -0700", "Mon, 2 Jan 2006 15:04:05 MST", "January 2, 2006",
	"Jan 2, 2006", "2 January 2006", "2 Jan 2006", "2006/01/02",
}

// parseDate parses the common date shapes of blogs; zero when none fits.
func parseDate(s string) time.Time {
	s = strings.TrimSpace(s)
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}
