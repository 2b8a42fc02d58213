package local

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// A tiny random BERT written to disk in each safetensors dtype and naming
// variant, run through loadDir and compared with a plain float64 reference
// implementation. This covers what the real weights do not (CLS pooling
// without bge's weights, F16/BF16, the "bert." prefix, gamma/beta names)
// and runs without any download.

type tinySpec struct {
	dtype     string // F32, F16, BF16
	prefix    string // "" or "bert."
	gammaBeta bool   // LayerNorm parameters named gamma/beta
	pooling   string
	prompt    string // config_sentence_transformers.json "query" prompt
}

const (
	tinyH, tinyHeads, tinyI, tinyLayers, tinyPos = 32, 4, 64, 2, 48
)

var tinyVocab = []string{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "quick", "brown", "fox",
	"jumps", "over", "lazy", "dog", "search", "query", ":", ",", ".", "##s", "##ing", "a", "b", "c"}

type tinyModel struct {
	t map[string][]float64 // unprefixed HF names, weight/bias LayerNorm names
}

// quantise makes v exactly representable in the dtype, so the reference
// and the loaded weights agree bit for bit.
func quantise(v float64, dtype string) float64 {
	switch dtype {
	case "F16":
		return math.Round(v*1024) / 1024
	case "BF16":
		return math.Round(v*128) / 128
	}
	return float64(float32(v))
}

func makeTinyModel(t *testing.T, dir string, spec tinySpec) *tinyModel {
	t.Helper()
	r := rand.New(rand.NewPCG(11, uint64(len(spec.dtype)+len(spec.prefix))))
	m := &tinyModel{t: map[string][]float64{}}
	shapes := map[string][]int{}
	add := func(name string, scale, offset float64, shape ...int) {
		n := 1
		for _, d := range shape {
			n *= d
		}
		v := make([]float64, n)
		for i := range v {
			v[i] = quantise(offset+scale*(r.Float64()*2-1), spec.dtype)
		}
		m.t[name], shapes[name] = v, shape
	}
	V := len(tinyVocab)
	add("embeddings.word_embeddings.weight", 0.5, 0, V, tinyH)
	add("embeddings.position_embeddings.weight", 0.2, 0, tinyPos, tinyH)
	add("embeddings.token_type_embeddings.weight", 0.2, 0, 2, tinyH)
	add("embeddings.LayerNorm.weight", 0.2, 1, tinyH)
	add("embeddings.LayerNorm.bias", 0.1, 0, tinyH)
	for l := 0; l < tinyLayers; l++ {
		p := fmt.Sprintf("encoder.layer.%d.", l)
		for _, n := range []string{"attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"} {
			add(p+n+".weight", 0.3, 0, tinyH, tinyH)
			add(p+n+".bias", 0.1, 0, tinyH)
		}
		add(p+"intermediate.dense.weight", 0.3, 0, tinyI, tinyH)
		add(p+"intermediate.dense.bias", 0.1, 0, tinyI)
		add(p+"output.dense.weight", 0.2, 0, tinyH, tinyI)
		add(p+"output.dense.bias", 0.1, 0, tinyH)
		for _, n := range []string{"attention.output.LayerNorm", "output.LayerNorm"} {
			add(p+n+".weight", 0.2, 1, tinyH)
			add(p+n+".bias", 0.1, 0, tinyH)
		}
	}
	// Written names: prefix, and gamma/beta for LayerNorm if asked.
	written := map[string]string{}
	for name := range m.t {
		out := spec.prefix + name
		if spec.gammaBeta && strings.Contains(name, "LayerNorm") {
			out = strings.TrimSuffix(strings.TrimSuffix(out, ".weight"), ".bias")
			if strings.HasSuffix(name, ".weight") {
				out += ".gamma"
			} else {
				out += ".beta"
			}
		}
		written[out] = name
	}
	names := make([]string, 0, len(written))
	for n := range written {
		names = append(names, n)
	}
	sort.Strings(names)
	header := map[string]any{"__metadata__": map[string]string{"format": "pt"}}
	var data []byte
	for _, out := range names {
		v := m.t[written[out]]
		start := len(data)
		for _, x := range v {
			switch spec.dtype {
			case "F32":
				data = binary.LittleEndian.AppendUint32(data, math.Float32bits(float32(x)))
			case "BF16":
				data = binary.LittleEndian.AppendUint16(data, uint16(math.Float32bits(float32(x))>>16))
			case "F16":
				data = binary.LittleEndian.AppendUint16(data, f32ToF16Exact(float32(x)))
			}
		}
		header[out] = map[string]any{"dtype": spec.dtype, "shape": shapes[written[out]], "data_offsets": []int{start, len(data)}}
	}
	// A tensor the encoder must ignore, as in real checkpoints.
	posStart := len(data)
	for i := 0; i < tinyPos; i++ {
		data = binary.LittleEndian.AppendUint64(data, uint64(i))
	}
	header[spec.prefix+"embeddings.position_ids"] = map[string]any{"dtype": "I64", "shape": []int{1, tinyPos}, "data_offsets": []int{posStart, len(data)}}
	hb, _ := json.Marshal(header)
	file := binary.LittleEndian.AppendUint64(nil, uint64(len(hb)))
	file = append(append(file, hb...), data...)

	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(dir, "1_Pooling"), 0o755))
	must(os.WriteFile(filepath.Join(dir, "model.safetensors"), file, 0o644))
	must(os.WriteFile(filepath.Join(dir, "vocab.txt"), []byte(strings.Join(tinyVocab, "\n")+"\n"), 0o644))
	cfg := fmt.Sprintf(`{"model_type":"bert","hidden_size":%d,"num_hidden_layers":%d,"num_attention_heads":%d,
		"intermediate_size":%d,"hidden_act":"gelu","layer_norm_eps":1e-12,"max_position_embeddings":%d,
		"type_vocab_size":2,"vocab_size":%d}`, tinyH, tinyLayers, tinyHeads, tinyI, tinyPos, V)
	must(os.WriteFile(filepath.Join(dir, "config.json"), []byte(cfg), 0o644))
	must(os.WriteFile(filepath.Join(dir, "modules.json"), []byte(`[
		{"idx":0,"name":"0","path":"","type":"sentence_transformers.models.Transformer"},
		{"idx":1,"name":"1","path":"1_Pooling","type":"sentence_transformers.models.Pooling"},
		{"idx":2,"name":"2","path":"2_Normalize","type":"sentence_transformers.models.Normalize"}]`), 0o644))
	pool := fmt.Sprintf(`{"word_embedding_dimension":%d,"pooling_mode_cls_token":%v,"pooling_mode_mean_tokens":%v}`,
		tinyH, spec.pooling == poolCLS, spec.pooling == poolMean)
	must(os.WriteFile(filepath.Join(dir, "1_Pooling", "config.json"), []byte(pool), 0o644))
	must(os.WriteFile(filepath.Join(dir, "sentence_bert_config.json"), []byte(`{"max_seq_length":40,"do_lower_case":false}`), 0o644))
	prompts, _ := json.Marshal(map[string]any{"prompts": map[string]string{"query": spec.prompt}})
	must(os.WriteFile(filepath.Join(dir, "config_sentence_transformers.json"), prompts, 0o644))
	return m
}

// f32ToF16Exact encodes a float32 that is exactly representable as a
// normal half (or zero).
func f32ToF16Exact(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	if b&0x7fffffff == 0 {
		return sign
	}
	exp := int(b>>23&0xff) - 127 + 15
	return sign | uint16(exp)<<10 | uint16(b>>13&0x3ff)
}

// forward is the float64 reference: BERT as written in the paper and HF's
// modeling_bert, one sequence, no batching, no tricks.
func (m *tinyModel) forward(ids []int32, pooling string) []float64 {
	H, dh, L := tinyH, tinyH/tinyHeads, len(ids)
	w := m.t
	ln := func(x []float64, g, b []float64) {
		var mean, vs float64
		for _, v := range x {
			mean += v
		}
		mean /= float64(len(x))
		for _, v := range x {
			vs += (v - mean) * (v - mean)
		}
		inv := 1 / math.Sqrt(vs/float64(len(x))+1e-12)
		for i := range x {
			x[i] = (x[i]-mean)*inv*g[i] + b[i]
		}
	}
	lin := func(x []float64, name string, out int) []float64 {
		W, B := w[name+".weight"], w[name+".bias"]
		in := len(x)
		y := make([]float64, out)
		for j := range y {
			s := B[j]
			for k := 0; k < in; k++ {
				s += W[j*in+k] * x[k]
			}
			y[j] = s
		}
		return y
	}
	x := make([][]float64, L)
	for p, id := range ids {
		x[p] = make([]float64, H)
		for j := range x[p] {
			x[p][j] = w["embeddings.word_embeddings.weight"][int(id)*H+j] + w["embeddings.position_embeddings.weight"][p*H+j] +
				w["embeddings.token_type_embeddings.weight"][j]
		}
		ln(x[p], w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
	}
	for l := 0; l < tinyLayers; l++ {
		p := fmt.Sprintf("encoder.layer.%d.", l)
		q, k, v := make([][]float64, L), make([][]float64, L), make([][]float64, L)
		for i := range x {
			q[i], k[i], v[i] = lin(x[i], p+"attention.self.query", H), lin(x[i], p+"attention.self.key", H), lin(x[i], p+"attention.self.value", H)
		}
		ctx := make([][]float64, L)
		for i := range ctx {
			ctx[i] = make([]float64, H)
			for h := 0; h < tinyHeads; h++ {
				s := make([]float64, L)
				mx := math.Inf(-1)
				for j := range s {
					for d := 0; d < dh; d++ {
						s[j] += q[i][h*dh+d] * k[j][h*dh+d]
					}
					s[j] /= math.Sqrt(float64(dh))
					mx = math.Max(mx, s[j])
				}
				var sum float64
				for j := range s {
					s[j] = math.Exp(s[j] - mx)
					sum += s[j]
				}
				for j := range s {
					for d := 0; d < dh; d++ {
						ctx[i][h*dh+d] += s[j] / sum * v[j][h*dh+d]
					}
				}
			}
		}
		for i := range x {
			a := lin(ctx[i], p+"attention.output.dense", H)
			for j := range a {
				a[j] += x[i][j]
			}
			ln(a, w[p+"attention.output.LayerNorm.weight"], w[p+"attention.output.LayerNorm.bias"])
			inter := lin(a, p+"intermediate.dense", tinyI)
			for j, u := range inter {
				inter[j] = 0.5 * u * (1 + math.Erf(u/math.Sqrt2))
			}
			o := lin(inter, p+"output.dense", H)
			for j := range o {
				o[j] += a[j]
			}
			ln(o, w[p+"output.LayerNorm.weight"], w[p+"output.LayerNorm.bias"])
			x[i] = o
		}
	}
	out := make([]float64, H)
	if pooling == poolCLS {
		copy(out, x[0])
	} else {
		for i := range x {
			for j := range out {
				out[j] += x[i][j] / float64(L)
			}
		}
	}
	var n float64
	for _, v := range out {
		n += v * v
	}
	for j := range out {
		out[j] /= math.Sqrt(n)
	}
	return out
}

func TestModel_TinyAgainstReference(t *testing.T) {
	specs := []tinySpec{
		{dtype: "F32", pooling: poolMean},
		{dtype: "F16", prefix: "bert.", pooling: poolCLS, prompt: "search query: "},
		{dtype: "BF16", gammaBeta: true, pooling: poolMean},
	}
	r := rand.New(rand.NewPCG(1, 1))
	var seqs [][]int32
	for _, n := range []int{2, 3, 17, 40, 5, 29, 2, 13} {
		s := make([]int32, n)
		for i := range s {
			s[i] = int32(5 + r.IntN(len(tinyVocab)-5))
		}
		s[0], s[n-1] = 2, 3
		seqs = append(seqs, s)
	}
	for _, spec := range specs {
		for _, threads := range []int{1, 3} {
			t.Run(fmt.Sprintf("%s%s_%s_threads%d", spec.prefix, spec.dtype, spec.pooling, threads), func(t *testing.T) {
				dir := t.TempDir()
				ref := makeTinyModel(t, dir, spec)
				m, err := loadDir(dir, "tiny", Options{Threads: threads, BatchSize: 3, MaxBatchTokens: 50})
				if err != nil {
					t.Fatal(err)
				}
				if m.Dims() != tinyH || m.MaxTokens() != 38 || m.QueryPrefix() != spec.prompt {
					t.Fatalf("dims %d max tokens %d prefix %q", m.Dims(), m.MaxTokens(), m.QueryPrefix())
				}
				got, err := m.embedIDs(context.Background(), seqs)
				if err != nil {
					t.Fatal(err)
				}
				for i, s := range seqs {
					want := ref.forward(s, spec.pooling)
					for j := range want {
						if d := math.Abs(float64(got[i][j]) - want[j]); d > 2e-5 {
							t.Fatalf("seq %d (len %d) dim %d: %v, want %v", i, len(s), j, got[i][j], want[j])
						}
					}
				}
				// Through the tokenizer: passage and query.
				text := "The quick brown fox jumps over the lazy dogs"
				ids := m.tok.Encode(text, m.cfg.truncate)
				p, err := m.EmbedPassages(context.Background(), []string{text})
				if err != nil {
					t.Fatal(err)
				}
				if c := cosine(p[0], toF32(ref.forward(ids, spec.pooling))); c < 0.99999 {
					t.Fatalf("passage cosine %v", c)
				}
				q, err := m.EmbedQuery(context.Background(), text)
				if err != nil {
					t.Fatal(err)
				}
				qids := m.tok.Encode(spec.prompt+text, m.cfg.truncate)
				if c := cosine(q, toF32(ref.forward(qids, spec.pooling))); c < 0.99999 {
					t.Fatalf("query cosine %v", c)
				}
				if m.CountTokens(text) != len(ids)-2 {
					t.Fatalf("CountTokens %d, ids %v", m.CountTokens(text), ids)
				}
			})
		}
	}
}

func toF32(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}
