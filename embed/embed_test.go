package embed

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/semsearch/semsearch"
)

// countingEmbedder embeds a text as a vector derived from its bytes and
// records every call.
type countingEmbedder struct {
	dims  int
	calls [][]string
	fail  error
	// answer, when set, replaces the computed vectors (to test Check).
	answer [][]float32
}

func (e *countingEmbedder) Model() string { return "fake" }
func (e *countingEmbedder) Dims() int     { return e.dims }

func (e *countingEmbedder) EmbedPassages(_ context.Context, texts []string) ([][]float32, error) {
	e.calls = append(e.calls, slices.Clone(texts))
	if e.fail != nil {
		return nil, e.fail
	}
	if e.answer != nil {
		return e.answer, nil
	}
	out := make([][]float32, len(texts))
	for i, t := range texts {
		out[i] = vecOf(t, e.dims)
	}
	return out, nil
}

func (e *countingEmbedder) EmbedQuery(_ context.Context, text string) ([]float32, error) {
	e.calls = append(e.calls, []string{text})
	return vecOf(text, e.dims), nil
}

func vecOf(text string, dims int) []float32 {
	v := make([]float32, dims)
	v[0] = 1
	for i := 0; i < len(text); i++ {
		v[1+i%(dims-1)] += float32(text[i])
	}
	return Normalize(v)
}

// memStore is an in-memory CacheStore.
type memStore struct {
	mu      sync.Mutex
	vecs    map[string][]float32 // model + "/" + hash
	readErr error
	writErr error
	reads   int
	writes  int
}

func newMemStore() *memStore { return &memStore{vecs: map[string][]float32{}} }

func (s *memStore) CachedEmbeddings(_ context.Context, model string, hashes []string) (map[string][]float32, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reads++
	if s.readErr != nil {
		return nil, s.readErr
	}
	out := map[string][]float32{}
	for _, h := range hashes {
		if v, ok := s.vecs[model+"/"+h]; ok {
			out[h] = slices.Clone(v)
		}
	}
	return out, nil
}

func (s *memStore) CacheEmbeddings(_ context.Context, model string, vecs map[string][]float32) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.writes++
	if s.writErr != nil {
		return s.writErr
	}
	for h, v := range vecs {
		s.vecs[model+"/"+h] = slices.Clone(v)
	}
	return nil
}

var _ semsearch.Embedder = (*countingEmbedder)(nil)
var _ CacheStore = (*memStore)(nil)

func TestCached_SecondRunEmbedsNothing(t *testing.T) {
	ctx := context.Background()
	fake := &countingEmbedder{dims: 4}
	store := newMemStore()
	e := Cached(fake, store, nil)
	texts := []string{"alpha", "beta", "alpha", "gamma"}

	first, err := e.EmbedPassages(ctx, texts)
	if err != nil {
		t.Fatal(err)
	}
	if len(fake.calls) != 1 || !slices.Equal(fake.calls[0], []string{"alpha", "beta", "gamma"}) {
		t.Fatalf("first run calls = %q, want one call with the 3 distinct texts", fake.calls)
	}
	for i, tx := range texts {
		if !slices.Equal(first[i], vecOf(tx, 4)) {
			t.Errorf("vector %d (%q) = %v, want %v", i, tx, first[i], vecOf(tx, 4))
		}
	}

	second, err := e.EmbedPassages(ctx, texts)
	if err != nil {
		t.Fatal(err)
	}
	if len(fake.calls) != 1 {
		t.Fatalf("second run called the embedder: %q", fake.calls[1:])
	}
	for i := range texts {
		if !slices.Equal(first[i], second[i]) {
			t.Errorf("vector %d differs between runs", i)
		}
	}

	// Only the new text is embedded; order is kept.
	third, err := e.EmbedPassages(ctx, []string{"delta", "beta"})
	if err != nil {
		t.Fatal(err)
	}
	if len(fake.calls) != 2 || !slices.Equal(fake.calls[1], []string{"delta"}) {
		t.Fatalf("third run calls = %q, want [delta]", fake.calls[1:])
	}
	if !slices.Equal(third[0], vecOf("delta", 4)) || !slices.Equal(third[1], vecOf("beta", 4)) {
		t.Errorf("third run out of order: %v", third)
	}
}

func TestCached_CallerOwnsSlices(t *testing.T) {
	e := Cached(&countingEmbedder{dims: 3}, newMemStore(), nil)
	got, err := e.EmbedPassages(context.Background(), []string{"same", "same"})
	if err != nil {
		t.Fatal(err)
	}
	got[0][0] = 42
	if got[1][0] == 42 {
		t.Error("duplicate texts share one backing array")
	}
}

func TestCached_ModelIsPartOfTheKey(t *testing.T) {
	store := newMemStore()
	store.vecs["other/"+TextHash("x")] = []float32{0, 1, 0}
	fake := &countingEmbedder{dims: 3}
	if _, err := Cached(fake, store, nil).EmbedPassages(context.Background(), []string{"x"}); err != nil {
		t.Fatal(err)
	}
	if len(fake.calls) != 1 {
		t.Errorf("a vector cached for another model was used")
	}
}

func TestCached_BadCachedVectorReembedded(t *testing.T) {
	tests := map[string][]float32{
		"wrong dims": {1, 0},
		"zero":       {0, 0, 0},
		"nan":        {float32(math.NaN()), 1, 0},
	}
	for name, bad := range tests {
		t.Run(name, func(t *testing.T) {
			store := newMemStore()
			store.vecs["fake/"+TextHash("x")] = bad
			fake := &countingEmbedder{dims: 3}
			got, err := Cached(fake, store, nil).EmbedPassages(context.Background(), []string{"x"})
			if err != nil {
				t.Fatal(err)
			}
			if len(fake.calls) != 1 || !slices.Equal(got[0], vecOf("x", 3)) {
				t.Errorf("bad cached vector not replaced: calls %q, got %v", fake.calls, got)
			}
			if !slices.Equal(store.vecs["fake/"+TextHash("x")], vecOf("x", 3)) {
				t.Error("cache not repaired")
			}
		})
	}
}

func TestCached_StoreFailuresAreBypassed(t *testing.T) {
	store := newMemStore()
	store.readErr = errors.New("disk gone")
	store.writErr = errors.New("disk gone")
	fake := &countingEmbedder{dims: 3}
	var logged bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logged, nil))
	got, err := Cached(fake, store, log).EmbedPassages(context.Background(), []string{"a", "b"})
	if err != nil {
		t.Fatalf("cache failure surfaced: %v", err)
	}
	if len(got) != 2 || len(fake.calls) != 1 || store.writes != 1 {
		t.Errorf("got %d vectors, %d calls, %d writes", len(got), len(fake.calls), store.writes)
	}
	// Both failures reach the logger the caller passed, under key "error".
	lines := strings.Split(strings.TrimSpace(logged.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("logged %d lines, want 2: %s", len(lines), logged.String())
	}
	for _, l := range lines {
		if !strings.Contains(l, `"error":"disk gone"`) {
			t.Errorf("log line without the error under key \"error\": %s", l)
		}
	}
}

func TestCached_ProviderErrorsAndBadOutput(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name    string
		fake    *countingEmbedder
		wantErr string
	}{
		{"provider error", &countingEmbedder{dims: 3, fail: boom}, "boom"},
		{"too few vectors", &countingEmbedder{dims: 3, answer: [][]float32{{1, 0, 0}}}, "got 1 vectors for 2 texts"},
		{"wrong dimension", &countingEmbedder{dims: 3, answer: [][]float32{{1, 0}, {0, 1}}}, "2 dimensions, want 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := newMemStore()
			got, err := Cached(tt.fake, store, nil).EmbedPassages(context.Background(), []string{"a", "b"})
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || got != nil {
				t.Fatalf("got %v, %v; want error containing %q", got, err, tt.wantErr)
			}
			if len(store.vecs) != 0 {
				t.Error("failed output was cached")
			}
		})
	}
}

func TestCached_EmptyAndQuery(t *testing.T) {
	fake := &countingEmbedder{dims: 3}
	store := newMemStore()
	e := Cached(fake, store, nil)
	got, err := e.EmbedPassages(context.Background(), nil)
	if err != nil || len(got) != 0 || len(fake.calls) != 0 || store.reads != 0 {
		t.Fatalf("empty input: %v %v calls=%d reads=%d", got, err, len(fake.calls), store.reads)
	}
	if _, err := e.EmbedQuery(context.Background(), "q"); err != nil || len(fake.calls) != 1 {
		t.Fatalf("query: %v calls=%d", err, len(fake.calls))
	}
	if e.Model() != "fake" || e.Dims() != 3 {
		t.Errorf("Model/Dims not passed through: %q %d", e.Model(), e.Dims())
	}
}

func TestCheck(t *testing.T) {
	inf := float32(math.Inf(1))
	tests := []struct {
		name    string
		vecs    [][]float32
		n, dims int
		wantErr string
	}{
		{"ok", [][]float32{{1, 0}, {0, 1}}, 2, 2, ""},
		{"ok detected dims", [][]float32{{1, 0, 0}, {0, 1, 0}}, 2, 0, ""},
		{"none", nil, 0, 2, ""},
		{"count", [][]float32{{1, 0}}, 2, 2, "got 1 vectors for 2 texts"},
		{"dims", [][]float32{{1, 0}, {0, 1, 0}}, 2, 2, "vector 1 has 3 dimensions, want 2"},
		{"inconsistent detected dims", [][]float32{{1, 0}, {0, 1, 0}}, 2, 0, "vector 1 has 3 dimensions, want 2"},
		{"empty", [][]float32{{}}, 1, 0, "vector 0 is empty"},
		{"nan", [][]float32{{float32(math.NaN()), 1}}, 1, 2, "non-finite"},
		{"inf", [][]float32{{1, inf}}, 1, 2, "non-finite"},
		{"zero", [][]float32{{1, 1}, {0, 0}}, 2, 2, "vector 1 is all zeros"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Check(tt.vecs, tt.n, tt.dims)
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("Check = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	v := Normalize([]float32{3, 4})
	if math.Abs(float64(v[0])-0.6) > 1e-6 || math.Abs(float64(v[1])-0.8) > 1e-6 {
		t.Errorf("Normalize(3,4) = %v", v)
	}
	tiny := make([]float32, 1024)
	for i := range tiny {
		tiny[i] = 1e-20
	}
	var sum float64
	for _, x := range Normalize(tiny) {
		sum += float64(x) * float64(x)
	}
	if math.Abs(sum-1) > 1e-5 {
		t.Errorf("tiny vector norm² = %v, want 1", sum)
	}
	if z := Normalize([]float32{0, 0}); z[0] != 0 || z[1] != 0 {
		t.Errorf("zero vector changed: %v", z)
	}
}

func TestTextHash(t *testing.T) {
	if got := TextHash(""); got != "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" {
		t.Errorf("TextHash(\"\") = %s", got)
	}
}
