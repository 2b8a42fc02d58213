package search

import (
	"context"
	"fmt"
	"math"
	"sync"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/internal/vecmath"
)

// relatedCorpus is what the related ranking reads of the whole index: every
// post's chunk vectors with the centring terms, and the posts' bags of
// words. It is built from one AllPostVectors snapshot and never changed
// after; relatedCache keeps the latest one.
type relatedCorpus struct {
	posts []semsearch.PostVectors // sorted by post ID
	byID  map[string]int

	// Centring: cosines are taken after subtracting mu, the mean of every
	// chunk vector, which removes the direction all texts of one model and
	// one corpus share (see related.go).
	mu   []float32
	mu2  float32     // |mu|²
	dotM [][]float32 // by post, by chunk: v·mu
	norm [][]float32 // by post, by chunk: |v - mu|

	terms *termIndex
}

// relatedCache holds the corpus of the latest call, rebuilt when a post
// changed. The zero value is ready to use.
type relatedCache struct {
	mu      sync.Mutex
	corpus  *relatedCorpus
	version int64 // of the store when corpus was built; -1: not known
	vocab   vocabulary
}

// current returns a corpus matching the store now: the cached one when no
// post changed since it was built (the store's version says so without a
// snapshot when it has one), else a new one that reuses the bags of words
// of unchanged posts and reads the text of the others.
func (c *relatedCache) current(ctx context.Context, store Index, lister PostVectorLister) (*relatedCorpus, error) {
	version := int64(-1)
	if v, ok := lister.(PostVectorsVersioner); ok {
		// Read before the snapshot: a change after it makes the next call
		// rebuild, never keep a stale corpus.
		ver, err := v.PostVectorsVersion(ctx)
		if err != nil {
			return nil, err
		}
		c.mu.Lock()
		if c.corpus != nil && c.version >= 0 && c.version == ver {
			defer c.mu.Unlock()
			return c.corpus, nil
		}
		c.mu.Unlock()
		version = ver
	}
	snap, err := lister.AllPostVectors(ctx)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.corpus
	if old != nil && sameVectors(old.posts, snap) {
		c.version = version
		return old, nil
	}
	docs := make([]termDoc, len(snap))
	var changed []string
	for i, pv := range snap {
		if old != nil {
			if j, ok := old.byID[pv.PostID]; ok && sameVectors(old.posts[j:j+1], snap[i:i+1]) {
				docs[i] = old.terms.docs[j]
				continue
			}
		}
		changed = append(changed, pv.PostID)
	}
	if len(changed) > 0 {
		// A post deleted since the snapshot is absent from both: no words.
		meta, err := store.PostMeta(ctx, changed...)
		if err != nil {
			return nil, fmt.Errorf("read posts for related posts: %w", err)
		}
		texts, err := store.PostTexts(ctx, changed...)
		if err != nil {
			return nil, fmt.Errorf("read posts for related posts: %w", err)
		}
		for i, pv := range snap {
			if text, ok := texts[pv.PostID]; ok {
				docs[i] = c.vocab.bag(meta[pv.PostID].Title + "\n" + text)
			}
		}
	}
	c.vocab.compact(docs)
	rc := &relatedCorpus{posts: snap, byID: make(map[string]int, len(snap))}
	for i, pv := range snap {
		rc.byID[pv.PostID] = i
	}
	rc.centre()
	rc.terms = newTermIndex(docs, len(c.vocab.words))
	c.corpus, c.version = rc, version
	return rc, nil
}

// sameVectors reports whether two snapshots hold the same posts with the
// same vectors: same IDs and content hashes, and the very same vector
// memory (a stored post's vectors are replaced, never written, so identity
// means equality).
func sameVectors(a, b []semsearch.PostVectors) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := &a[i], &b[i]
		if x.PostID != y.PostID || x.ContentHash != y.ContentHash || len(x.Vecs) != len(y.Vecs) {
			return false
		}
		for j := range x.Vecs {
			if len(x.Vecs[j]) == 0 || len(y.Vecs[j]) == 0 || &x.Vecs[j][0] != &y.Vecs[j][0] {
				return false
			}
		}
	}
	return true
}

// centre computes mu and, for every chunk, v·mu and |v - mu|.
func (rc *relatedCorpus) centre() {
	var sum []float64
	n := 0
	for _, pv := range rc.posts {
		for _, v := range pv.Vecs {
			if sum == nil {
				sum = make([]float64, len(v))
			}
			for i, f := range v[:len(sum)] {
				sum[i] += float64(f)
			}
			n++
		}
	}
	rc.mu = make([]float32, len(sum))
	var mu2 float64
	for i, s := range sum {
		rc.mu[i] = float32(s / float64(n))
		mu2 += float64(rc.mu[i]) * float64(rc.mu[i])
	}
	rc.mu2 = float32(mu2)
	rc.dotM = make([][]float32, len(rc.posts))
	rc.norm = make([][]float32, len(rc.posts))
	for p, pv := range rc.posts {
		rc.dotM[p] = make([]float32, len(pv.Vecs))
		rc.norm[p] = make([]float32, len(pv.Vecs))
		for j, v := range pv.Vecs {
			m := vecmath.Dot(rc.mu, v)
			rc.dotM[p][j] = m
			rc.norm[p][j] = centredNorm(m, rc.mu2)
		}
	}
}

// centredNorm is |v - mu| for a unit vector v with v·mu = m.
func centredNorm(m, mu2 float32) float32 {
	return float32(math.Sqrt(math.Max(float64(1-2*m+mu2), 1e-12)))
}
