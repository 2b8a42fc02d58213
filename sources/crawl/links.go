package crawl

import (
	"bytes"
	"net/url"
	"path"
	"regexp"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// normalize makes a page URL canonical for deduplication: absolute against
// base, http(s) only, scheme and host lower-cased, default port, fragment
// and tracking parameters (utm_*, fbclid, gclid) dropped. "" when ref is no
// usable URL.
func normalize(ref string, base *url.URL) string {
	u, err := url.Parse(strings.TrimSpace(ref))
	if err != nil {
		return ""
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	u.Host = strings.ToLower(u.Host)
	if p := u.Port(); (p == "80" && u.Scheme == "http") || (p == "443" && u.Scheme == "https") {
		u.Host = u.Hostname()
	}
	u.Fragment, u.RawFragment = "", ""
	if u.RawQuery != "" {
		q := u.Query()
		for k := range q {
			lk := strings.ToLower(k)
			if strings.HasPrefix(lk, "utm_") || lk == "fbclid" || lk == "gclid" {
				q.Del(k)
			}
		}
		u.RawQuery = q.Encode()
	}
	if u.Path == "" {
		u.Path = "/"
	}
	return u.String()
}

// siteKey names a site: its host without port and without a leading "www.".
func siteKey(u *url.URL) string {
	return strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
}

// sameSite reports whether raw is an http(s) URL on the site of start.
func sameSite(raw string, start *url.URL) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && siteKey(u) == siteKey(start) && u.Port() == start.Port()
}

// scopePrefix is the path a crawl started at start keeps to for sitemap
// entries: the start page's directory ("/blog/" for "/blog/" or
// "/blog/index.html", "/" for the home page).
func scopePrefix(start *url.URL) string {
	p := start.EscapedPath()
	if p == "" {
		return "/"
	}
	if strings.HasSuffix(p, "/") {
		return p
	}
	dir := path.Dir(p)
	if dir == "/" || dir == "." {
		return "/"
	}
	return dir + "/"
}

// notArticle matches paths of a blog's index pages rather than its posts:
// tag, category, author and pagination pages, feeds.
var notArticle = regexp.MustCompile(`(?i)/(tags?|categor(y|ies)|authors?|page/\d+|feed|rss|atom)(/|\.xml$|$)`)

// nextPage finds the link to the next page of a listing: <link rel=next>
// or <a rel=next>, resolved against base. "" when there is none.
func nextPage(body []byte, base *url.URL) string {
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		return ""
	}
	var found string
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if found != "" {
			return
		}
		if n.Type == html.ElementNode && (n.DataAtom == atom.Link || n.DataAtom == atom.A) {
			var rel, href string
			for _, a := range n.Attr {
				switch strings.ToLower(a.Key) {
				case "rel":
					rel = strings.ToLower(a.Val)
				case "href":
					href = a.Val
				}
			}
			for _, r := range strings.Fields(rel) {
				if r == "next" && href != "" {
					found = normalize(href, base)
					return
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return found
}
