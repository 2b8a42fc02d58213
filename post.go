// Package semsearch holds the domain types shared by every stage of the flow
// (source → ingest → chunk → embed → index → search → server/cli/web).
// It imports only the standard library; stage packages import it and never
// reach into each other's internals.
package semsearch

import (
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// Post is one blog post as produced by ingest: clean text plus metadata.
//
// Text is the clean text the chunker consumes. Its structure is line based:
// a heading is a line of its own starting with 1–6 '#' and a space
// ("## Section"); paragraphs and list items ("- item") are separated by a
// blank line; code blocks are fenced with ``` lines, and '#' lines inside a
// fence are not headings. Text is NFC-normalised with entities decoded.
type Post struct {
	// ID is stable across re-ingests: feed GUID, else canonical absolute URL,
	// else "sha256:"+ContentHash.
	ID           string    `json:"id"`
	Title        string    `json:"title"`
	TitleDerived bool      `json:"title_derived,omitempty"` // title made from the first sentence
	URL          string    `json:"url,omitempty"`           // absolute, resolved against the source base
	Authors      []string  `json:"authors,omitempty"`
	Published    time.Time `json:"published,omitzero"`
	Updated      time.Time `json:"updated,omitzero"`
	Tags         []string  `json:"tags,omitempty"`
	Summary      string    `json:"summary,omitempty"`
	ReadingTime  string    `json:"reading_time,omitempty"` // as printed by the source, e.g. "4 minutes"
	Source       Source    `json:"source"`
	Text         string    `json:"text"`
	// ContentHash is the hex SHA-256 of Title+"\n"+Text; a re-ingest with the
	// same hash changes nothing.
	ContentHash string `json:"content_hash"`
}

// Source names where a post came from: the feed or page title and its URL
// (or file path).
type Source struct {
	Title string `json:"title,omitempty"`
	URL   string `json:"url,omitempty"`
}

// Chunk is one passage of a post, sized for the embedder.
type Chunk struct {
	// ID is deterministic: derived from PostID and Ordinal only.
	ID      string `json:"id"`
	PostID  string `json:"post_id"`
	Ordinal int    `json:"ordinal"` // 0-based position within the post
	Heading string `json:"heading,omitempty"`
	Text    string `json:"text"`
	// Start and End are byte offsets of Text within Post.Text (End exclusive).
	Start int `json:"start"`
	End   int `json:"end"`
	// Context is what gets embedded: post title, section heading and Text.
	Context string `json:"-"`
}

// ContentHash is the value of Post.ContentHash for a title and clean text.
func ContentHash(title, text string) string {
	sum := sha256.Sum256([]byte(title + "\n" + text))
	return hex.EncodeToString(sum[:])
}
