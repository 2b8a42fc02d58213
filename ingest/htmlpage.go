package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"

	readability "github.com/go-shiori/go-readability"
	"github.com/semsearch/semsearch"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/net/html/charset"
)

// minArticleRunes is the least readable text an article page must yield;
// less means an error page, a login wall or a page of chrome.
const minArticleRunes = 200

// maxReadabilityElems bounds the work readability does on one page.
const maxReadabilityElems = 100_000

// ErrNoContent is returned (wrapped) when a page has no readable content.
var ErrNoContent = errors.New("no readable content")

// htmlPage is a parsed HTML page: its posts (one article, or one per
// listing entry) and the feeds it advertises.
type htmlPage struct {
	posts []semsearch.Post
	feeds []string
}

// decodeHTML returns data as UTF-8. Valid UTF-8 is trusted over a <meta
// charset> that claims otherwise; else the declared or sniffed encoding.
func decodeHTML(data []byte) []byte {
	if utf8.Valid(data) {
		return data
	}
	enc, _, _ := charset.DetermineEncoding(data, "text/html")
	if out, err := enc.NewDecoder().Bytes(data); err == nil {
		return out
	}
	return bytes.ToValidUTF8(data, []byte("\uFFFD"))
}

// parseHTMLPage extracts posts from an HTML page: a blog listing yields one
// post per entry; anything else is read as one article with
// readability-style main-content extraction.
func parseHTMLPage(data []byte, base string) (htmlPage, error) {
	data = dropEscapesAndNUL(decodeHTML(data))
	doc, err := html.Parse(bytes.NewReader(data))
	if err != nil {
		return htmlPage{}, fmt.Errorf("parse html: %w", err)
	}
	meta := readPageMeta(doc, base)
	page := htmlPage{feeds: meta.Feeds}
	pageBase := firstNonEmpty(meta.Canonical, base)
	src := semsearch.Source{Title: firstNonEmpty(meta.SiteName, meta.Title), URL: firstNonEmpty(meta.Canonical, base)}

	if entries := listingEntries(doc); len(entries) >= 2 {
		for _, e := range entries {
			p := listingPost(e, pageBase, base)
			if p.Title == "" && p.Text == "" {
				continue
			}
			p.Source = src
			finishPost(&p, "")
			page.posts = append(page.posts, p)
		}
		if len(page.posts) >= 2 {
			return page, nil
		}
		page.posts = nil
	}

	var pageURL *url.URL
	if u, err := url.Parse(pageBase); err == nil && u.IsAbs() {
		pageURL = u
	}
	rp := readability.NewParser()
	rp.KeepClasses = true // "language-go" on <pre>/<code> names the fence
	rp.MaxElemsToParse = maxReadabilityElems
	art, err := rp.ParseDocument(doc, pageURL)
	if err != nil || art.Node == nil {
		return page, fmt.Errorf("%w: article extraction failed", ErrNoContent)
	}
	p := semsearch.Post{
		Title:     firstNonEmpty(meta.Title, art.Title),
		URL:       firstNonEmpty(meta.Canonical, resolveURL(base)),
		Authors:   meta.Authors,
		Published: meta.Published,
		Updated:   meta.Updated,
		Tags:      meta.Tags,
		Summary:   firstNonEmpty(meta.Description, art.Excerpt),
		Text:      nodeToText(art.Node),
		Source:    semsearch.Source{Title: meta.SiteName, URL: firstNonEmpty(meta.Canonical, base)},
	}
	if len(p.Authors) == 0 && art.Byline != "" {
		p.Authors = []string{art.Byline}
	}
	if p.Published.IsZero() && art.PublishedTime != nil {
		p.Published = *art.PublishedTime
	}
	if p.Updated.IsZero() && art.ModifiedTime != nil {
		p.Updated = *art.ModifiedTime
	}
	// Drop a leading heading that repeats the title.
	if first, rest, ok := strings.Cut(p.Text, "\n\n"); ok {
		if _, heading, isHeading := semsearch.HeadingLine(first); isHeading && strings.EqualFold(heading, cleanLine(p.Title)) {
			p.Text = rest
		}
	}
	if utf8.RuneCountInString(p.Text) < minArticleRunes {
		return page, fmt.Errorf("%w: page %q has %d characters of article text", ErrNoContent, cleanLine(p.Title), utf8.RuneCountInString(p.Text))
	}
	finishPost(&p, "")
	page.posts = []semsearch.Post{p}
	return page, nil
}

// listingEntries finds the repeated entry elements of a blog index page:
// two or more <article> elements with a heading, or else three or more
// same-tag siblings that each hold a linked heading.
func listingEntries(doc *html.Node) []*html.Node {
	var articles []*html.Node
	walkElements(doc, func(n *html.Node) {
		if n.DataAtom == atom.Article && findHeading(n) != nil && !insideArticle(n) {
			articles = append(articles, n)
		}
	})
	if len(articles) >= 2 {
		return articles
	}
	if len(articles) == 1 {
		return nil // one article with, at most, a related-posts list
	}
	var best []*html.Node
	walkElements(doc, func(n *html.Node) {
		groups := map[string][]*html.Node{}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode {
				continue
			}
			if h := findHeading(c); h != nil && findLink(h) != nil {
				groups[c.Data] = append(groups[c.Data], c)
			}
		}
		for _, g := range groups {
			if len(g) >= 3 && len(g) > len(best) {
				best = g
			}
		}
	})
	// A row of "related posts" cards under an article is not a listing:
	// the entries must hold most of the page's text.
	entryText := 0
	for _, e := range best {
		entryText += len(collapseSpace(textContent(e)))
	}
	if entryText*2 < len(collapseSpace(textContent(doc))) {
		return nil
	}
	return best
}

func insideArticle(n *html.Node) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.DataAtom == atom.Article {
			return true
		}
	}
	return false
}

func findHeading(n *html.Node) *html.Node {
	var found *html.Node
	walkElements(n, func(c *html.Node) {
		if found == nil {
			switch c.DataAtom {
			case atom.H1, atom.H2, atom.H3, atom.H4:
				found = c
			}
		}
	})
	return found
}

func findLink(n *html.Node) *html.Node {
	var found *html.Node
	walkElements(n, func(c *html.Node) {
		if found == nil && c.DataAtom == atom.A && attr(c, "href") != "" {
			found = c
		}
	})
	return found
}

var inlineReadingTime = regexp.MustCompile(`(?i)\b(\d+\s*(?:min|mins|minute|minutes))(?:\s+read)?\b`)

// listingPost reads one listing entry: heading (title and link), <time>,
// tag links, reading time, and the remaining text as summary.
func listingPost(e *html.Node, pageBase, base string) semsearch.Post {
	var p semsearch.Post
	if h := findHeading(e); h != nil {
		p.Title = textContent(h)
		if a := findLink(h); a != nil {
			p.URL = resolveURL(attr(a, "href"), pageBase, base)
		}
		h.Parent.RemoveChild(h)
	}
	var drop []*html.Node
	walkElements(e, func(n *html.Node) {
		cls := strings.ToLower(attr(n, "class"))
		switch {
		case n.DataAtom == atom.Time:
			if p.Published.IsZero() {
				p.Published = parseDate(firstNonEmpty(attr(n, "datetime"), textContent(n)))
			}
			drop = append(drop, n)
		case n.DataAtom == atom.A && (hasWord(strings.ToLower(attr(n, "rel")), "tag") || strings.Contains(strings.ToLower(attr(n, "href")), "/tags/")):
			p.Tags = append(p.Tags, textContent(n))
			drop = append(drop, n)
		case strings.Contains(cls, "reading-time") || strings.Contains(cls, "readtime") || strings.Contains(cls, "read-time"):
			if m := inlineReadingTime.FindStringSubmatch(textContent(n)); m != nil {
				p.ReadingTime = m[1]
			}
			drop = append(drop, n)
		}
	})
	for _, n := range drop {
		if n.Parent != nil {
			n.Parent.RemoveChild(n)
		}
	}
	p.Text = nodeToText(e)
	p.Summary = firstParagraph(p.Text)
	return p
}
