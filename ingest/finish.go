package ingest

import (
	"net/url"
	"strings"

	"github.com/semsearch/semsearch"
)

// finishPost fills the derived fields every Post must have: cleaned title
// (derived from the text when missing), normalised tags and authors, the
// content hash and the stable ID. guid may be empty.
func finishPost(p *semsearch.Post, guid string) {
	p.Text = finishText(p.Text)
	if looksLikeHTML(p.Title) {
		// Feeds put markup in titles; a title is plain text.
		p.Title = strings.ReplaceAll(htmlToText(p.Title), "\n", " ")
	}
	p.Title = cleanLine(decodeEntities(p.Title))
	p.Summary = cleanLine(p.Summary)
	p.ReadingTime = cleanLine(p.ReadingTime)
	if p.Title == "" {
		src := p.Text
		if src == "" {
			src = p.Summary
		}
		p.Title = deriveTitle(src)
		p.TitleDerived = p.Title != ""
	}
	if p.Text == "" && p.Summary != "" {
		p.Text = p.Summary
	}
	p.Tags = dedupe(p.Tags)
	p.Authors = dedupe(p.Authors)
	p.Source.Title = cleanLine(decodeEntities(p.Source.Title))
	if !p.Published.IsZero() {
		p.Published = p.Published.UTC()
	}
	if !p.Updated.IsZero() {
		p.Updated = p.Updated.UTC()
	}
	if p.Published.IsZero() && !p.Updated.IsZero() {
		p.Published = p.Updated
	}
	p.ContentHash = semsearch.ContentHash(p.Title, p.Text)
	switch {
	case guid != "":
		p.ID = scopeGUID(strings.TrimSpace(dropControls(guid)), p.Source.URL)
	case p.URL != "":
		p.ID = p.URL
	default:
		p.ID = "sha256:" + p.ContentHash
	}
}

// scopeGUID keeps globally unique GUIDs (absolute URLs, URNs, tag: URIs, long
// opaque strings) as they are, and scopes short ones ("42") by the source so
// two feeds numbering their items from 1 do not collide.
func scopeGUID(guid, source string) string {
	if u, err := url.Parse(guid); err == nil && u.Scheme != "" && (u.Host != "" || u.Opaque != "") {
		return guid
	}
	if len(guid) >= 20 || source == "" {
		return guid
	}
	return source + "#" + guid
}

// dedupe cleans each value and drops empty and case-insensitive duplicates,
// keeping first-seen order.
func dedupe(in []string) []string {
	if len(in) == 0 {
		return nil
	}
	seen := make(map[string]bool, len(in))
	out := make([]string, 0, len(in))
	for _, s := range in {
		s = cleanLine(decodeEntities(s))
		k := strings.ToLower(s)
		if s == "" || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// resolveURL makes ref absolute against base (itself made absolute against
// fallback), dropping the fragment. Empty when ref cannot be made an
// absolute http(s) or file URL.
func resolveURL(ref string, bases ...string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return ""
	}
	u, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	if !u.IsAbs() {
		for _, b := range bases {
			bu, err := url.Parse(strings.TrimSpace(b))
			if err != nil || !bu.IsAbs() {
				continue
			}
			u = bu.ResolveReference(u)
			break
		}
	}
	if !u.IsAbs() {
		return ""
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
	case "file":
		// Only local documents may point at local files.
		if len(bases) > 0 && !strings.HasPrefix(strings.ToLower(strings.TrimSpace(bases[0])), "file:") && bases[0] != "" {
			return ""
		}
	default:
		return ""
	}
	u.Scheme = strings.ToLower(u.Scheme)
	u.Host = strings.ToLower(u.Host)
	u.Fragment = ""
	return u.String()
}
