package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
)

// maxXMLDepth is the deepest element nesting accepted in an XML source;
// real feeds stay under 20.
const maxXMLDepth = 200

// ErrUnsafeXML is returned (wrapped) for XML refused before parsing:
// entity declarations (entity-expansion "billion laughs" attacks) or
// absurd nesting.
var ErrUnsafeXML = errors.New("unsafe XML")

// checkXML is a cheap linear pre-check run before any XML parser sees data.
// encoding/xml (under gofeed) does not expand DTD entities, but a document
// declaring them is hostile or broken either way, and deep nesting costs
// memory in every tree-building parser.
func checkXML(data []byte) error {
	if bytes.Contains(data, []byte("<!ENTITY")) || bytes.Contains(data, []byte("<!entity")) {
		return fmt.Errorf("%w: DTD entity declarations are refused", ErrUnsafeXML)
	}
	depth := 0
	for i := 0; i < len(data); i++ {
		if data[i] != '<' || i+1 >= len(data) {
			continue
		}
		switch c := data[i+1]; {
		case c == '/':
			if depth > 0 {
				depth--
			}
		case c == '!':
			// Comment, CDATA or DOCTYPE: skip to its end so markup inside
			// does not count.
			end := "-->"
			if bytes.HasPrefix(data[i:], []byte("<![CDATA[")) {
				end = "]]>"
			} else if !bytes.HasPrefix(data[i:], []byte("<!--")) {
				end = ">"
			}
			j := bytes.Index(data[i:], []byte(end))
			if j < 0 {
				return nil // unterminated: the parser will report it
			}
			i += j
		case c == '?':
		case isNameStart(c):
			j := bytes.IndexByte(data[i:], '>')
			if j < 0 {
				return nil
			}
			if data[i+j-1] != '/' {
				depth++
				if depth > maxXMLDepth {
					return fmt.Errorf("%w: elements nested deeper than %d", ErrUnsafeXML, maxXMLDepth)
				}
			}
			i += j
		}
	}
	return nil
}

func isNameStart(c byte) bool {
	return c == '_' || c == ':' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80
}

var xmlDeclEncoding = regexp.MustCompile(`^(<\?xml[^>]*?encoding\s*=\s*["'])([^"']*)(["'])`)

// xmlToUTF8 returns data as UTF-8 with an XML declaration that says so, so
// the XML parser never trusts a wrong encoding label. Valid UTF-8 wins over
// the declaration (the common mistake is UTF-8 bytes labelled ISO-8859-1);
// otherwise the declared label is used when known, else Windows-1252, the
// usual encoding of unlabelled legacy feeds.
func xmlToUTF8(data []byte) ([]byte, error) {
	m := xmlDeclEncoding.FindSubmatchIndex(data)
	label := ""
	if m != nil {
		label = strings.ToLower(strings.TrimSpace(string(data[m[4]:m[5]])))
	}
	if utf8.Valid(data) {
		if m == nil || label == "utf-8" || label == "utf8" {
			return data, nil
		}
		return relabel(data, m), nil
	}
	var enc encoding.Encoding = charmap.Windows1252
	if label != "" && label != "utf-8" && label != "utf8" { // invalid UTF-8 cannot be UTF-8
		if e, _ := charset.Lookup(label); e != nil {
			enc = e
		}
	}
	out, err := enc.NewDecoder().Bytes(data)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", label, err)
	}
	if m = xmlDeclEncoding.FindSubmatchIndex(out); m != nil {
		out = relabel(out, m)
	}
	return out, nil
}

func relabel(data []byte, m []int) []byte {
	out := make([]byte, 0, len(data))
	out = append(out, data[:m[4]]...)
	out = append(out, "UTF-8"...)
	return append(out, data[m[5]:]...)
}
