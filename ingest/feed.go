package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/mmcdole/gofeed"
	"github.com/semsearch/semsearch"
)

// parseFeed parses RSS, Atom or JSON Feed data with gofeed. Each item's
// full content (content:encoded, atom content, content_html) is preferred
// over its description/summary, which becomes Post.Summary.
func parseFeed(data []byte, base string) ([]semsearch.Post, error) {
	if len(bytes.TrimSpace(data)) > 0 && bytes.TrimSpace(data)[0] == '<' {
		if err := checkXML(data); err != nil {
			return nil, err
		}
		var err error
		if data, err = xmlToUTF8(data); err != nil {
			return nil, err
		}
		data = dropEscapesAndNUL(data)
	}
	fp := gofeed.NewParser()
	feed, err := fp.Parse(bytes.NewReader(data))
	if err != nil {
		if errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
			return nil, fmt.Errorf("not a feed: %w", err)
		}
		return nil, fmt.Errorf("parse %s feed: %w", feedKind(data), err)
	}
	src := semsearch.Source{Title: feed.Title}
	src.URL = firstNonEmpty(resolveURL(feed.FeedLink, base), base)
	siteBase := firstNonEmpty(resolveURL(feed.Link, base), base)
	posts := make([]semsearch.Post, 0, len(feed.Items))
	for _, it := range feed.Items {
		if it == nil {
			continue
		}
		p := semsearch.Post{Source: src, Title: it.Title}
		p.URL = resolveURL(it.Link, siteBase, base)
		if p.URL == "" && len(it.Links) > 0 {
			p.URL = resolveURL(it.Links[0], siteBase, base)
		}
		for _, a := range it.Authors {
			if a != nil {
				p.Authors = append(p.Authors, firstNonEmpty(a.Name, a.Email))
			}
		}
		if len(p.Authors) == 0 && it.DublinCoreExt != nil {
			p.Authors = append(p.Authors, it.DublinCoreExt.Creator...)
		}
		if len(p.Authors) == 0 {
			for _, a := range feed.Authors {
				if a != nil {
					p.Authors = append(p.Authors, firstNonEmpty(a.Name, a.Email))
				}
			}
		}
		if it.PublishedParsed != nil {
			p.Published = *it.PublishedParsed
		}
		if it.UpdatedParsed != nil {
			p.Updated = *it.UpdatedParsed
		}
		p.Tags = it.Categories
		body, summary := it.Content, it.Description
		if strings.TrimSpace(body) == "" {
			body, summary = it.Description, ""
		}
		p.Text = contentToText(body)
		if summary != "" {
			p.Summary = firstParagraph(contentToText(summary))
		}
		if strings.TrimSpace(p.Title) == "" && p.Text == "" {
			continue // nothing to index
		}
		guid := it.GUID
		finishPost(&p, guid)
		posts = append(posts, p)
	}
	if len(posts) == 0 {
		if t := cleanLine(feed.Title); t != "" {
			return nil, fmt.Errorf("%s feed %q has no entries: %w", feedKind(data), t, ErrEmpty)
		}
		return nil, fmt.Errorf("%s feed has no entries: %w", feedKind(data), ErrEmpty)
	}
	return posts, nil
}

// contentToText cleans feed content, which may be HTML, Markdown (some
// JSON Feeds put Markdown in content_html) or plain text.
func contentToText(s string) string {
	if looksLikeHTML(s) {
		return htmlToText(s)
	}
	return markdownToText(decodeEntities(s))
}

// firstParagraph is the first block of clean text without its heading or
// list marker.
func firstParagraph(text string) string {
	para, _, _ := strings.Cut(text, "\n\n")
	return blockText(para)
}

func feedKind(data []byte) string {
	switch gofeed.DetectFeedType(bytes.NewReader(head(data, 4096))) {
	case gofeed.FeedTypeAtom:
		return "atom"
	case gofeed.FeedTypeRSS:
		return "rss"
	case gofeed.FeedTypeJSON:
		return "json"
	}
	return "unknown"
}

func head(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}
