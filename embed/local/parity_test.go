package local

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/semsearch/semsearch/embed/weights"
)

// parityFixture is testdata/parity/<model>.json (written by the weights
// side): texts with the token ids and embeddings of the reference
// (sentence-transformers) implementation.
type parityFixture struct {
	Model        string `json:"model"`
	Pooling      string `json:"pooling"`
	Dims         int    `json:"dims"`
	MaxSeqLength int    `json:"max_seq_length"`
	QueryPrefix  string `json:"query_prefix"`
	Cases        []struct {
		Name           string    `json:"name"`
		Text           string    `json:"text"`
		IDs            []int32   `json:"ids"`
		QueryIDs       []int32   `json:"query_ids"`
		Embedding      []float32 `json:"embedding"`
		QueryEmbedding []float32 `json:"query_embedding"`
	} `json:"cases"`
}

func loadFixture(t *testing.T, model string) parityFixture {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "parity", model+".json"))
	if err != nil {
		t.Fatalf("read parity fixture: %v", err)
	}
	var f parityFixture
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatalf("parse parity fixture: %v", err)
	}
	if len(f.Cases) == 0 {
		t.Fatalf("parity fixture %s has no cases", model)
	}
	return f
}

func cosine(a, b []float32) float64 {
	var ab, aa, bb float64
	for i := range a {
		ab += float64(a[i]) * float64(b[i])
		aa += float64(a[i]) * float64(a[i])
		bb += float64(b[i]) * float64(b[i])
	}
	return ab / math.Sqrt(aa*bb)
}

// TestModel_Parity checks, for each known model, that Open's model
// tokenises every fixture text to the reference ids (passage, and query
// with the instruction prefix when the fixture has query ids) and that
// EmbedPassages / EmbedQuery give vectors with cosine >= 0.9999 to the
// reference embeddings, wherever the fixture has them.
func TestModel_Parity(t *testing.T) {
	for _, name := range []string{"all-MiniLM-L6-v2", "bge-small-en-v1.5"} {
		t.Run(name, func(t *testing.T) {
			fx := loadFixture(t, name)
			m, err := Open(modelsDirOrSkip(t, name), name, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if m.Dims() != fx.Dims || m.cfg.pooling != fx.Pooling || m.QueryPrefix() != fx.QueryPrefix {
				t.Fatalf("model: dims %d pooling %s prefix %q; fixture: %d %s %q",
					m.Dims(), m.cfg.pooling, m.QueryPrefix(), fx.Dims, fx.Pooling, fx.QueryPrefix)
			}
			if m.cfg.truncate != fx.MaxSeqLength {
				t.Fatalf("truncation at %d ids, fixture made at %d", m.cfg.truncate, fx.MaxSeqLength)
			}
			var texts []string
			var want [][]float32
			for _, c := range fx.Cases {
				if got := m.tok.Encode(c.Text, m.cfg.truncate); !slices.Equal(got, c.IDs) {
					t.Errorf("%s: ids %v, want %v", c.Name, got, c.IDs)
				}
				if c.QueryIDs != nil {
					if got := m.tok.Encode(m.QueryPrefix()+c.Text, m.cfg.truncate); !slices.Equal(got, c.QueryIDs) {
						t.Errorf("%s: query ids %v, want %v", c.Name, got, c.QueryIDs)
					}
				}
				if len(c.Embedding) > 0 {
					texts, want = append(texts, c.Text), append(want, c.Embedding)
				}
			}
			ctx := context.Background()
			worst, n := 1.0, 0
			got, err := m.EmbedPassages(ctx, texts)
			if err != nil {
				t.Fatal(err)
			}
			for i := range texts {
				if len(got[i]) != m.Dims() {
					t.Fatalf("vector %d has %d dims", i, len(got[i]))
				}
				c := cosine(got[i], want[i])
				worst, n = min(worst, c), n+1
				if c < 0.9999 {
					t.Errorf("passage %q: cosine %.6f < 0.9999", short(texts[i]), c)
				}
			}
			for _, c := range fx.Cases {
				if len(c.QueryEmbedding) == 0 {
					continue
				}
				q, err := m.EmbedQuery(ctx, c.Text)
				if err != nil {
					t.Fatal(err)
				}
				cs := cosine(q, c.QueryEmbedding)
				worst, n = min(worst, cs), n+1
				if cs < 0.9999 {
					t.Errorf("query %s: cosine %.6f < 0.9999", c.Name, cs)
				}
			}
			if n == 0 {
				t.Fatalf("fixture %s has no reference embeddings: regenerate it with scripts/parity/make_fixtures.py", name)
			}
			t.Logf("%s: %d vectors, worst cosine %.7f (1-cos = %.2g)", name, n, worst, 1-worst)
		})
	}
}

// TestEncoder_ParityIDs feeds the fixture's token ids straight to the
// encoder, so an encoder regression shows even if tokenisation drifts.
func TestEncoder_ParityIDs(t *testing.T) {
	for _, name := range []string{"all-MiniLM-L6-v2", "bge-small-en-v1.5"} {
		t.Run(name, func(t *testing.T) {
			fx := loadFixture(t, name)
			m, err := loadDir(filepath.Join(modelsDirOrSkip(t, name), name), name, Options{Threads: 2, BatchSize: 5})
			if err != nil {
				t.Fatal(err)
			}
			var ids [][]int32
			var want [][]float32
			for _, c := range fx.Cases {
				if len(c.Embedding) > 0 {
					ids, want = append(ids, c.IDs), append(want, c.Embedding)
				}
				if len(c.QueryEmbedding) > 0 {
					ids, want = append(ids, c.QueryIDs), append(want, c.QueryEmbedding)
				}
			}
			if len(ids) == 0 {
				t.Fatalf("fixture %s has no reference embeddings", name)
			}
			got, err := m.embedIDs(context.Background(), ids)
			if err != nil {
				t.Fatal(err)
			}
			for i := range ids {
				if c := cosine(got[i], want[i]); c < 0.9999 {
					t.Errorf("case %d (%d ids): cosine %.6f < 0.9999", i, len(ids[i]), c)
				}
			}
		})
	}
}

func short(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// TestFixtures_MatchRegistry: what Open takes from the registry (query
// instruction, pooling) is what the reference embeddings were made with,
// checked even where the weights are absent.
func TestFixtures_MatchRegistry(t *testing.T) {
	for _, name := range []string{"all-MiniLM-L6-v2", "bge-small-en-v1.5"} {
		fx := loadFixture(t, name)
		info, err := weights.Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		if info.QueryPrefix != fx.QueryPrefix || string(info.Pooling) != fx.Pooling || info.Dims != fx.Dims || info.MaxTokens != fx.MaxSeqLength {
			t.Errorf("%s: registry %q/%s/%d/%d, fixture %q/%s/%d/%d", name, info.QueryPrefix, info.Pooling, info.Dims, info.MaxTokens,
				fx.QueryPrefix, fx.Pooling, fx.Dims, fx.MaxSeqLength)
		}
	}
}
