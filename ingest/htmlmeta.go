package ingest

import (
	"encoding/json"
	"strings"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// pageMeta is what an HTML page says about itself in <head>: <meta>,
// OpenGraph, <link> and JSON-LD.
type pageMeta struct {
	Title, SiteName, Description string
	Canonical                    string
	Authors, Tags                []string
	Published, Updated           time.Time
	Feeds                        []string // advertised feeds, absolute
}

var feedTypes = map[string]bool{
	"application/rss+xml":   true,
	"application/atom+xml":  true,
	"application/feed+json": true,
	"application/json":      false, // too generic to mean a feed
}

// readPageMeta collects metadata from doc; relative links resolve against base.
func readPageMeta(doc *html.Node, base string) pageMeta {
	var m pageMeta
	var docTitle string
	var ld []map[string]any
	var firstTime string
	walkElements(doc, func(n *html.Node) {
		switch n.DataAtom {
		case atom.Title:
			if docTitle == "" {
				docTitle = textContent(n)
			}
		case atom.Base:
			if h := attr(n, "href"); h != "" {
				if abs := resolveURL(h, base); abs != "" {
					base = abs
				}
			}
		case atom.Meta:
			key := strings.ToLower(firstNonEmpty(attr(n, "property"), attr(n, "name"), attr(n, "itemprop")))
			val := strings.TrimSpace(attr(n, "content"))
			if val == "" {
				return
			}
			switch key {
			case "og:title", "twitter:title":
				m.Title = firstNonEmpty(m.Title, val)
			case "og:site_name", "application-name":
				m.SiteName = firstNonEmpty(m.SiteName, val)
			case "description", "og:description", "twitter:description":
				m.Description = firstNonEmpty(m.Description, val)
			case "og:url":
				m.Canonical = firstNonEmpty(m.Canonical, resolveURL(val, base))
			case "author", "article:author", "twitter:creator", "dc.creator":
				if !strings.HasPrefix(val, "http") {
					m.Authors = append(m.Authors, val)
				}
			case "article:published_time", "datepublished", "dc.date", "date", "pubdate":
				if m.Published.IsZero() {
					m.Published = parseDate(val)
				}
			case "article:modified_time", "og:updated_time", "datemodified":
				if m.Updated.IsZero() {
					m.Updated = parseDate(val)
				}
			case "article:tag":
				m.Tags = append(m.Tags, val)
			case "keywords":
				m.Tags = append(m.Tags, strings.Split(val, ",")...)
			}
		case atom.Link:
			rel := strings.ToLower(attr(n, "rel"))
			href := attr(n, "href")
			switch {
			case rel == "canonical":
				if u := resolveURL(href, base); u != "" {
					m.Canonical = u
				}
			case hasWord(rel, "alternate") && feedTypes[strings.ToLower(strings.TrimSpace(attr(n, "type")))]:
				if u := resolveURL(href, base); u != "" && !contains(m.Feeds, u) {
					m.Feeds = append(m.Feeds, u)
				}
			}
		case atom.Script:
			if strings.EqualFold(strings.TrimSpace(attr(n, "type")), "application/ld+json") {
				ld = append(ld, parseJSONLD(childText(n))...)
			}
		case atom.Time:
			if firstTime == "" {
				firstTime = attr(n, "datetime")
			}
		}
	})
	for _, obj := range ld {
		if !isArticleType(obj["@type"]) {
			continue
		}
		m.Title = firstNonEmpty(m.Title, asString(obj["headline"]), asString(obj["name"]))
		m.Description = firstNonEmpty(m.Description, asString(obj["description"]))
		if m.Published.IsZero() {
			m.Published = parseDate(asString(obj["datePublished"]))
		}
		if m.Updated.IsZero() {
			m.Updated = parseDate(asString(obj["dateModified"]))
		}
		if len(m.Authors) == 0 {
			m.Authors = asStrings(obj["author"])
		}
		m.Tags = append(m.Tags, asStrings(obj["keywords"])...)
		if m.Canonical == "" {
			m.Canonical = resolveURL(firstNonEmpty(asString(obj["url"]), asString(obj["mainEntityOfPage"])), base)
		}
	}
	if m.Published.IsZero() && firstTime != "" {
		m.Published = parseDate(firstTime)
	}
	m.Title = firstNonEmpty(m.Title, docTitle)
	return m
}

// parseJSONLD decodes a JSON-LD block: one object, an array, or an @graph.
func parseJSONLD(s string) []map[string]any {
	s = strings.TrimSpace(s)
	s = strings.TrimSuffix(strings.TrimPrefix(s, "<![CDATA["), "]]>")
	var v any
	if json.Unmarshal([]byte(s), &v) != nil {
		return nil
	}
	var out []map[string]any
	var add func(v any, depth int)
	add = func(v any, depth int) {
		if depth > 4 {
			return
		}
		switch v := v.(type) {
		case []any:
			for _, e := range v {
				add(e, depth+1)
			}
		case map[string]any:
			out = append(out, v)
			if g, ok := v["@graph"]; ok {
				add(g, depth+1)
			}
		}
	}
	add(v, 0)
	return out
}

func isArticleType(t any) bool {
	var types []string
	switch t := t.(type) {
	case string:
		types = []string{t}
	case []any:
		for _, e := range t {
			types = append(types, asString(e))
		}
	}
	for _, s := range types {
		switch s {
		case "Article", "BlogPosting", "NewsArticle", "TechArticle", "ScholarlyArticle", "Report", "WebPage", "SocialMediaPosting":
			return true
		}
	}
	return false
}

func walkElements(n *html.Node, fn func(*html.Node)) {
	var rec func(*html.Node, int)
	rec = func(n *html.Node, depth int) {
		if depth > maxHTMLDepth {
			return
		}
		if n.Type == html.ElementNode {
			fn(n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			rec(c, depth+1)
		}
	}
	rec(n, 0)
}

func hasWord(s, w string) bool {
	for _, f := range strings.Fields(s) {
		if f == w {
			return true
		}
	}
	return false
}

func contains(ss []string, s string) bool {
	for _, e := range ss {
		if e == s {
			return true
		}
	}
	return false
}

// childText is the text directly inside n (a <script> or <style>, whose
// content the parser keeps as one raw text node).
func childText(n *html.Node) string {
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return b.String()
}
