package ingest

import (
	"errors"
	"fmt"

	"github.com/semsearch/semsearch"
)

// What the sources stage (subscriptions, polling, crawling) needs beyond
// Load: parsing a body it fetched itself, and the feeds a page or an OPML
// list names.

// ParseSource is Parse that also returns the feeds an HTML page advertises
// (absolute http(s) URLs when base is one). A page that advertises feeds
// but holds no readable posts returns them with its error.
func ParseSource(data []byte, base string) ([]semsearch.Post, []string, error) {
	posts, feeds, err := parse(data, base)
	if isURL(base) {
		feeds = remoteOnly(feeds)
	}
	return posts, feeds, err
}

// OPMLFeeds returns the feeds an OPML subscription list names, in document
// order, resolved against base (the list's URL, or file URL). A remote list
// may only name http(s) feeds: other entries are skipped and reported in
// the joined error, which is nil when every entry resolved.
func OPMLFeeds(data []byte, base string) ([]string, error) {
	feeds, err := parseOPML(data)
	if err != nil {
		return nil, err
	}
	var out []string
	var errs []error
	for _, f := range feeds {
		target, err := opmlTarget(f.URL, base)
		if err != nil {
			errs = append(errs, fmt.Errorf("opml entry %q: %w", f.URL, err))
			continue
		}
		out = append(out, target)
	}
	return out, errors.Join(errs...)
}
