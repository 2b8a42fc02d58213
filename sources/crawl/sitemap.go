package crawl

import (
	"bytes"
	"compress/gzip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// SitemapEntry is one <url> of a sitemap or one <sitemap> of an index.
type SitemapEntry struct {
	Loc     string
	Lastmod string // as written; "" when absent
}

// Sitemap is a parsed sitemap document: a urlset (URLs) or a sitemap
// index (Sitemaps).
type Sitemap struct {
	URLs     []SitemapEntry
	Sitemaps []SitemapEntry
}

// ErrNotSitemap is returned (wrapped) for a document that is neither a
// urlset nor a sitemapindex.
var ErrNotSitemap = errors.New("not a sitemap")

var gzipMagic = []byte{0x1f, 0x8b}

// IsSitemap reports whether data (maybe gzip-compressed) is a sitemap or a
// sitemap index, judged from its root element.
func IsSitemap(data []byte) bool {
	if bytes.HasPrefix(data, gzipMagic) {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return false
		}
		head := make([]byte, 4096)
		n, _ := io.ReadFull(zr, head)
		data = head[:n]
	}
	root := rootName(data)
	return root == "urlset" || root == "sitemapindex"
}

// rootName is the local name of the first element of an XML document.
func rootName(data []byte) string {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = false
	dec.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	for i := 0; i < 64; i++ {
		tok, err := dec.Token()
		if err != nil {
			return ""
		}
		if se, ok := tok.(xml.StartElement); ok {
			return strings.ToLower(se.Name.Local)
		}
	}
	return ""
}

// ParseSitemap parses a sitemap or sitemap index, gunzipping it first when
// it is gzip data. It reads at most maxEntries entries (the rest are
// dropped and truncated is true) and at most maxBytes of decompressed XML
// (more is an error). Entries keep document order; locations are trimmed
// but not validated.
func ParseSitemap(data []byte, maxEntries int, maxBytes int64) (sm Sitemap, truncated bool, err error) {
	var r io.Reader = bytes.NewReader(data)
	if bytes.HasPrefix(data, gzipMagic) {
		zr, err := gzip.NewReader(r)
		if err != nil {
			return sm, false, fmt.Errorf("gunzip sitemap: %w", err)
		}
		defer zr.Close()
		r = zr
	}
	lr := &limitedReader{r: r, left: maxBytes}
	dec := xml.NewDecoder(lr)
	dec.Strict = false
	dec.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	root := ""
	var cur *SitemapEntry
	field := ""
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if lr.over {
				return sm, truncated, fmt.Errorf("sitemap larger than %d bytes uncompressed", maxBytes)
			}
			if root == "" {
				return sm, false, fmt.Errorf("parse sitemap: %w", err)
			}
			break // keep what was read before the damage
		}
		switch t := tok.(type) {
		case xml.StartElement:
			name := strings.ToLower(t.Name.Local)
			switch {
			case root == "":
				if name != "urlset" && name != "sitemapindex" {
					return sm, false, fmt.Errorf("root element <%s>: %w", t.Name.Local, ErrNotSitemap)
				}
				root = name
			case (name == "url" && root == "urlset") || (name == "sitemap" && root == "sitemapindex"):
				cur = &SitemapEntry{}
			case cur != nil && (name == "loc" || name == "lastmod"):
				field = name
			}
		case xml.EndElement:
			name := strings.ToLower(t.Name.Local)
			switch {
			case name == "loc" || name == "lastmod":
				field = ""
			case cur != nil && (name == "url" || name == "sitemap"):
				if cur.Loc != "" {
					if len(sm.URLs)+len(sm.Sitemaps) >= maxEntries {
						return sm, true, nil
					}
					if root == "urlset" {
						sm.URLs = append(sm.URLs, *cur)
					} else {
						sm.Sitemaps = append(sm.Sitemaps, *cur)
					}
				}
				cur = nil
			}
		case xml.CharData:
			if cur == nil {
				continue
			}
			switch field {
			case "loc":
				cur.Loc += strings.TrimSpace(string(t))
			case "lastmod":
				cur.Lastmod += strings.TrimSpace(string(t))
			}
		}
	}
	if root == "" {
		return sm, false, ErrNotSitemap
	}
	return sm, false, nil
}

// limitedReader fails once more than left bytes are read.
type limitedReader struct {
	r    io.Reader
	left int64
	over bool
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		l.over = true
		return 0, errors.New("too large")
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}
