// Package fakeembed is an OpenAI-compatible embedding server for tests that
// need a real HTTP embedder but not a real model: crash, load and fault
// tests. Its vectors are deterministic hashed bags of words, so texts that
// share words are close and results are reproducible.
package fakeembed

import (
	"encoding/json"
	"hash/fnv"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"unicode"
)

// Dims is the dimension of every vector the server returns.
const Dims = 64

// Server is a running fake embedding server.
type Server struct {
	*httptest.Server
	requests atomic.Int64
	inputs   atomic.Int64
}

// New starts a server answering POST /v1/embeddings; URL+"/v1" is the base
// URL to give an OpenAI-compatible client.
func New() *Server {
	s := &Server{}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Requests and Inputs count the embedding calls and texts served so far.
func (s *Server) Requests() int64 { return s.requests.Load() }
func (s *Server) Inputs() int64   { return s.inputs.Load() }

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/embeddings" {
		http.Error(w, `{"error":{"message":"not found"}}`, http.StatusNotFound)
		return
	}
	var req struct {
		Input json.RawMessage `json:"input"`
		Model string          `json:"model"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, `{"error":{"message":"bad json"}}`, http.StatusBadRequest)
		return
	}
	var inputs []string
	if err := json.Unmarshal(req.Input, &inputs); err != nil {
		var one string
		if err := json.Unmarshal(req.Input, &one); err != nil {
			http.Error(w, `{"error":{"message":"bad input"}}`, http.StatusBadRequest)
			return
		}
		inputs = []string{one}
	}
	s.requests.Add(1)
	s.inputs.Add(int64(len(inputs)))
	type datum struct {
		Object    string    `json:"object"`
		Index     int       `json:"index"`
		Embedding []float32 `json:"embedding"`
	}
	data := make([]datum, len(inputs))
	for i, in := range inputs {
		data[i] = datum{Object: "embedding", Index: i, Embedding: Vector(in)}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{
		"object": "list", "data": data, "model": req.Model,
		"usage": map[string]int{"prompt_tokens": 0, "total_tokens": 0},
	})
}

// Vector is the unit vector the server returns for text: each lower-cased
// word adds 1 to a hashed dimension. Text without words maps to a fixed
// non-zero vector.
func Vector(text string) []float32 {
	v := make([]float32, Dims)
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		h := fnv.New32a()
		h.Write([]byte(w))
		v[h.Sum32()%Dims]++
	}
	var norm float64
	for _, x := range v {
		norm += float64(x) * float64(x)
	}
	if norm == 0 {
		v[0], norm = 1, 1
	}
	inv := float32(1 / math.Sqrt(norm))
	for i := range v {
		v[i] *= inv
	}
	return v
}
