package vecindex

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
)

// realVectors reads the embeddings of real text that `go run ./eval/vecdump`
// writes into dir: meta.json ({"model","dims","vectors","queries"}),
// vectors.f32 (every chunk of the evaluation collections) and queries.f32
// (their queries), float32 little-endian, one vector after another.
func realVectors(dir string) (data, queries [][]float32, err error) {
	raw, err := os.ReadFile(filepath.Join(dir, "meta.json"))
	if err != nil {
		return nil, nil, err
	}
	var meta struct{ Dims, Vectors, Queries int }
	if err := json.Unmarshal(raw, &meta); err != nil {
		return nil, nil, fmt.Errorf("%s/meta.json: %w", dir, err)
	}
	if data, err = readF32(filepath.Join(dir, "vectors.f32"), meta.Dims, meta.Vectors); err != nil {
		return nil, nil, err
	}
	if queries, err = readF32(filepath.Join(dir, "queries.f32"), meta.Dims, meta.Queries); err != nil {
		return nil, nil, err
	}
	return data, queries, nil
}

func readF32(path string, dims, n int) ([][]float32, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if dims <= 0 || len(raw) != 4*dims*n {
		return nil, fmt.Errorf("%s: %d bytes, want %d vectors of %d dims", path, len(raw), n, dims)
	}
	out := make([][]float32, n)
	flat := make([]float32, n*dims)
	for i := range flat {
		flat[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
	}
	for i := range out {
		out[i] = flat[i*dims : (i+1)*dims : (i+1)*dims]
	}
	return out, nil
}
