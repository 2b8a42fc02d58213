// Command vecdump writes embeddings of real text for the vector-index
// benchmark (`make bench`, the "real" row): every chunk vector of the
// indexes `semsearch eval` built for the test collections (its cache
// directories), and the collections' queries embedded by the same local
// model, as the files index/vecindex's benchmark reads.
//
//	go run ./eval/vecdump --out DIR [--shared ../shared] [--models models] [--model all-MiniLM-L6-v2]
//
// DIR gets meta.json ({"model","dims","vectors","queries"}), vectors.f32 and
// queries.f32 (float32 little-endian, one vector after another; chunks in
// dataset then post-ID order, queries in dataset then file order). A
// collection without a cached index is left out (run `make bench-quality`
// first to build them all).
package main

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"

	"github.com/semsearch/semsearch/embed/local"
	"github.com/semsearch/semsearch/eval"
	"github.com/semsearch/semsearch/index"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "vecdump:", err)
		os.Exit(1)
	}
}

func run() error {
	out := flag.String("out", "", "output directory (required)")
	shared := flag.String("shared", "../shared", "the shared data folder (datasets/)")
	models := flag.String("models", "models", "local model weights directory")
	model := flag.String("model", "all-MiniLM-L6-v2", "the model the eval indexes were built with")
	flag.Parse()
	if *out == "" {
		flag.Usage()
		return errors.New("need --out")
	}
	ctx := context.Background()
	dirs, err := filepath.Glob(filepath.Join(*shared, "datasets", "*", "corpus.jsonl"))
	if err != nil {
		return err
	}
	sort.Strings(dirs)
	m, err := local.Open(*models, *model, local.Options{})
	if err != nil {
		return err
	}
	defer m.Close()
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	vf, err := newWriter(filepath.Join(*out, "vectors.f32"))
	if err != nil {
		return err
	}
	qf, err := newWriter(filepath.Join(*out, "queries.f32"))
	if err != nil {
		return err
	}
	dims := m.Dims()
	for _, corpus := range dirs {
		ds, err := eval.LoadBEIR(filepath.Dir(corpus))
		if err != nil {
			return err
		}
		cache, err := eval.CacheDir(ds.Name, *model)
		if err != nil {
			return err
		}
		if _, err := os.Stat(filepath.Join(cache, index.FileName)); err != nil {
			fmt.Fprintf(os.Stderr, "vecdump: %s: no index in %s, left out\n", ds.Name, cache)
			continue
		}
		n, err := dumpChunks(ctx, cache, *model, dims, vf)
		if err != nil {
			return fmt.Errorf("%s: %w", ds.Name, err)
		}
		for _, q := range ds.Queries {
			v, err := m.EmbedQuery(ctx, q.Text)
			if err != nil {
				return fmt.Errorf("%s: query %s: %w", ds.Name, q.ID, err)
			}
			if err := qf.vec(v); err != nil {
				return err
			}
		}
		fmt.Fprintf(os.Stderr, "vecdump: %s: %d chunks, %d queries\n", ds.Name, n, len(ds.Queries))
	}
	if err := vf.close(); err != nil {
		return err
	}
	if err := qf.close(); err != nil {
		return err
	}
	meta, err := json.Marshal(map[string]any{"model": *model, "dims": dims, "vectors": vf.n, "queries": qf.n})
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(*out, "meta.json"), append(meta, '\n'), 0o644)
}

func dumpChunks(ctx context.Context, dir, model string, dims int, w *writer) (int, error) {
	st, err := index.Open(ctx, dir, model, dims)
	if err != nil {
		return 0, err
	}
	defer st.Close()
	ids, err := st.PostIDs(ctx)
	if err != nil {
		return 0, err
	}
	sort.Strings(ids)
	n := 0
	for _, id := range ids {
		_, vecs, err := st.PostChunks(ctx, id)
		if err != nil {
			return 0, err
		}
		for _, v := range vecs {
			if err := w.vec(v); err != nil {
				return 0, err
			}
			n++
		}
	}
	return n, nil
}

type writer struct {
	f   *os.File
	buf *bufio.Writer
	n   int
}

func newWriter(path string) (*writer, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	return &writer{f: f, buf: bufio.NewWriter(f)}, nil
}

func (w *writer) vec(v []float32) error {
	var b [4]byte
	for _, f := range v {
		binary.LittleEndian.PutUint32(b[:], math.Float32bits(f))
		if _, err := w.buf.Write(b[:]); err != nil {
			return err
		}
	}
	w.n++
	return nil
}

func (w *writer) close() error {
	if err := w.buf.Flush(); err != nil {
		w.f.Close()
		return err
	}
	return w.f.Close()
}
