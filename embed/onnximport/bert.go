package onnximport

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// bertShape is what an encoder's tensors say about its size.
type bertShape struct {
	Vocab, Hidden, Layers, Intermediate, Positions, TypeVocab int
}

// matmulNode matches the exporter's names for the linear layers of a BERT
// encoder, e.g. "/encoder/layer.3/attention/self/query/MatMul". Their weights
// are anonymous initializers ("onnx::MatMul_1525") stored [in, out].
var matmulNode = regexp.MustCompile(`^/((?:bert/)?encoder/layer\.\d+/(?:attention/self/(?:query|key|value)|attention/output/dense|intermediate/dense|output/dense))/MatMul$`)

// bertTensors names the graph's weights as a Hugging Face BertModel does
// (the layout embed/local loads), checks that every one an encoder needs is
// there with the right shape, and returns them with the shape they imply.
// Linear weights are transposed back to [out, in].
func bertTensors(g graph) (map[string]tensor, bertShape, error) {
	named := map[string]tensor{}
	for name, t := range g.tensors {
		named[strings.TrimPrefix(name, "bert.")] = t
	}
	for _, n := range g.nodes {
		m := matmulNode.FindStringSubmatch(n.name)
		if m == nil || n.op != "MatMul" || len(n.inputs) != 2 {
			continue
		}
		t, ok := g.tensors[n.inputs[1]]
		if !ok || len(t.dims) != 2 {
			return nil, bertShape{}, fmt.Errorf("node %s: its weight %q is not a 2-d float initializer", n.name, n.inputs[1])
		}
		name := strings.TrimPrefix(strings.ReplaceAll(m[1], "/", "."), "bert.") + ".weight"
		named[name] = transpose(t)
	}

	word, ok := named["embeddings.word_embeddings.weight"]
	if !ok || len(word.dims) != 2 {
		return nil, bertShape{}, fmt.Errorf("no 2-d embeddings.word_embeddings.weight: not a BERT encoder export")
	}
	s := bertShape{Vocab: word.dims[0], Hidden: word.dims[1]}
	s.Positions = firstDim(named["embeddings.position_embeddings.weight"])
	s.TypeVocab = firstDim(named["embeddings.token_type_embeddings.weight"])
	s.Intermediate = firstDim(named["encoder.layer.0.intermediate.dense.bias"])
	for {
		if _, ok := named[fmt.Sprintf("encoder.layer.%d.output.dense.bias", s.Layers)]; !ok {
			break
		}
		s.Layers++
	}
	if s.Layers == 0 {
		return nil, s, fmt.Errorf("no encoder layers found")
	}

	want := expectedShapes(s)
	out := make(map[string]tensor, len(want))
	for name, dims := range want {
		t, ok := named[name]
		if !ok {
			return nil, s, fmt.Errorf("tensor %s missing from the export", name)
		}
		if !slices.Equal(t.dims, dims) {
			return nil, s, fmt.Errorf("tensor %s has shape %v, want %v", name, t.dims, dims)
		}
		out[name] = t
	}
	return out, s, nil
}

// expectedShapes lists every tensor a BertModel encoder of shape s has
// (without the pooler, which sentence embeddings do not use).
func expectedShapes(s bertShape) map[string][]int {
	H, I := s.Hidden, s.Intermediate
	w := map[string][]int{
		"embeddings.word_embeddings.weight":       {s.Vocab, H},
		"embeddings.position_embeddings.weight":   {s.Positions, H},
		"embeddings.token_type_embeddings.weight": {s.TypeVocab, H},
		"embeddings.LayerNorm.weight":             {H},
		"embeddings.LayerNorm.bias":               {H},
	}
	for l := range s.Layers {
		p := fmt.Sprintf("encoder.layer.%d.", l)
		for _, lin := range []string{"attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"} {
			w[p+lin+".weight"] = []int{H, H}
			w[p+lin+".bias"] = []int{H}
		}
		w[p+"intermediate.dense.weight"] = []int{I, H}
		w[p+"intermediate.dense.bias"] = []int{I}
		w[p+"output.dense.weight"] = []int{H, I}
		w[p+"output.dense.bias"] = []int{H}
		for _, ln := range []string{"attention.output.LayerNorm", "output.LayerNorm"} {
			w[p+ln+".weight"] = []int{H}
			w[p+ln+".bias"] = []int{H}
		}
	}
	return w
}

func transpose(t tensor) tensor {
	rows, cols := t.dims[0], t.dims[1]
	out := tensor{dims: []int{cols, rows}, data: make([]float32, len(t.data))}
	for r := range rows {
		for c := range cols {
			out.data[c*rows+r] = t.data[r*cols+c]
		}
	}
	return out
}

func firstDim(t tensor) int {
	if len(t.dims) == 0 {
		return 0
	}
	return t.dims[0]
}
