package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"path"
	"strings"
	"unicode/utf8"

	"github.com/semsearch/semsearch"
)

// Format is a source format, detected from content.
type Format string

// Formats Parse recognises.
const (
	FormatFeed     Format = "feed" // RSS, RDF, Atom, JSON Feed
	FormatOPML     Format = "opml"
	FormatHTML     Format = "html"     // article or listing page
	FormatMarkdown Format = "markdown" // with front matter
	FormatText     Format = "text"     // plain text or Markdown, maybe a listing
)

// ErrEmpty is returned (wrapped) for a source with no content.
var ErrEmpty = errors.New("empty source")

// ErrDraft is returned (wrapped) by Parse for a Markdown document whose
// front matter marks it unpublished ("draft: true", or Jekyll's
// "published: false"); static site generators leave such files out, and so
// does ingest. Ingester.Load reports the source as skipped, not failed.
var ErrDraft = errors.New("a draft (its front matter says draft: true)")

// ErrOPML is returned (wrapped) by Parse for an OPML subscription list,
// which names feeds rather than holding posts; Ingester.Load expands it.
var ErrOPML = errors.New("opml subscription list: load it with Ingester.Load to fetch its feeds")

// Detect returns the format of data, judged from its content only.
func Detect(data []byte) Format {
	t := bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\ufeff")), " \t\r\n")
	switch {
	case len(t) == 0:
		return FormatText
	case t[0] == '{':
		return FormatFeed
	case bytes.HasPrefix(t, []byte("---\n")), bytes.HasPrefix(t, []byte("---\r\n")),
		bytes.HasPrefix(t, []byte("+++\n")), bytes.HasPrefix(t, []byte("+++\r\n")):
		return FormatMarkdown
	case t[0] != '<':
		return FormatText
	}
	root := strings.ToLower(rootElement(head(t, 64<<10)))
	switch {
	case root == "opml":
		return FormatOPML
	case root == "rss" || root == "feed" || root == "rdf:rdf" || root == "rdf" || strings.HasSuffix(root, ":rdf"):
		return FormatFeed
	case root == "html" || root == "" || isHTMLTag(root):
		return FormatHTML
	}
	// Some other XML document: let the feed parser say what is wrong.
	return FormatFeed
}

// rootElement returns the name of the first element, skipping the XML
// declaration, processing instructions, comments and DOCTYPE. For HTML
// starting with <!DOCTYPE html> it returns "html".
func rootElement(b []byte) string {
	for len(b) > 0 {
		i := bytes.IndexByte(b, '<')
		if i < 0 || i+1 >= len(b) {
			return ""
		}
		b = b[i+1:]
		switch {
		case b[0] == '?':
			if j := bytes.Index(b, []byte("?>")); j >= 0 {
				b = b[j+2:]
				continue
			}
			return ""
		case bytes.HasPrefix(b, []byte("!--")):
			if j := bytes.Index(b, []byte("-->")); j >= 0 {
				b = b[j+3:]
				continue
			}
			return ""
		case b[0] == '!':
			if len(b) >= 13 && strings.EqualFold(string(b[:13]), "!doctype html") {
				return "html"
			}
			if j := bytes.IndexByte(b, '>'); j >= 0 {
				b = b[j+1:]
				continue
			}
			return ""
		}
		end := bytes.IndexAny(b, " \t\r\n/>")
		if end < 0 {
			return string(b)
		}
		return string(b[:end])
	}
	return ""
}

func isHTMLTag(name string) bool {
	switch name {
	case "head", "body", "meta", "title", "link", "div", "p", "script", "style", "article", "main", "section", "h1", "h2", "header", "table", "span", "a", "ul":
		return true
	}
	return false
}

// Parse detects the format of data from its content and parses it into
// posts; base (a URL, or a file:// URL for local files) resolves relative
// links and names the source. It returns an error, and no posts, when data
// is not a supported format, is malformed, or holds no posts.
func Parse(data []byte, base string) ([]semsearch.Post, error) {
	posts, _, err := parse(data, base)
	return posts, err
}

// parse is Parse that also returns the feeds an HTML page advertises.
func parse(data []byte, base string) ([]semsearch.Post, []string, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, nil, ErrEmpty
	}
	switch f := Detect(data); f {
	case FormatFeed:
		posts, err := parseFeed(data, base)
		return posts, nil, err
	case FormatOPML:
		return nil, nil, ErrOPML
	case FormatHTML:
		page, err := parseHTMLPage(data, base)
		if err != nil {
			return nil, page.feeds, err
		}
		return page.posts, page.feeds, nil
	case FormatMarkdown:
		posts, err := parseMarkdown(data, base)
		return posts, nil, err
	default:
		posts, err := parseText(data, base)
		return posts, nil, err
	}
}

// parseMarkdown parses one Markdown document with front matter.
func parseMarkdown(data []byte, base string) ([]semsearch.Post, error) {
	fm, body, _, err := splitFrontMatter(data)
	if err != nil {
		return nil, err
	}
	if fm.Draft {
		return nil, ErrDraft
	}
	p := textPost(body, base)
	if fm.Title != "" {
		// The front matter names the title: keep the whole body as text,
		// minus a first heading that repeats it.
		p.Title = fm.Title
		p.Text = dropLeadingTitle(markdownToText(string(body)), fm.Title)
	}
	p.Published, p.Updated = fm.Date, fm.Updated
	p.Authors, p.Tags = fm.Authors, fm.Tags
	if fm.Summary != "" {
		p.Summary = fm.Summary
	}
	if fm.URL != "" {
		if u := resolveURL(fm.URL, base); u != "" {
			p.URL = u
		}
	}
	if strings.TrimSpace(p.Text) == "" && p.Title == "" {
		return nil, fmt.Errorf("markdown document has no content: %w", ErrEmpty)
	}
	finishPost(&p, "")
	return []semsearch.Post{p}, nil
}

// parseText parses plain text or Markdown without front matter: a blog
// listing becomes one post per entry, anything else one post.
func parseText(data []byte, base string) ([]semsearch.Post, error) {
	if !utf8.Valid(data) {
		data = decodeHTML(data) // same sniffing; never HTML-specific
	}
	if posts, ok := splitTextListing(string(data)); ok {
		if len(posts) == 0 {
			return nil, fmt.Errorf("listing has no entries: %w", ErrEmpty)
		}
		src := semsearch.Source{Title: sourceName(base), URL: base}
		for i := range posts {
			posts[i].Source = src
			finishPost(&posts[i], "")
		}
		return posts, nil
	}
	p := textPost(data, base)
	if p.Text == "" {
		return nil, ErrEmpty
	}
	finishPost(&p, "")
	return []semsearch.Post{p}, nil
}

// textPost builds a single post from Markdown/plain text. Its title is a
// leading "# Title" heading or a short first line standing alone; the URL
// is base (the document itself) when base is absolute.
func textPost(body []byte, base string) semsearch.Post {
	text := markdownToText(string(body))
	p := semsearch.Post{URL: resolveURL(base), Source: semsearch.Source{Title: sourceName(base), URL: base}}
	first, rest, _ := strings.Cut(text, "\n\n")
	level, heading, isHeading := semsearch.HeadingLine(first)
	switch {
	case isHeading && level == 1:
		p.Title, text = heading, rest
	case !isHeading && !strings.HasPrefix(first, "- ") && !semsearch.IsFence(first) &&
		utf8.RuneCountInString(first) <= 120 && !strings.HasSuffix(first, ".") && rest != "":
		p.Title, text = first, rest
	}
	p.Text = text
	return p
}

// dropLeadingTitle drops the first block of text when it repeats title,
// as a heading or a paragraph.
func dropLeadingTitle(text, title string) string {
	first, rest, _ := strings.Cut(text, "\n\n")
	if _, heading, ok := semsearch.HeadingLine(first); ok {
		first = heading
	}
	if strings.EqualFold(strings.TrimSpace(first), title) {
		return rest
	}
	return text
}

// sourceName is a readable name for a source given as a URL or path.
func sourceName(base string) string {
	if base == "" {
		return ""
	}
	return path.Base(strings.TrimSuffix(base, "/"))
}
