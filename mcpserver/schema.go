package mcpserver

import (
	"encoding/json"
	"fmt"

	"github.com/google/jsonschema-go/jsonschema"

	"github.com/semsearch/semsearch"
)

// The input schemas are inferred from the input types, then given the
// limits every front door checks (semsearch.Query.Validate, CheckK,
// CheckText), so that a client sees them before it calls.

func inferred[T any]() *jsonschema.Schema {
	s, err := jsonschema.For[T](nil)
	if err != nil {
		panic(fmt.Sprintf("mcpserver: schema of %T: %v", *new(T), err))
	}
	return s
}

func setK(s *jsonschema.Schema) {
	k := s.Properties["k"]
	k.Minimum, k.Maximum = new(float64(1)), new(float64(semsearch.MaxK))
	k.Default = json.RawMessage(fmt.Sprint(semsearch.DefaultK))
}

func setText(s *jsonschema.Schema, name string, max int) {
	p := s.Properties[name]
	p.MinLength, p.MaxLength = new(1), new(max)
}

func searchSchema() *jsonschema.Schema {
	s := inferred[SearchInput]()
	setK(s)
	setText(s, "query", semsearch.MaxQueryRunes)
	s.Properties["mode"].Enum = []any{string(semsearch.ModeHybrid), string(semsearch.ModeVector), string(semsearch.ModeLexical)}
	s.Properties["mode"].Default = json.RawMessage(`"hybrid"`)
	for _, f := range []string{"source", "author", "tag"} {
		s.Properties[f].MaxLength = new(semsearch.MaxFilterRunes)
	}
	return s
}

func idKSchema[T any]() *jsonschema.Schema {
	s := inferred[T]()
	setK(s)
	s.Properties["id"].MinLength = new(1)
	return s
}

func similarSchema() *jsonschema.Schema {
	s := inferred[SimilarInput]()
	setK(s)
	setText(s, "text", semsearch.MaxTextRunes)
	return s
}

func getPostSchema() *jsonschema.Schema {
	s := inferred[GetPostInput]()
	s.Properties["id"].MinLength = new(1)
	s.Properties["offset"].Minimum = new(float64(0))
	s.Properties["length"].Minimum = new(float64(0))
	s.Properties["length"].Maximum = new(float64(maxGetChars))
	return s
}

func ingestSchema() *jsonschema.Schema {
	s := inferred[IngestInput]()
	p := s.Properties["sources"]
	p.MinItems, p.MaxItems = new(1), new(maxIngestSources)
	return s
}
