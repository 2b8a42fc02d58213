package weaviate

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"math"

	"github.com/weaviate/weaviate-go-client/v5/weaviate/filters"
	"github.com/weaviate/weaviate-go-client/v5/weaviate/graphql"
	"github.com/weaviate/weaviate/entities/models"
)

// The embedding cache is a class of its own (not a local SQLite file): the
// serve processes in front of a cluster are stateless and share it, and a
// re-ingest through any of them reuses the vectors of unchanged chunks.

type cacheRow struct {
	Hash   string `json:"hash"`
	Vector string `json:"vector"` // base64 of little-endian float32s
}

// CachedEmbeddings returns the vectors cached for the given hashes; hashes
// without a vector are absent.
func (s *Store) CachedEmbeddings(ctx context.Context, model string, hashes []string) (map[string][]float32, error) {
	hashes = distinct(hashes)
	out := make(map[string][]float32, len(hashes))
	for start := 0; start < len(hashes); start += idBatch {
		part := hashes[start:min(start+idBatch, len(hashes))]
		var rows []cacheRow
		err := s.get(ctx, "read embedding cache", s.names.cache, func(b *graphql.GetBuilder) *graphql.GetBuilder {
			return b.WithFields(fields("hash", "vector")...).WithLimit(len(part)).
				WithWhere(filters.Where().WithOperator(filters.And).WithOperands([]*filters.WhereBuilder{
					filters.Where().WithPath([]string{"model"}).WithOperator(filters.Equal).WithValueText(model),
					idsWhere("hash", part),
				}))
		}, &rows)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			if v, ok := decodeVector(r.Vector); ok {
				out[r.Hash] = v
			}
		}
	}
	return out, nil
}

// CacheEmbeddings stores vectors by hash, replacing existing entries.
func (s *Store) CacheEmbeddings(ctx context.Context, model string, vecs map[string][]float32) error {
	objs := make([]*models.Object, 0, len(vecs))
	for h, v := range vecs {
		objs = append(objs, &models.Object{
			Class: s.names.cache, ID: strfmtUUID(objectID("cache", model+"\x00"+h)),
			Properties: map[string]any{"model": model, "hash": h, "vector": encodeVector(v)},
		})
	}
	if err := s.writeObjects(ctx, "write embedding cache", objs); err != nil {
		return fmt.Errorf("cache %d embeddings: %w", len(vecs), err)
	}
	return nil
}

func encodeVector(v []float32) string {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return base64.StdEncoding.EncodeToString(b)
}

func decodeVector(s string) ([]float32, bool) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b)%4 != 0 || len(b) == 0 {
		return nil, false
	}
	v := make([]float32, len(b)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return v, true
}
