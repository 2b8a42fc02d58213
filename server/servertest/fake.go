// Package servertest provides in-memory server.Services for tests of the
// HTTP layer and the web page: canned posts and results, recorded calls,
// injectable errors, and a deterministic embedder.
package servertest

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/server"
)

// Service fakes every one of server.Services (see Services). The zero value works: no posts, no
// results. Set the exported fields before use; the hooks, when set,
// replace the default behaviour of their method. Calls are recorded.
type Service struct {
	Posts     map[string]semsearch.Post     // by ID, for Post, Delete and Related
	Results   []semsearch.Result            // returned by Search and Similar
	RelatedTo map[string][]semsearch.Result // by post ID, for Related
	Err       error                         // returned by every method but Embedder when set
	Emb       semsearch.Embedder            // default: Embedder{N: 8}

	SearchFunc func(ctx context.Context, q semsearch.Query) ([]semsearch.Result, error)
	IngestFunc func(ctx context.Context, sources []string) (semsearch.IngestReport, error)
	ReadyFunc  func(ctx context.Context) error
	AskFunc    func(ctx context.Context, q semsearch.Query) (semsearch.Answer, error)
	GapsList   []semsearch.Gap // returned by Gaps

	Subs          []semsearch.Subscription // the subscriptions (sources.go)
	SubscribeFunc func(ctx context.Context, url string, interval time.Duration, crawl bool) ([]semsearch.Subscription, semsearch.IngestReport, error)

	mu    sync.Mutex
	calls []Call
}

// Call is one recorded method call.
type Call struct {
	Method  string
	Query   semsearch.Query // Search
	ID      string          // Post, Related, Delete
	Text    string          // Similar
	K       int             // Related, Similar
	Sources []string        // Ingest, SubscribeURL
	Source  int64           // RemoveSource, PollSource
	Purge   bool            // RemoveSource
}

// Calls returns a copy of the calls made so far.
func (f *Service) Calls() []Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Call(nil), f.calls...)
}

// LastCall returns the most recent call, or a zero Call.
func (f *Service) LastCall() Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.calls) == 0 {
		return Call{}
	}
	return f.calls[len(f.calls)-1]
}

func (f *Service) record(c Call) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, c)
}

func (f *Service) Search(ctx context.Context, q semsearch.Query) ([]semsearch.Result, error) {
	f.record(Call{Method: "Search", Query: q})
	if f.SearchFunc != nil {
		return f.SearchFunc(ctx, q)
	}
	if f.Err != nil {
		return nil, f.Err
	}
	return limit(f.Results, q.K), nil
}

func (f *Service) Related(ctx context.Context, id string, k int) ([]semsearch.Result, error) {
	f.record(Call{Method: "Related", ID: id, K: k})
	if f.Err != nil {
		return nil, f.Err
	}
	if !f.has(id) {
		return nil, semsearch.Errorf(semsearch.ENotFound, "post %q not found", id)
	}
	return limit(f.RelatedTo[id], k), nil
}

func (f *Service) Similar(ctx context.Context, text string, k int) ([]semsearch.Result, error) {
	f.record(Call{Method: "Similar", Text: text, K: k})
	if f.Err != nil {
		return nil, f.Err
	}
	return limit(f.Results, k), nil
}

func (f *Service) Post(ctx context.Context, id string) (semsearch.Post, error) {
	f.record(Call{Method: "Post", ID: id})
	if f.Err != nil {
		return semsearch.Post{}, f.Err
	}
	f.mu.Lock()
	p, ok := f.Posts[id]
	f.mu.Unlock()
	if !ok {
		return semsearch.Post{}, semsearch.Errorf(semsearch.ENotFound, "post %q not found", id)
	}
	return p, nil
}

func (f *Service) Delete(ctx context.Context, id string) error {
	f.record(Call{Method: "Delete", ID: id})
	if f.Err != nil {
		return f.Err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.Posts[id]; !ok {
		return semsearch.Errorf(semsearch.ENotFound, "post %q not found", id)
	}
	delete(f.Posts, id)
	return nil
}

func (f *Service) IngestURLs(ctx context.Context, sources []string) (semsearch.IngestReport, error) {
	f.record(Call{Method: "Ingest", Sources: append([]string(nil), sources...)})
	if f.IngestFunc != nil {
		return f.IngestFunc(ctx, sources)
	}
	if f.Err != nil {
		return semsearch.IngestReport{}, f.Err
	}
	var rep semsearch.IngestReport
	for _, s := range sources {
		rep.Sources = append(rep.Sources, semsearch.SourceReport{Source: s, Posts: 1, Chunks: 3})
		rep.Posts++
		rep.Chunks += 3
	}
	return rep, nil
}

func (f *Service) Stats(ctx context.Context) (semsearch.Stats, error) {
	f.record(Call{Method: "Stats"})
	if f.Err != nil {
		return semsearch.Stats{}, f.Err
	}
	e := f.Embedder()
	f.mu.Lock()
	n := len(f.Posts)
	f.mu.Unlock()
	return semsearch.Stats{Posts: n, Chunks: 3 * n, Sources: 1, Model: e.Model(), Dims: e.Dims()}, nil
}

func (f *Service) Ready(ctx context.Context) error {
	f.record(Call{Method: "Ready"})
	if f.ReadyFunc != nil {
		return f.ReadyFunc(ctx)
	}
	return f.Err
}

// Services returns f as every service the server needs; the embedder is
// f.Emb as set now (default Embedder{N: 8}).
func (f *Service) Services() server.Services {
	return server.Services{Search: f, Posts: f, Ingest: f, Status: f, Embedder: f.Embedder(), Answers: f, Sources: f}
}

func (f *Service) Embedder() semsearch.Embedder {
	if f.Emb == nil {
		return Embedder{N: 8}
	}
	return f.Emb
}

func (f *Service) has(id string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, ok := f.Posts[id]
	return ok
}

func limit(r []semsearch.Result, k int) []semsearch.Result {
	if k > 0 && len(r) > k {
		return r[:k]
	}
	return r
}

// Embedder is a deterministic fake embedder: each text maps to a unit
// vector derived from its SHA-256, so equal texts get equal vectors.
type Embedder struct{ N int } // N is the number of dimensions

func (e Embedder) Model() string { return "fake-embed-v1" }

func (e Embedder) Dims() int { return e.N }

// Vector is the vector EmbedPassages returns for text.
func (e Embedder) Vector(text string) []float32 {
	v := make([]float32, e.N)
	var norm float64
	for i := range v {
		h := sha256.Sum256([]byte(text + "\x00" + string(rune('a'+i%26)) + strings.Repeat("#", i/26)))
		x := float64(int32(binary.LittleEndian.Uint32(h[:4]))) / math.MaxInt32
		v[i] = float32(x)
		norm += x * x
	}
	norm = math.Sqrt(norm)
	for i := range v {
		v[i] = float32(float64(v[i]) / norm)
	}
	return v
}

func (e Embedder) EmbedPassages(ctx context.Context, texts []string) ([][]float32, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := make([][]float32, len(texts))
	for i, t := range texts {
		out[i] = e.Vector(t)
	}
	return out, nil
}

func (e Embedder) EmbedQuery(ctx context.Context, text string) ([]float32, error) {
	v, err := e.EmbedPassages(ctx, []string{"query: " + text})
	if err != nil {
		return nil, err
	}
	return v[0], nil
}
