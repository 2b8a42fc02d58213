package ingest

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"
)

// maxOPMLFeeds bounds how many feeds one subscription list may name.
const maxOPMLFeeds = 10000

type opmlOutline struct {
	Type     string        `xml:"type,attr"`
	Text     string        `xml:"text,attr"`
	Title    string        `xml:"title,attr"`
	XMLURL   string        `xml:"xmlUrl,attr"`
	HTMLURL  string        `xml:"htmlUrl,attr"`
	URL      string        `xml:"url,attr"`
	Outlines []opmlOutline `xml:"outline"`
}

// opmlFeed is one subscription of an OPML list.
type opmlFeed struct {
	Title string
	URL   string // as written: absolute URL or a path relative to the list
}

// parseOPML returns the feeds of an OPML subscription list, in document
// order, without duplicates. Outlines of type "link"/"include" with a url
// attribute are taken too.
func parseOPML(data []byte) ([]opmlFeed, error) {
	if err := checkXML(data); err != nil {
		return nil, err
	}
	data, err := xmlToUTF8(data)
	if err != nil {
		return nil, err
	}
	var doc struct {
		XMLName xml.Name      `xml:"opml"`
		Body    []opmlOutline `xml:"body>outline"`
	}
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = false
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("parse opml: %w", err)
	}
	var feeds []opmlFeed
	seen := map[string]bool{}
	var walk func([]opmlOutline, int)
	walk = func(os []opmlOutline, depth int) {
		if depth > 50 {
			return
		}
		for _, o := range os {
			u := strings.TrimSpace(firstNonEmpty(o.XMLURL, o.URL))
			if u != "" && !seen[u] && len(feeds) < maxOPMLFeeds {
				seen[u] = true
				feeds = append(feeds, opmlFeed{Title: firstNonEmpty(o.Title, o.Text), URL: u})
			}
			walk(o.Outlines, depth+1)
		}
	}
	walk(doc.Body, 0)
	if len(feeds) == 0 {
		return nil, fmt.Errorf("opml lists no feeds: %w", ErrEmpty)
	}
	return feeds, nil
}
