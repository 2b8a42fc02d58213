package local

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/semsearch/semsearch/embed/weights"
)

func TestOpen_MissingWeightsNamesTheFix(t *testing.T) {
	for _, tc := range []struct{ name, hint string }{
		{"all-MiniLM-L6-v2", "make model"},
		{"bge-small-en-v1.5", "semsearch model pull bge-small-en-v1.5"},
	} {
		_, err := Open(t.TempDir(), tc.name, Options{})
		if !errors.Is(err, weights.ErrMissing) {
			t.Fatalf("%s: error %v does not wrap weights.ErrMissing", tc.name, err)
		}
		if !strings.Contains(err.Error(), tc.hint) {
			t.Errorf("%s: error %q does not say %q", tc.name, err, tc.hint)
		}
	}
	if _, err := Open(t.TempDir(), "no-such-model", Options{}); err == nil || !strings.Contains(err.Error(), "no-such-model") {
		t.Errorf("unknown model: %v", err)
	}
}

func tinyForTest(t *testing.T, opts Options) *Model {
	t.Helper()
	dir := t.TempDir()
	makeTinyModel(t, dir, tinySpec{dtype: "F32", pooling: poolMean})
	m, err := loadDir(dir, "tiny", opts)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestModel_EmbedPassagesCancelled(t *testing.T) {
	m := tinyForTest(t, Options{BatchSize: 1})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := m.EmbedPassages(ctx, []string{"the fox", "the dog"}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if _, err := m.EmbedQuery(ctx, "fox"); !errors.Is(err, context.Canceled) {
		t.Fatalf("query err = %v, want context.Canceled", err)
	}
}

func TestModel_EmbedPassagesEdgeCases(t *testing.T) {
	m := tinyForTest(t, Options{})
	got, err := m.EmbedPassages(context.Background(), nil)
	if err != nil || len(got) != 0 {
		t.Fatalf("no texts: %v, %v", got, err)
	}
	// Empty text and text past the truncation length both embed to unit
	// vectors; the long one equals its truncated prefix's embedding.
	long := strings.Repeat("fox dog ", 100)
	got, err = m.EmbedPassages(context.Background(), []string{"", long, "fox"})
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range got {
		var n float64
		for _, x := range v {
			n += float64(x) * float64(x)
		}
		if n < 0.9999 || n > 1.0001 {
			t.Errorf("vector %d has squared norm %v", i, n)
		}
	}
	if c := cosine(got[0], got[2]); c > 0.9999 {
		t.Errorf("empty text and \"fox\" embed the same (cosine %v)", c)
	}
}

// TestModel_ConcurrentCallsAgree runs calls in parallel (each takes its
// own arena) and checks they give what a single call gives, in order.
func TestModel_ConcurrentCallsAgree(t *testing.T) {
	m := tinyForTest(t, Options{Threads: 2, BatchSize: 4})
	var texts []string
	for i := 0; i < 20; i++ {
		texts = append(texts, strings.Repeat("the quick fox ", i%7+1)+fmt.Sprint(i))
	}
	want, err := m.EmbedPassages(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 6)
	for g := 0; g < 6; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := m.EmbedPassages(context.Background(), texts[g:])
			if err != nil {
				errs <- err
				return
			}
			for i := range got {
				for j := range got[i] {
					if got[i][j] != want[g+i][j] {
						errs <- fmt.Errorf("goroutine %d text %d dim %d: %v != %v", g, g+i, j, got[i][j], want[g+i][j])
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestModel_Close(t *testing.T) {
	m := tinyForTest(t, Options{})
	if _, err := m.EmbedPassages(context.Background(), []string{"fox"}); err != nil {
		t.Fatal(err)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if err := m.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := m.EmbedQuery(context.Background(), "fox"); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Fatalf("embed after Close: %v", err)
	}
}

// TestOpen_CorruptFileNamesTheFix: a changed file is caught by the
// checksums before any weight is read.
func TestOpen_CorruptFileNamesTheFix(t *testing.T) {
	const name = "all-MiniLM-L6-v2"
	src := filepath.Join(modelsDirOrSkip(t, name), name)
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, name, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if rel == "config.json" {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(target, append(b, ' '), 0o644)
		}
		abs, _ := filepath.Abs(p)
		return os.Symlink(abs, target)
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Open(dst, name, Options{})
	if !errors.Is(err, weights.ErrCorrupt) || !strings.Contains(err.Error(), "make model") {
		t.Fatalf("error %v: want weights.ErrCorrupt naming `make model`", err)
	}
}
