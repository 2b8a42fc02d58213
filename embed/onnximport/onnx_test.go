package onnximport

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/semsearch/semsearch/embed/weights"
)

// tinyShape is a one-layer encoder small enough to build by hand.
var tinyShape = bertShape{Vocab: 6, Hidden: 4, Layers: 1, Intermediate: 8, Positions: 5, TypeVocab: 2}

// onnxTensor encodes a float TensorProto; raw chooses raw_data over float_data.
func onnxTensor(name string, dims []int, raw bool) []byte {
	var b []byte
	n := 1
	for _, d := range dims {
		b = protowire.AppendTag(b, tensorDims, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(d))
		n *= d
	}
	b = protowire.AppendTag(b, tensorDataType, protowire.VarintType)
	b = protowire.AppendVarint(b, onnxFloat)
	b = protowire.AppendTag(b, tensorName, protowire.BytesType)
	b = protowire.AppendString(b, name)
	data := make([]byte, 0, 4*n)
	for i := range n {
		data = binary.LittleEndian.AppendUint32(data, math.Float32bits(valueOf(name, i)))
	}
	if raw {
		b = protowire.AppendTag(b, tensorRawData, protowire.BytesType)
	} else {
		b = protowire.AppendTag(b, tensorFloatData, protowire.BytesType)
	}
	return protowire.AppendBytes(b, data)
}

// valueOf gives every element of every tensor its own value, so a swapped
// or mis-transposed tensor shows.
func valueOf(name string, i int) float32 {
	h := sha256.Sum256([]byte(name))
	return float32(binary.LittleEndian.Uint16(h[:]))/65536 + float32(i)
}

func onnxNode(name, op string, inputs ...string) []byte {
	var b []byte
	for _, in := range inputs {
		b = protowire.AppendTag(b, nodeInput, protowire.BytesType)
		b = protowire.AppendString(b, in)
	}
	b = protowire.AppendTag(b, nodeName, protowire.BytesType)
	b = protowire.AppendString(b, name)
	b = protowire.AppendTag(b, nodeOpType, protowire.BytesType)
	return protowire.AppendString(b, op)
}

// tinyONNX builds an export shaped like the real one: biases and LayerNorms
// under their module names, linear weights as anonymous [in, out]
// initializers referenced by MatMul nodes. drop leaves one tensor out.
func tinyONNX(drop string) []byte {
	var g []byte
	add := func(field protowire.Number, msg []byte) {
		g = protowire.AppendTag(g, field, protowire.BytesType)
		g = protowire.AppendBytes(g, msg)
	}
	for name, dims := range expectedShapes(tinyShape) {
		if name == drop {
			continue
		}
		if len(dims) != 2 || strings.HasPrefix(name, "embeddings.") { // not a linear layer's weight
			add(graphInitializer, onnxTensor(name, dims, len(dims) == 2))
			continue
		}
		anon := "onnx::MatMul_" + name
		add(graphInitializer, onnxTensor(anon, []int{dims[1], dims[0]}, true))
		path := "/" + strings.ReplaceAll(strings.TrimSuffix(name, ".weight"), ".", "/") + "/MatMul"
		path = strings.Replace(path, "/layer/0/", "/layer.0/", 1)
		add(graphNode, onnxNode(path, "MatMul", "/prev_output_0", anon))
	}
	// Nodes and tensors an importer must skip: a non-float tensor, a MatMul
	// between activations.
	add(graphNode, onnxNode("/encoder/layer.0/attention/self/MatMul", "MatMul", "/q", "/k"))
	var ints []byte
	ints = protowire.AppendTag(ints, tensorDataType, protowire.VarintType)
	ints = protowire.AppendVarint(ints, 7) // INT64
	ints = protowire.AppendTag(ints, tensorName, protowire.BytesType)
	ints = protowire.AppendString(ints, "embeddings.position_ids")
	add(graphInitializer, ints)

	var m []byte
	m = protowire.AppendTag(m, 1, protowire.VarintType) // ir_version
	m = protowire.AppendVarint(m, 6)
	m = protowire.AppendTag(m, modelGraph, protowire.BytesType)
	return protowire.AppendBytes(m, g)
}

func tinyTokenizerJSON(lower bool) []byte {
	vocab := map[string]int{"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "hello": 4, "world": 5}
	b, _ := json.Marshal(map[string]any{
		"normalizer": map[string]any{"type": "BertNormalizer", "lowercase": lower},
		"model":      map[string]any{"type": "WordPiece", "vocab": vocab},
	})
	return b
}

func tinyModel() weights.Model {
	m := weights.Model{Name: "tiny", Pooling: weights.PoolCLS, Dims: 4, MaxTokens: 5, Heads: 2, LowerCase: true}
	for _, p := range []string{weights.WeightsFile, weights.ConfigFile, weights.VocabFile, weights.TokenizerConfig,
		"tokenizer.json", "special_tokens_map.json", "modules.json", "sentence_bert_config.json",
		"1_Pooling/config.json", "config_sentence_transformers.json"} {
		m.Files = append(m.Files, weights.File{Path: p})
	}
	return m
}

// withSums records the sums of what files would be, as checksums.txt does.
func withSums(m weights.Model, files map[string][]byte) weights.Model {
	for i, f := range m.Files {
		s := sha256.Sum256(files[f.Path])
		m.Files[i].SHA256 = hex.EncodeToString(s[:])
	}
	return m
}

// readSafetensors parses what safetensorsFile wrote.
func readSafetensors(t *testing.T, b []byte) map[string]tensor {
	t.Helper()
	n := binary.LittleEndian.Uint64(b)
	var hdr map[string]json.RawMessage
	if err := json.Unmarshal(b[8:8+n], &hdr); err != nil {
		t.Fatal(err)
	}
	out := map[string]tensor{}
	for name, raw := range hdr {
		if name == "__metadata__" {
			continue
		}
		var e struct {
			DType   string   `json:"dtype"`
			Shape   []int    `json:"shape"`
			Offsets [2]int64 `json:"data_offsets"`
		}
		if err := json.Unmarshal(raw, &e); err != nil || e.DType != "F32" {
			t.Fatalf("%s: %s (%v)", name, raw, err)
		}
		data := b[8+int64(n)+e.Offsets[0] : 8+int64(n)+e.Offsets[1]]
		tt := tensor{dims: e.Shape}
		for i := 0; i < len(data); i += 4 {
			tt.data = append(tt.data, math.Float32frombits(binary.LittleEndian.Uint32(data[i:])))
		}
		out[name] = tt
	}
	return out
}

func TestModelFiles_TinyExport(t *testing.T) {
	files, err := modelFiles(tinyModel(), tinyONNX(""), tinyTokenizerJSON(true))
	if err != nil {
		t.Fatal(err)
	}
	got := readSafetensors(t, files[weights.WeightsFile])
	want := expectedShapes(tinyShape)
	if len(got) != len(want) {
		t.Fatalf("%d tensors written, want %d (position_ids and other extras left out)", len(got), len(want))
	}
	// A linear weight: [out, in] after import, element (o, i) is element
	// (i, o) of the anonymous [in, out] initializer.
	q := got["encoder.layer.0.attention.self.query.weight"]
	anon := "onnx::MatMul_encoder.layer.0.attention.self.query.weight"
	for o := range 4 {
		for i := range 4 {
			if w := valueOf(anon, i*4+o); q.data[o*4+i] != w {
				t.Fatalf("query weight (%d,%d) = %v, want %v", o, i, q.data[o*4+i], w)
			}
		}
	}
	// A named tensor comes through as is (float_data or raw_data alike).
	ln := got["embeddings.LayerNorm.bias"]
	for i, v := range ln.data {
		if v != valueOf("embeddings.LayerNorm.bias", i) {
			t.Fatalf("LayerNorm bias[%d] = %v", i, v)
		}
	}

	var cfg map[string]any
	if err := json.Unmarshal(files[weights.ConfigFile], &cfg); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]float64{"hidden_size": 4, "num_hidden_layers": 1, "intermediate_size": 8,
		"num_attention_heads": 2, "vocab_size": 6, "max_position_embeddings": 5, "type_vocab_size": 2} {
		if cfg[k] != v {
			t.Errorf("config.json %s = %v, want %v", k, cfg[k], v)
		}
	}
	if v := string(files[weights.VocabFile]); v != "[PAD]\n[UNK]\n[CLS]\n[SEP]\nhello\nworld\n" {
		t.Errorf("vocab.txt = %q", v)
	}
	if p := string(files["1_Pooling/config.json"]); !strings.Contains(p, `"pooling_mode_cls_token": true`) {
		t.Errorf("pooling config = %s", p)
	}

	again, _ := modelFiles(tinyModel(), tinyONNX(""), tinyTokenizerJSON(true))
	for p, b := range files {
		if string(again[p]) != string(b) {
			t.Errorf("%s differs between two imports of the same export: sums could not be pinned", p)
		}
	}
}

func TestModelFiles_Errors(t *testing.T) {
	tests := []struct {
		name    string
		onnx    []byte
		tok     []byte
		model   func(*weights.Model)
		wantErr string
	}{
		{"missing tensor", tinyONNX("encoder.layer.0.output.LayerNorm.bias"), tinyTokenizerJSON(true), nil, "encoder.layer.0.output.LayerNorm.bias missing"},
		{"missing linear weight", tinyONNX("encoder.layer.0.intermediate.dense.weight"), tinyTokenizerJSON(true), nil, "intermediate.dense.weight missing"},
		{"not bert", tinyONNX("embeddings.word_embeddings.weight"), tinyTokenizerJSON(true), nil, "not a BERT encoder"},
		{"not protobuf", []byte("\xff\xff\xff"), tinyTokenizerJSON(true), nil, "onnx model"},
		{"no graph", protowire.AppendVarint(protowire.AppendTag(nil, 1, protowire.VarintType), 6), tinyTokenizerJSON(true), nil, "no graph"},
		{"casing differs", tinyONNX(""), tinyTokenizerJSON(false), nil, "lowercase=false"},
		{"tokenizer not json", tinyONNX(""), []byte("{"), nil, "tokenizer.json"},
		{"dims differ", tinyONNX(""), tinyTokenizerJSON(true), func(m *weights.Model) { m.Dims = 384 }, "hidden size 4"},
		{"heads do not divide", tinyONNX(""), tinyTokenizerJSON(true), func(m *weights.Model) { m.Heads = 3 }, "3 attention heads"},
		{"unknown file", tinyONNX(""), tinyTokenizerJSON(true), func(m *weights.Model) {
			m.Files = append(m.Files, weights.File{Path: "pytorch_model.bin"})
		}, "pytorch_model.bin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := tinyModel()
			if tt.model != nil {
				tt.model(&m)
			}
			_, err := modelFiles(m, tt.onnx, tt.tok)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.wantErr)
			}
		})
	}
}

// writeJar packs the export and tokenizer as the Maven artifact does.
func writeJar(t *testing.T, entries map[string][]byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "model.jar")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for name, b := range entries {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(b)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return path
}

func TestImport(t *testing.T) {
	onnxBytes, tok := tinyONNX(""), tinyTokenizerJSON(true)
	files, err := modelFiles(tinyModel(), onnxBytes, tok)
	if err != nil {
		t.Fatal(err)
	}
	m := withSums(tinyModel(), files)
	jar := writeJar(t, map[string][]byte{"META-INF/MANIFEST.MF": []byte("x"), "tiny.onnx": onnxBytes, "tiny-tokenizer.json": tok})

	onnxDir := t.TempDir()
	os.WriteFile(filepath.Join(onnxDir, "model.onnx"), onnxBytes, 0o644)
	os.WriteFile(filepath.Join(onnxDir, "tokenizer.json"), tok, 0o644)

	for name, src := range map[string]string{"jar": jar, "onnx file": filepath.Join(onnxDir, "model.onnx")} {
		t.Run(name, func(t *testing.T) {
			models := t.TempDir()
			if err := Import(context.Background(), src, models, m); err != nil {
				t.Fatal(err)
			}
			for _, f := range m.Files {
				b, err := os.ReadFile(weights.Path(models, m.Name, f.Path))
				if err != nil || string(b) != string(files[f.Path]) {
					t.Fatalf("%s: %v", f.Path, err)
				}
			}
			if left, _ := filepath.Glob(filepath.Join(models, ".import-*")); len(left) != 0 {
				t.Errorf("temp dirs left behind: %v", left)
			}
		})
	}

	t.Run("unrecorded sum installs nothing", func(t *testing.T) {
		models := t.TempDir()
		bad := withSums(tinyModel(), files)
		bad.Files[1].SHA256 = strings.Repeat("0", 64)
		err := Import(context.Background(), jar, models, bad)
		if !errors.Is(err, weights.ErrCorrupt) || !strings.Contains(err.Error(), bad.Files[1].Path) {
			t.Fatalf("err = %v, want ErrCorrupt naming %s", err, bad.Files[1].Path)
		}
		if entries, _ := os.ReadDir(models); len(entries) != 0 {
			t.Fatalf("models dir has %d entries after a refused import", len(entries))
		}
	})

	for name, src := range map[string]string{
		"no onnx in jar":  writeJar(t, map[string][]byte{"tokenizer.json": tok}),
		"two onnx in jar": writeJar(t, map[string][]byte{"a.onnx": onnxBytes, "b.onnx": onnxBytes, "tokenizer.json": tok}),
		"not a jar":       filepath.Join(onnxDir, "tokenizer.json"),
		"missing":         filepath.Join(onnxDir, "nope.jar"),
	} {
		t.Run(name, func(t *testing.T) {
			if err := Import(context.Background(), src, t.TempDir(), m); err == nil {
				t.Fatal("import succeeded")
			}
		})
	}
}

// FuzzParseModel: any bytes give a graph or an error, never a panic or a
// runaway allocation.
func FuzzParseModel(f *testing.F) {
	f.Add(tinyONNX(""))
	f.Add(tinyONNX("embeddings.LayerNorm.bias"))
	f.Add([]byte{})
	f.Add([]byte("\x3a\x05\x2a\x03\x08\xff\x7f"))
	f.Fuzz(func(t *testing.T, b []byte) {
		g, err := parseModel(b)
		if err != nil {
			return
		}
		for name, tt := range g.tensors {
			n := 1
			for _, d := range tt.dims {
				n *= d
			}
			if n != len(tt.data) {
				t.Fatalf("tensor %s: %d values for dims %v", name, len(tt.data), tt.dims)
			}
		}
		_, _, _ = bertTensors(g)
	})
}
