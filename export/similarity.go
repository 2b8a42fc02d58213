package export

import (
	"crypto/sha256"
	"strings"

	"github.com/semsearch/semsearch"
)

// shingleWords is the length of the word shingles resemblance compares:
// long enough that shared phrases, not shared vocabulary, make posts alike.
const shingleWords = 4

// postInfo is a post with what duplicate detection needs.
type postInfo struct {
	post     semsearch.Post
	words    [32]byte // SHA-256 of the text's words: same words, same key
	hasWords bool
	shingles map[uint64]struct{} // hashed word shingles of the text
}

func newPostInfo(p semsearch.Post) *postInfo {
	ws := semsearch.Words(p.Text)
	info := &postInfo{words: sha256.Sum256([]byte(strings.Join(ws, " "))), hasWords: len(ws) > 0, shingles: map[uint64]struct{}{}}
	p.Text = "" // the text is not kept
	info.post = p
	if len(ws) < shingleWords {
		if len(ws) > 0 {
			info.shingles[hash(ws)] = struct{}{}
		}
		return info
	}
	for i := 0; i+shingleWords <= len(ws); i++ {
		info.shingles[hash(ws[i:i+shingleWords])] = struct{}{}
	}
	return info
}

// hash is 64-bit FNV-1a over the words, separated.
func hash(ws []string) uint64 {
	h := uint64(14695981039346656037)
	for _, w := range ws {
		for i := 0; i < len(w); i++ {
			h ^= uint64(w[i])
			h *= 1099511628211
		}
		h ^= ' '
		h *= 1099511628211
	}
	return h
}

// resemblance is the Jaccard similarity of two posts' shingle sets, 0..1.
func resemblance(a, b *postInfo) float64 {
	if len(a.shingles) == 0 || len(b.shingles) == 0 {
		return 0
	}
	small, large := a.shingles, b.shingles
	if len(small) > len(large) {
		small, large = large, small
	}
	inter := 0
	for s := range small {
		if _, ok := large[s]; ok {
			inter++
		}
	}
	return float64(inter) / float64(len(a.shingles)+len(b.shingles)-inter)
}

// sameContent reports whether two posts are copies of each other: the same
// URL, content hash or words, or a resemblance of at least near.
func sameContent(a, b *postInfo, near float64) bool {
	switch {
	case a.post.URL != "" && a.post.URL == b.post.URL,
		a.post.ContentHash != "" && a.post.ContentHash == b.post.ContentHash,
		a.hasWords && a.words == b.words:
		return true
	}
	return resemblance(a, b) >= near
}
