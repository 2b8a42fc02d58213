package answer

import (
	"context"
	"hash/fnv"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/deeplink"
	"github.com/semsearch/semsearch/search"
)

// wordsEmbedder embeds a text as its bag of words hashed into 64 dims, so
// the cosine of two texts grows with the words they share.
type wordsEmbedder struct{}

func (wordsEmbedder) Model() string { return "words" }
func (wordsEmbedder) Dims() int     { return 64 }
func (e wordsEmbedder) EmbedQuery(_ context.Context, t string) ([]float32, error) {
	return e.vec(t), nil
}
func (e wordsEmbedder) EmbedPassages(_ context.Context, ts []string) ([][]float32, error) {
	out := make([][]float32, len(ts))
	for i, t := range ts {
		out[i] = e.vec(t)
	}
	return out, nil
}
func (wordsEmbedder) vec(t string) []float32 {
	v := make([]float32, 64)
	for _, w := range semsearch.Words(t) {
		if semsearch.IsStopword(w) {
			continue
		}
		h := fnv.New32a()
		h.Write([]byte(stem(w)))
		v[h.Sum32()%64]++
	}
	return semsearch.Normalize(v)
}

// fakeStore is one post of two chunks, found by any query.
type fakeStore struct {
	post     semsearch.Post
	chunks   []semsearch.Chunk
	asked    semsearch.Query
	searched []string
}

func newFakeStore() *fakeStore {
	text := "# Durability\n\nDatabases write to a log first. The fsync call makes the log durable on disk before commit returns.\n\n" +
		"# Caching\n\nA page cache keeps hot pages in memory. Eviction picks the coldest page first."
	p := semsearch.Post{ID: "p1", Title: "Storage notes", URL: "https://example.test/p1", Text: text}
	i := strings.Index(text, "# Caching")
	return &fakeStore{post: p, chunks: []semsearch.Chunk{
		{ID: "c0", PostID: "p1", Heading: "Durability", Text: text[:i-2], Start: 0, End: i - 2},
		{ID: "c1", PostID: "p1", Ordinal: 1, Heading: "Caching", Text: text[i:], Start: i, End: len(text)},
	}}
}

func (f *fakeStore) Find(_ context.Context, q semsearch.Query) (search.Found, error) {
	f.asked = q
	f.searched = append(f.searched, q.Text)
	return search.Found{
		Facets:     semsearch.Facets{Sources: []semsearch.FacetCount{{Value: "Other", Count: 4}, {Value: "Dana's Storage Notes", Count: 1}}},
		Results:    []semsearch.Result{{ID: "p1", Title: f.post.Title, URL: f.post.URL, Score: 1}},
		Candidates: []search.Candidate{{PostID: "p1", Score: 1, Chunks: []search.ChunkScore{{ChunkID: "c0", Score: 1}, {ChunkID: "c1", Score: 0.5}}}},
	}, nil
}

func (f *fakeStore) Chunks(_ context.Context, ids []string) (map[string]semsearch.Chunk, error) {
	out := map[string]semsearch.Chunk{}
	for _, c := range f.chunks {
		for _, id := range ids {
			if id == c.ID {
				out[id] = c
			}
		}
	}
	return out, nil
}

func (f *fakeStore) PostTexts(_ context.Context, ids ...string) (map[string]string, error) {
	return map[string]string{"p1": f.post.Text}, nil
}

func newTestAnswerer(f *fakeStore) *Answerer {
	now := func() time.Time { return time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC) }
	// Calibrated so that a cosine of 0.3 is the threshold.
	return New(f, f, wordsEmbedder{}, Options{Now: now, Calibration: Calibration{Bias: -3, Slope: 10, Threshold: 0.5}})
}

func TestAnswerer_Ask(t *testing.T) {
	f := newFakeStore()
	a := newTestAnswerer(f)
	got, err := a.Ask(context.Background(), semsearch.Query{Text: "what makes the log durable on disk", K: 5})
	if err != nil {
		t.Fatal(err)
	}
	if !got.Answered || len(got.Sentences) == 0 {
		t.Fatalf("not answered: %+v", got)
	}
	s := got.Sentences[0]
	want := "The fsync call makes the log durable on disk before commit returns."
	if s.Text != want || s.PostID != "p1" || s.Title != "Storage notes" || s.Heading != "Durability" {
		t.Errorf("first sentence %+v", s)
	}
	start := strings.Index(f.post.Text, want)
	if link := deeplink.Link(f.post.URL, f.post.Text, start, start+len(want)); s.Link != link {
		t.Errorf("link %q, want %q", s.Link, link)
	}
	if got.Confidence <= 0.5 || got.Confidence > 1 || len(got.Results) != 1 {
		t.Errorf("confidence %v, results %d", got.Confidence, len(got.Results))
	}
}

func TestAnswerer_Abstains(t *testing.T) {
	a := newTestAnswerer(newFakeStore())
	got, err := a.Ask(context.Background(), semsearch.Query{Text: "sourdough proofing time", K: 5})
	if err != nil {
		t.Fatal(err)
	}
	if got.Answered || len(got.Sentences) != 0 || len(got.Results) != 1 || got.Confidence >= 0.5 {
		t.Errorf("answered a question nothing answers: %+v", got)
	}
}

func TestAnswerer_InterpretsDates(t *testing.T) {
	f := newFakeStore()
	a := newTestAnswerer(f)
	got, err := a.Ask(context.Background(), semsearch.Query{Text: "latest notes on page eviction in 2025", K: 5})
	if err != nil {
		t.Fatal(err)
	}
	if f.asked.Text != "notes on page eviction" || f.asked.Sort != semsearch.SortDate || f.asked.Filter.Since.Year() != 2025 {
		t.Errorf("searched %+v", f.asked)
	}
	if got.Interpreted.Sort != semsearch.SortDate || len(got.Interpreted.Phrases) != 2 {
		t.Errorf("interpreted %+v", got.Interpreted)
	}
	if _, err := a.Ask(context.Background(), semsearch.Query{Text: "latest eviction", K: 5, Literal: true}); err != nil || f.asked.Text != "latest eviction" {
		t.Errorf("literal query searched as %q (%v)", f.asked.Text, err)
	}
}

func TestAnswerer_Invalid(t *testing.T) {
	a := newTestAnswerer(newFakeStore())
	if _, err := a.Ask(context.Background(), semsearch.Query{Text: " ", K: 5}); semsearch.ErrorCode(err) != semsearch.EInvalid {
		t.Errorf("err = %v, want invalid", err)
	}
}

func TestCalibration_Monotonic(t *testing.T) {
	for _, c := range []Calibration{DefaultCalibration, {Bias: 1, Slope: -3}, {Bias: -10, Slope: 40}} {
		prev := -1.0
		for cos := -1.0; cos <= 1.0; cos += 0.01 {
			p := c.Confidence(cos)
			if p < prev || p < 0 || p > 1 || math.IsNaN(p) {
				t.Fatalf("%+v: confidence %v at cosine %.2f after %v", c, p, cos, prev)
			}
			prev = p
		}
	}
}

func TestPick(t *testing.T) {
	mk := func(text string, score float64) Candidate {
		return Candidate{AnswerSentence: semsearch.AnswerSentence{Text: text}, Score: score}
	}
	got := pick([]Candidate{mk("A b c d.", 1), mk("a  B c d.", 0.95), mk("E f g h.", 0.9), mk("I j k l.", 0.5)}, 3)
	if len(got) != 2 || got[0].Text != "A b c d." || got[1].Text != "E f g h." {
		t.Errorf("pick = %+v", got)
	}
}

func TestAnswerer_ResolvesTheBlogAskedAbout(t *testing.T) {
	f := newFakeStore()
	a := newTestAnswerer(f)
	got, err := a.Ask(context.Background(), semsearch.Query{Text: "what is the latest post about eviction on Dana's storage blog?", K: 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.searched) != 2 || f.searched[0] != "Dana's storage blog" {
		t.Errorf("searched %q, want the blog phrase first", f.searched)
	}
	if f.asked.Text != "eviction" || f.asked.Filter.Source != "Dana's Storage Notes" || f.asked.Sort != semsearch.SortDate {
		t.Errorf("asked %+v", f.asked)
	}
	if got.Interpreted.Source != "Dana's Storage Notes" || got.Interpreted.SourceHint != "Dana's storage blog" {
		t.Errorf("interpreted %+v", got.Interpreted)
	}
	// A blog no source stands out for: its words are searched with the topic.
	f.searched = nil
	if _, err := a.Ask(context.Background(), semsearch.Query{Text: "latest post about eviction on the blog about caches", K: 5}); err != nil {
		t.Fatal(err)
	}
	if f.asked.Text != "eviction the blog about caches" || f.asked.Filter.Source != "" {
		t.Errorf("unresolved blog: asked %+v", f.asked)
	}
}

func TestTypeFeatures(t *testing.T) {
	tests := []struct {
		question, sentence string
		want               float64
	}{
		{"why does the WAL keep growing?", "The WAL grows because a reader holds a snapshot.", 1},
		{"why does the WAL keep growing?", "The WAL is a file next to the database.", 0},
		{"how many levels of page tables does Linux keep?", "Linux, by default, maintains 3 levels of page tables.", 1},
		{"what did training GPT-3 cost on the cheapest GPUs?", "The cost of training GPT-3 was $4.6 Million.", 1},
		{"at what share of dirty data does eviction start?", "Eviction starts when dirty data is high.", 0},
		{"how do Raft groups scale?", "Because each range has its own group.", 0}, // not a why question
	}
	for _, tt := range tests {
		c := []Candidate{{AnswerSentence: semsearch.AnswerSentence{Text: tt.sentence}}}
		typeFeatures(c, tt.question)
		if c[0].Features.Type != tt.want {
			t.Errorf("%q / %q: Type %v, want %v", tt.question, tt.sentence, c[0].Features.Type, tt.want)
		}
	}
}
