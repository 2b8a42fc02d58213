package index

import (
	"strings"

	"github.com/semsearch/semsearch"
)

// filterActive reports whether f narrows anything.
func filterActive(f semsearch.Filter) bool {
	return f.Source != "" || f.Author != "" || f.Tag != "" || !f.Since.IsZero() || !f.Until.IsZero()
}

// matches reports whether p passes every non-zero field of f. Source,
// author and tag compare case-insensitively and exactly (Source against the
// source title or URL); a date bound excludes posts without a date.
func matches(p *semsearch.Post, f semsearch.Filter) bool {
	if f.Source != "" && !strings.EqualFold(p.Source.Title, f.Source) && !strings.EqualFold(p.Source.URL, f.Source) {
		return false
	}
	if f.Author != "" && !containsFold(p.Authors, f.Author) {
		return false
	}
	if f.Tag != "" && !containsFold(p.Tags, f.Tag) {
		return false
	}
	if !f.Since.IsZero() && (p.Published.IsZero() || p.Published.Before(f.Since)) {
		return false
	}
	if !f.Until.IsZero() && (p.Published.IsZero() || p.Published.After(f.Until)) {
		return false
	}
	return true
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(strings.TrimSpace(v), strings.TrimSpace(s)) {
			return true
		}
	}
	return false
}
