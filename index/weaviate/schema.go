package weaviate

import (
	"context"
	"errors"
	"fmt"
	client "github.com/weaviate/weaviate-go-client/v5/weaviate"

	"github.com/google/uuid"
	"github.com/weaviate/weaviate/entities/models"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/index"
)

// SchemaVersion is the version of the classes this code reads and writes.
// A cluster recording an older version is migrated at Open; a newer one is
// refused (upgrade semsearch).
const SchemaVersion = 2

// migrations[v-1] brings classes from version v-1 to v; version 1 creates
// them. Each is idempotent, so an Open interrupted half-way runs it again
// (the meta object records the version only once all have run).
var migrations = []func(ctx context.Context, s *Store, replicas int) error{
	func(ctx context.Context, s *Store, replicas int) error { return s.createClasses(ctx, replicas) },
	// 2: stemmed copies of title, heading and text for BM25 (stem.go);
	// every stored post is written again to fill them.
	func(ctx context.Context, s *Store, _ int) error {
		s.enableAsync(ctx)
		for _, name := range stemProps {
			if err := s.ensureProperty(ctx, s.names.chunk, textProp(name, true, "whitespace")); err != nil {
				return err
			}
		}
		return s.restoreAll(ctx)
	},
}

// stemProps are the chunk properties BM25 searches (schema version 2).
var stemProps = []string{"titleStem", "headingStem", "textStem", "lexStem"}

// ns is the namespace of the UUIDs derived from semsearch IDs.
var ns = uuid.MustParse("8f6b6f9e-3c54-4d0e-9d2b-5e6f5e1c9a11")

func objectID(kind, id string) string { return uuid.NewSHA1(ns, []byte(kind+"\x00"+id)).String() }

const metaKey = "meta"

type metaRecord struct {
	SchemaVersion int    `json:"schemaVersion"`
	Model         string `json:"model"`
	Dims          int    `json:"dims"`
}

func (s *Store) init(ctx context.Context, model string, dims int) error {
	nodes, err := s.nodeCount(ctx)
	if err != nil {
		return err
	}
	replicas := s.opts.Replication
	if replicas <= 0 {
		replicas = min(3, nodes)
	}
	if replicas > nodes {
		return semsearch.Errorf(semsearch.EInvalid, "replication factor %d needs at least %d nodes; the cluster has %d", replicas, replicas, nodes)
	}
	if replicas == 1 && nodes > 1 && !s.opts.AllowUnreplicated {
		return semsearch.Errorf(semsearch.EInvalid, "replication factor 1 on a %d-node cluster: a node down would silently drop its share of every result; use replication ≥ 2 (or allow it explicitly)", nodes)
	}
	meta, found, err := s.readMeta(ctx)
	if err != nil {
		return err
	}
	from := 0
	if found {
		from = meta.SchemaVersion
	}
	if from > SchemaVersion {
		return semsearch.Errorf(semsearch.EConflict, "the cluster's classes have schema version %d; this semsearch knows %d: upgrade semsearch", from, SchemaVersion)
	}
	for v := from; v < SchemaVersion; v++ {
		if err := migrations[v](ctx, s, replicas); err != nil {
			return fmt.Errorf("migrate schema to version %d: %w", v+1, err)
		}
	}
	if err := s.checkReplication(ctx, nodes); err != nil {
		return err
	}
	switch {
	case !found || meta.Model == "":
		if model == "" {
			return semsearch.Errorf(semsearch.EInvalid, "the index is new: an embedding model is needed to create it")
		}
		meta = metaRecord{SchemaVersion: SchemaVersion, Model: model, Dims: dims}
	case model != "" && (meta.Model != model || meta.Dims != dims):
		return semsearch.Errorf(semsearch.EConflict,
			"the index was built with model %q (%d dims) but %q (%d dims) is configured: configure %q again (reindex into another class prefix to switch models)",
			meta.Model, meta.Dims, model, dims, meta.Model)
	}
	meta.SchemaVersion = SchemaVersion
	if err := s.writeMeta(ctx, meta); err != nil {
		return err
	}
	s.model, s.dims = meta.Model, meta.Dims
	return nil
}

func (s *Store) nodeCount(ctx context.Context) (int, error) {
	var n int
	err := s.call(ctx, "list nodes", func(ctx context.Context, wc *client.Client) error {
		st, err := wc.Cluster().NodesStatusGetter().Do(ctx)
		if err != nil {
			return err
		}
		n = len(st.Nodes)
		return nil
	})
	if err == nil && n == 0 {
		err = semsearch.Errorf(semsearch.EUnavailable, "the weaviate cluster lists no nodes")
	}
	return n, err
}

// checkReplication refuses classes that a node failure would silently
// truncate, unless allowed.
func (s *Store) checkReplication(ctx context.Context, nodes int) error {
	for _, name := range []string{s.names.post, s.names.chunk, s.names.cache} {
		var cls *models.Class
		err := s.call(ctx, "read class "+name, func(ctx context.Context, wc *client.Client) error {
			var err error
			cls, err = wc.Schema().ClassGetter().WithClassName(name).Do(ctx)
			return err
		})
		if err != nil {
			return err
		}
		factor := int64(1)
		if cls.ReplicationConfig != nil && cls.ReplicationConfig.Factor > 0 {
			factor = cls.ReplicationConfig.Factor
		}
		s.replicated = factor > 1
		if factor == 1 && nodes > 1 {
			if !s.opts.AllowUnreplicated {
				return semsearch.Errorf(semsearch.EInvalid, "class %s has no replication on a %d-node cluster: a node down would silently drop its share of every result", name, nodes)
			}
			s.log.WarnContext(ctx, "weaviate: class without replication on a multi-node cluster; results are partial while a node is down", "class", name, "nodes", nodes)
		}
		if s.opts.Consistency == Quorum && factor == 2 {
			s.log.WarnContext(ctx, "weaviate: replication factor 2 at QUORUM needs both replicas: one node down fails requests", "class", name)
		}
	}
	return nil
}

func textProp(name string, searchable bool, tokenization string) *models.Property {
	f, t := true, searchable
	return &models.Property{Name: name, DataType: []string{"text"}, Tokenization: tokenization,
		IndexFilterable: &f, IndexSearchable: &t}
}

func keyProp(name string, array bool) *models.Property {
	p := textProp(name, false, "field")
	if array {
		p.DataType = []string{"text[]"}
	}
	return p
}

func storedProp(name, dataType string) *models.Property {
	no := false
	return &models.Property{Name: name, DataType: []string{dataType}, IndexFilterable: &no, IndexSearchable: &no}
}

func numProp(name, dataType string) *models.Property {
	yes, no := true, false
	return &models.Property{Name: name, DataType: []string{dataType}, IndexFilterable: &yes, IndexSearchable: &no, IndexRangeFilters: &yes}
}

// filterProps are the post fields filters read, lower-cased and trimmed so
// that Equal is the embedded store's case-insensitive exact match.
func filterProps() []*models.Property {
	return []*models.Property{
		keyProp("postId", false),
		keyProp("sourceKey", true), // the source title and URL
		keyProp("authorKeys", true),
		keyProp("tagKeys", true),
		numProp("published", "date"),
		numProp("gen", "number"), // GraphQL Int is 32-bit: a float64 holds µs exactly
	}
}

func (s *Store) createClasses(ctx context.Context, replicas int) error {
	noVectors := func() map[string]any { return map[string]any{"skip": true} }
	repl := &models.ReplicationConfig{Factor: int64(replicas), AsyncEnabled: replicas > 1}
	post := &models.Class{
		Class: s.names.post, Description: "semsearch posts (schema v1)", Vectorizer: "none",
		VectorIndexConfig: noVectors(), ReplicationConfig: repl,
		Properties: append(filterProps(),
			storedProp("title", "text"), storedProp("url", "text"), storedProp("authors", "text[]"),
			storedProp("updated", "date"), storedProp("tags", "text[]"), storedProp("sourceTitle", "text"),
			storedProp("sourceUrl", "text"), storedProp("text", "text"), keyProp("contentHash", false),
			storedProp("summary", "text"), storedProp("readingTime", "text"), storedProp("titleDerived", "boolean"),
			storedProp("ingestedAt", "date"), storedProp("chunkCount", "int")),
	}
	chunk := &models.Class{
		Class: s.names.chunk, Description: "semsearch chunks with their vectors (schema v1)", Vectorizer: "none",
		VectorIndexType: "hnsw", VectorIndexConfig: map[string]any{"distance": "cosine"}, ReplicationConfig: repl,
		InvertedIndexConfig: &models.InvertedIndexConfig{
			Bm25:      &models.BM25Config{K1: 1.2, B: 0.75},
			Stopwords: &models.StopwordConfig{Preset: "none"}, // the query drops stop words as FTS does
		},
		Properties: append(filterProps(),
			keyProp("chunkId", false), numProp("ordinal", "int"),
			textProp("title", true, "word"), textProp("heading", true, "word"), textProp("text", true, "word"),
			storedProp("start", "int"), storedProp("end", "int")),
	}
	cache := &models.Class{
		Class: s.names.cache, Description: "semsearch embedding cache (schema v1)", Vectorizer: "none",
		VectorIndexConfig: noVectors(), ReplicationConfig: repl,
		Properties: []*models.Property{keyProp("model", false), keyProp("hash", false), storedProp("vector", "blob")},
	}
	meta := &models.Class{
		Class: s.names.meta, Description: "semsearch index metadata", Vectorizer: "none",
		VectorIndexConfig: noVectors(), ReplicationConfig: repl,
		Properties: []*models.Property{storedProp("schemaVersion", "int"), storedProp("model", "text"), storedProp("dims", "int")},
	}
	for _, cls := range []*models.Class{meta, post, chunk, cache} {
		if err := s.ensureClass(ctx, cls); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) ensureClass(ctx context.Context, cls *models.Class) error {
	return s.call(ctx, "create class "+cls.Class, func(ctx context.Context, wc *client.Client) error {
		ok, err := wc.Schema().ClassExistenceChecker().WithClassName(cls.Class).Do(ctx)
		if err != nil || ok {
			return err
		}
		return wc.Schema().ClassCreator().WithClass(cls).Do(ctx)
	})
}

// enableAsync turns on async replication (replicas that missed writes
// while down catch up in the background) on replicated classes made before
// it was the default; a failure is only logged.
func (s *Store) enableAsync(ctx context.Context) {
	for _, name := range []string{s.names.post, s.names.chunk, s.names.cache} {
		err := s.call(ctx, "enable async replication on "+name, func(ctx context.Context, wc *client.Client) error {
			cls, err := wc.Schema().ClassGetter().WithClassName(name).Do(ctx)
			if err != nil || cls.ReplicationConfig == nil || cls.ReplicationConfig.Factor < 2 || cls.ReplicationConfig.AsyncEnabled {
				return err
			}
			cls.ReplicationConfig.AsyncEnabled = true
			return wc.Schema().ClassUpdater().WithClass(cls).Do(ctx)
		})
		if err != nil {
			s.log.WarnContext(ctx, "weaviate: async replication not enabled", "class", name, "error", err)
		}
	}
}

func (s *Store) ensureProperty(ctx context.Context, class string, p *models.Property) error {
	return s.call(ctx, "add property "+p.Name, func(ctx context.Context, wc *client.Client) error {
		cls, err := wc.Schema().ClassGetter().WithClassName(class).Do(ctx)
		if err != nil {
			return err
		}
		for _, have := range cls.Properties {
			if have.Name == p.Name {
				return nil
			}
		}
		return wc.Schema().PropertyCreator().WithClassName(class).WithProperty(p).Do(ctx)
	})
}

// restoreAll writes every stored post again from what the cluster holds
// (a migration that adds derived properties). The model is not known yet
// at migration time: vectors are written back as they are.
func (s *Store) restoreAll(ctx context.Context) error {
	ids, err := s.PostIDs(ctx)
	if err != nil || len(ids) == 0 {
		return err
	}
	s.log.InfoContext(ctx, "weaviate: rewriting every post for the new schema", "posts", len(ids))
	var docs []index.Doc
	for i, id := range ids {
		p, err := s.Post(ctx, id)
		if err != nil {
			return err
		}
		chunks, vecs, err := s.PostChunks(ctx, id)
		if err != nil {
			return err
		}
		docs = append(docs, index.Doc{Post: p, Chunks: chunks, Vecs: vecs})
		if len(docs) == 50 || i == len(ids)-1 {
			if err := s.putMany(ctx, docs, true); err != nil {
				return err
			}
			docs = docs[:0]
		}
	}
	return nil
}

func (s *Store) readMeta(ctx context.Context) (metaRecord, bool, error) {
	var m metaRecord
	found := false
	err := s.call(ctx, "read meta", func(ctx context.Context, wc *client.Client) error {
		ok, err := wc.Schema().ClassExistenceChecker().WithClassName(s.names.meta).Do(ctx)
		if err != nil || !ok {
			return err
		}
		objs, err := wc.Data().ObjectsGetter().WithClassName(s.names.meta).WithID(objectID("meta", metaKey)).
			WithConsistencyLevel(s.opts.Consistency).Do(ctx)
		if err != nil {
			if notFound(err) {
				return nil
			}
			return err
		}
		if len(objs) == 0 {
			return nil
		}
		found = true
		return decodeProps(objs[0].Properties, &m)
	})
	return m, found, err
}

func (s *Store) writeMeta(ctx context.Context, m metaRecord) error {
	return s.writeObjects(ctx, "write meta", []*models.Object{{
		Class: s.names.meta, ID: strfmtUUID(objectID("meta", metaKey)),
		Properties: map[string]any{"schemaVersion": m.SchemaVersion, "model": m.Model, "dims": m.Dims},
	}})
}

func notFound(err error) bool {
	var fe interface{ Error() string }
	return errors.As(err, &fe) && containsAny(err.Error(), "status code: 404")
}
