package search

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/index"
)

// hashEmbedder embeds a text as its hashed bag of words (feature hashing:
// each word adds ±1 on two of hashDims axes), so texts sharing words are
// close, copies are identical and texts on different subjects are nearly
// orthogonal. It knows nothing of synonyms.
type hashEmbedder struct{}

const hashDims = 64

func (hashEmbedder) Model() string { return "hash-fake" }
func (hashEmbedder) Dims() int     { return hashDims }
func (e hashEmbedder) EmbedPassages(_ context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		out[i] = e.embed(t)
	}
	return out, nil
}
func (e hashEmbedder) EmbedQuery(_ context.Context, text string) ([]float32, error) {
	return e.embed(text), nil
}
func (hashEmbedder) embed(text string) []float32 {
	v := make([]float32, hashDims)
	for _, w := range semsearch.Words(text) {
		if semsearch.IsStopword(w) {
			continue
		}
		h := fnv.New64a()
		h.Write([]byte(w))
		x := h.Sum64()
		for k := range 2 {
			axis, sign := int(x>>(8*k)%hashDims), float32(1)
			if x>>(32+k)&1 == 1 {
				sign = -1
			}
			v[axis] += sign
		}
	}
	v[hashDims-1] += 0.1 // never the zero vector
	return v
}

type relDoc struct {
	id, title string
	hash      string // "" = derived from the text
	chunks    []string
}

// Three subjects: storage durability, Raft, and baking (off-topic).
var (
	fsyncChunks = []string{
		"fsync flushes the page cache to disk so a write survives a crash or power loss",
		"a write ahead log journal lets sqlite recover committed transactions after a crash",
		"disks lie about flushes; durability needs fsync on the file and its directory",
	}
	walChunks = []string{
		"the wal journal appends every committed page write before the checkpoint copies pages to the database file",
		"after a crash sqlite replays the wal journal; fsync of the wal makes a commit durable",
	}
	raftChunks = []string{
		"raft elects a leader: a follower that misses heartbeats becomes a candidate and asks for votes in a new term",
		"the leader replicates log entries to followers and commits an entry once a majority stored it",
	}
	relatedCorpusDocs = []relDoc{
		{id: "fsync", title: "How safe is fsync", chunks: fsyncChunks},
		{id: "wal", title: "Write ahead logging in SQLite", chunks: walChunks},
		{id: "wal-copy", title: "Write ahead logging in SQLite (repost)", chunks: walChunks}, // same text, another hash
		{id: "wal-twin", title: "Write ahead logging in SQLite", hash: "same", chunks: walChunks[:1]},
		{id: "wal-twin2", title: "Write ahead logging in SQLite, once more", hash: "same", chunks: walChunks[:1]}, // same content hash as wal-twin
		{id: "raft", title: "Understanding Raft", chunks: raftChunks},
		// A listing entry: the title and a one-sentence summary.
		{id: "raft-summary", title: "Raft in practice", chunks: []string{"Raft in practice: how a leader election and log replication work among followers"}},
		// A long post on two subjects.
		{id: "mixed", title: "Notes on distributed storage", chunks: []string{fsyncChunks[2] + " and checksums catch torn pages", raftChunks[1] + " so a minority can lag", "the quorum size decides how many replicas can fail"}},
		{id: "bread", title: "Baking sourdough", chunks: []string{
			"a sourdough starter of flour and water ferments for days before the dough is mixed",
			"bake the loaf in a hot dutch oven until the crust is dark and the crumb is open",
		}},
	}
)

func newRelatedSearcher(t testing.TB, docs []relDoc, opts Options) (*Searcher, *index.Store) {
	t.Helper()
	ctx := context.Background()
	st, err := index.Open(ctx, t.TempDir(), "hash-fake", hashDims)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	for _, d := range docs {
		putRelDoc(t, st, d)
	}
	return NewWithOptions(st, hashEmbedder{}, opts), st
}

func putRelDoc(t testing.TB, st *index.Store, d relDoc) {
	t.Helper()
	ctx := context.Background()
	hash := d.hash
	if hash == "" {
		hash = "hash:" + d.id + ":" + strings.Join(d.chunks, "|")
	}
	p := semsearch.Post{ID: d.id, Title: d.title, URL: "https://example.test/" + d.id, Text: strings.Join(d.chunks, "\n\n"), ContentHash: hash}
	var chunks []semsearch.Chunk
	var texts []string
	for i, c := range d.chunks {
		chunks = append(chunks, semsearch.Chunk{ID: fmt.Sprintf("%s#%d", d.id, i), PostID: d.id, Ordinal: i, Text: c})
		texts = append(texts, d.title+"\n"+c) // as chunk.Split's Context: title first
	}
	vecs, _ := hashEmbedder{}.EmbedPassages(ctx, texts)
	if err := st.Put(ctx, p, chunks, vecs); err != nil {
		t.Fatal(err)
	}
}

func related(t *testing.T, s *Searcher, id string, k int) []semsearch.Result {
	t.Helper()
	rs, err := s.Related(context.Background(), id, k)
	if err != nil {
		t.Fatalf("Related(%s): %v", id, err)
	}
	for i, r := range rs {
		if i > 0 && r.Score > rs[i-1].Score {
			t.Errorf("Related(%s): scores not descending: %v", id, scoresOf(rs))
		}
		if r.Score < -1 || r.Score > 1 || math.IsNaN(r.Score) {
			t.Errorf("Related(%s): score %v of %s outside [-1, 1]", id, r.Score, r.ID)
		}
		if len(r.Passages) == 0 {
			t.Errorf("Related(%s): %s has no passage", id, r.ID)
		}
		for _, p := range r.Passages {
			if strings.Contains(p.Highlight, "<mark>") {
				t.Errorf("Related(%s): highlighted passage %q", id, p.Highlight)
			}
		}
	}
	if len(rs) > k {
		t.Errorf("Related(%s, %d): %d results", id, k, len(rs))
	}
	return rs
}

func scoresOf(rs []semsearch.Result) []float64 {
	var out []float64
	for _, r := range rs {
		out = append(out, r.Score)
	}
	return out
}

func TestRelated_NeverThePostOrACopy(t *testing.T) {
	s, _ := newRelatedSearcher(t, relatedCorpusDocs, Options{Related: RelatedOptions{MinScore: -1}})
	for _, tt := range []struct {
		id      string
		exclude []string
	}{
		{"wal", []string{"wal", "wal-copy", "wal-twin", "wal-twin2"}}, // the post, a copy of its text, two summaries of it
		{"wal-copy", []string{"wal-copy", "wal", "wal-twin", "wal-twin2"}},
		{"wal-twin", []string{"wal-twin", "wal-twin2", "wal", "wal-copy"}}, // wal-twin2 has its content hash
		{"fsync", []string{"fsync"}},
	} {
		got := resultIDs(related(t, s, tt.id, 10))
		for _, id := range tt.exclude {
			if slices.Contains(got, id) {
				t.Errorf("Related(%s) = %v: contains %s", tt.id, got, id)
			}
		}
	}
}

func TestRelated_NearDuplicatesKeptApart(t *testing.T) {
	s, _ := newRelatedSearcher(t, relatedCorpusDocs, Options{Related: RelatedOptions{MinScore: -1}})
	got := resultIDs(related(t, s, "fsync", 10))
	copies := 0
	for _, id := range got {
		if strings.HasPrefix(id, "wal") {
			copies++
		}
	}
	if copies != 1 {
		t.Errorf("Related(fsync) = %v, want one of the four copies of the wal post, not more", got)
	}
	// Without near-duplicate detection (SameSim above any cosine) both
	// copies come back, side by side.
	s2, _ := newRelatedSearcher(t, relatedCorpusDocs, Options{Related: RelatedOptions{MinScore: -1, SameSim: 1.5}})
	got = resultIDs(related(t, s2, "fsync", 10))
	if !slices.Contains(got, "wal") || !slices.Contains(got, "wal-copy") {
		t.Errorf("Related(fsync) with SameSim 1.5 = %v, want both copies", got)
	}
}

func TestRelated_OffTopicPostGetsNone(t *testing.T) {
	s, _ := newRelatedSearcher(t, relatedCorpusDocs, Options{})
	if got := related(t, s, "bread", 5); len(got) != 0 {
		t.Errorf("Related(bread) = %v (scores %v), want none: nothing else is about baking", resultIDs(got), scoresOf(got))
	}
	// Its best scores, uncut, are below what on-topic posts get.
	all, _ := newRelatedSearcher(t, relatedCorpusDocs, Options{Related: RelatedOptions{MinScore: -1}})
	off := related(t, all, "bread", 3)
	on := related(t, all, "raft", 1)
	if len(off) == 0 || len(on) == 0 || off[0].Score >= DefaultRelatedOptions().MinScore || on[0].Score < 2*off[0].Score {
		t.Errorf("off-topic scores %v, on-topic best %v: want the off-topic ones under MinScore %v and far below",
			scoresOf(off), scoresOf(on), DefaultRelatedOptions().MinScore)
	}
}

func TestRelated_ListingEntriesAndLongPosts(t *testing.T) {
	s, _ := newRelatedSearcher(t, relatedCorpusDocs, Options{})
	tests := []struct {
		id    string
		first []string // the top results, in any order
		none  []string
	}{
		{"raft-summary", []string{"raft"}, []string{"bread"}}, // a one-chunk summary finds the full post
		{"raft", []string{"raft-summary", "mixed"}, []string{"bread"}},
		{"mixed", []string{"fsync", "raft"}, []string{"bread"}}, // a long post relates to each of its subjects
	}
	for _, tt := range tests {
		rs := related(t, s, tt.id, 5)
		got := resultIDs(rs)
		if len(got) < len(tt.first) {
			t.Errorf("Related(%s) = %v, want %v first", tt.id, got, tt.first)
			continue
		}
		top := slices.Clone(got[:len(tt.first)])
		slices.Sort(top)
		want := slices.Clone(tt.first)
		slices.Sort(want)
		if !slices.Equal(top, want) {
			t.Errorf("Related(%s) = %v (scores %v), want %v first", tt.id, got, scoresOf(rs), tt.first)
		}
		for _, id := range tt.none {
			if slices.Contains(got, id) {
				t.Errorf("Related(%s) = %v: contains %s", tt.id, got, id)
			}
		}
	}
	// The passage shown for mixed's Raft relative is its Raft chunk.
	for _, r := range related(t, s, "raft", 5) {
		if r.ID == "mixed" && !strings.Contains(r.Passages[0].Text, "leader replicates") {
			t.Errorf("Related(raft): mixed's first passage %q, want its Raft chunk", r.Passages[0].Text)
		}
	}
}

func TestRelated_FollowsChanges(t *testing.T) {
	s, st := newRelatedSearcher(t, relatedCorpusDocs, Options{})
	ctx := context.Background()
	if got := resultIDs(related(t, s, "bread", 5)); len(got) != 0 {
		t.Fatalf("Related(bread) = %v before any other baking post", got)
	}
	putRelDoc(t, st, relDoc{id: "starter", title: "Keeping a sourdough starter", chunks: []string{"feed the sourdough starter flour and water daily; it ferments and the dough rises"}})
	if got := resultIDs(related(t, s, "bread", 5)); !slices.Equal(got, []string{"starter"}) {
		t.Errorf("Related(bread) = %v after adding a starter post, want [starter]", got)
	}
	if err := st.Delete(ctx, "starter"); err != nil {
		t.Fatal(err)
	}
	if got := resultIDs(related(t, s, "bread", 5)); len(got) != 0 {
		t.Errorf("Related(bread) = %v after deleting it again", got)
	}
	if _, err := s.Related(ctx, "starter", 5); semsearch.ErrorCode(err) != semsearch.ENotFound {
		t.Errorf("Related of a deleted post: %v, want not_found", err)
	}
}

func TestRelated_Validation(t *testing.T) {
	s, _ := newRelatedSearcher(t, relatedCorpusDocs, Options{})
	ctx := context.Background()
	for _, k := range []int{0, -1, semsearch.MaxK + 1} {
		if _, err := s.Related(ctx, "raft", k); semsearch.ErrorCode(err) != semsearch.EInvalid {
			t.Errorf("Related k=%d: %v, want invalid", k, err)
		}
	}
	if _, err := s.Related(ctx, "nope", 5); semsearch.ErrorCode(err) != semsearch.ENotFound {
		t.Errorf("Related of a missing post: %v, want not_found", err)
	}
	empty, _ := newRelatedSearcher(t, nil, Options{})
	if _, err := empty.Related(ctx, "raft", 5); semsearch.ErrorCode(err) != semsearch.ENotFound {
		t.Errorf("Related on an empty index: %v, want not_found", err)
	}
	one, _ := newRelatedSearcher(t, relatedCorpusDocs[:1], Options{})
	if got, err := one.Related(ctx, "fsync", 5); err != nil || len(got) != 0 {
		t.Errorf("Related with no other post: %v, %v", got, err)
	}
}

func TestTopChunks(t *testing.T) {
	inf := float32(math.Inf(-1))
	tests := []struct {
		scores []float32
		n      int
		want   []int
	}{
		{[]float32{0.1, 0.5, 0.3}, 2, []int{1, 2}},
		{[]float32{0.2, 0.2, 0.1}, 2, []int{0, 1}}, // ties by index
		{[]float32{inf, 0.1}, 2, []int{1, 0}},
		{[]float32{0.4}, 3, []int{0}},
		{nil, 2, nil},
	}
	for _, tt := range tests {
		if got := topChunks(tt.scores, tt.n); !slices.Equal(got, tt.want) {
			t.Errorf("topChunks(%v, %d) = %v, want %v", tt.scores, tt.n, got, tt.want)
		}
	}
}

// The embedded store lists its vectors: it gets the full ranking.
var _ PostVectorLister = (*index.Store)(nil)

// An Index that cannot list every post's vectors (as the Weaviate backend)
// gets related posts by the mean of the post's chunk vectors: still never
// the post itself or a copy with its content hash.
func TestRelated_WithoutPostVectorLister(t *testing.T) {
	_, st := newRelatedSearcher(t, relatedCorpusDocs, Options{})
	s := NewWithOptions(struct{ Index }{st}, hashEmbedder{}, Options{})
	for _, tt := range []struct {
		id      string
		exclude []string
	}{
		{"raft", []string{"raft"}},
		{"wal-twin", []string{"wal-twin", "wal-twin2"}},
	} {
		got := resultIDs(related(t, s, tt.id, 5))
		if len(got) == 0 {
			t.Errorf("Related(%s) without a lister: no results", tt.id)
		}
		for _, id := range tt.exclude {
			if slices.Contains(got, id) {
				t.Errorf("Related(%s) without a lister = %v: contains %s", tt.id, got, id)
			}
		}
	}
	if got := resultIDs(related(t, s, "raft", 1)); !slices.Equal(got, []string{"raft-summary"}) && !slices.Equal(got, []string{"mixed"}) {
		t.Errorf("Related(raft, 1) without a lister = %v, want a Raft post", got)
	}
	if _, err := s.Related(context.Background(), "nope", 5); semsearch.ErrorCode(err) != semsearch.ENotFound {
		t.Errorf("Related of a missing post without a lister: %v, want not_found", err)
	}
}

// countingStore counts the snapshots Related takes of an *index.Store.
type countingStore struct {
	*index.Store
	snapshots atomic.Int32
}

func (c *countingStore) AllPostVectors(ctx context.Context) ([]semsearch.PostVectors, error) {
	c.snapshots.Add(1)
	return c.Store.AllPostVectors(ctx)
}

// An unchanged index (same version) reuses the corpus without a snapshot;
// a write changes the version, and the next list sees it.
func TestRelated_SnapshotOnlyAfterAChange(t *testing.T) {
	_, st := newRelatedSearcher(t, relatedCorpusDocs, Options{})
	cs := &countingStore{Store: st}
	s := NewWithOptions(cs, hashEmbedder{}, Options{})
	for range 3 {
		related(t, s, "bread", 5)
	}
	if n := cs.snapshots.Load(); n != 1 {
		t.Errorf("%d snapshots for 3 lists of an unchanged index, want 1", n)
	}
	putRelDoc(t, st, relDoc{id: "starter", title: "Keeping a sourdough starter", chunks: []string{"feed the sourdough starter flour and water daily; it ferments and the dough rises"}})
	if got := resultIDs(related(t, s, "bread", 5)); !slices.Equal(got, []string{"starter"}) {
		t.Errorf("Related(bread) = %v after a write, want [starter]", got)
	}
	if n := cs.snapshots.Load(); n != 2 {
		t.Errorf("%d snapshots after a write, want 2", n)
	}
}
