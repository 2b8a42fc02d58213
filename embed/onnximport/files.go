package onnximport

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/semsearch/semsearch/embed/weights"
)

// safetensorsFile lays tensors out as a safetensors file: an 8-byte
// little-endian header length, a JSON header (names sorted, padded with
// spaces to 8 bytes), then the float32 data in name order. The same
// tensors always give the same bytes, so the file's SHA-256 can be pinned.
func safetensorsFile(tensors map[string]tensor) []byte {
	names := make([]string, 0, len(tensors))
	for n := range tensors {
		names = append(names, n)
	}
	sort.Strings(names)
	type entry struct {
		DType   string   `json:"dtype"`
		Shape   []int    `json:"shape"`
		Offsets [2]int64 `json:"data_offsets"`
	}
	header := map[string]any{"__metadata__": map[string]string{"format": "pt"}}
	var off int64
	for _, n := range names {
		size := int64(4 * len(tensors[n].data))
		header[n] = entry{DType: "F32", Shape: tensors[n].dims, Offsets: [2]int64{off, off + size}}
		off += size
	}
	hdr, _ := json.Marshal(header) // plain maps and structs: cannot fail
	if pad := len(hdr) % 8; pad != 0 {
		hdr = append(hdr, bytes.Repeat([]byte(" "), 8-pad)...)
	}
	out := make([]byte, 8, 8+int64(len(hdr))+off)
	binary.LittleEndian.PutUint64(out, uint64(len(hdr)))
	out = append(out, hdr...)
	for _, n := range names {
		for _, f := range tensors[n].data {
			out = binary.LittleEndian.AppendUint32(out, math.Float32bits(f))
		}
	}
	return out
}

// configJSON is the part of a Hugging Face BERT config.json that describes
// the encoder; the values not in the export's shapes are BERT's own.
func configJSON(s bertShape, heads int) ([]byte, error) {
	if heads <= 0 || s.Hidden%heads != 0 {
		return nil, fmt.Errorf("hidden size %d does not split into %d attention heads", s.Hidden, heads)
	}
	return indentJSON(struct {
		Architectures   []string `json:"architectures"`
		HiddenAct       string   `json:"hidden_act"`
		HiddenSize      int      `json:"hidden_size"`
		Intermediate    int      `json:"intermediate_size"`
		LayerNormEps    float64  `json:"layer_norm_eps"`
		MaxPositions    int      `json:"max_position_embeddings"`
		ModelType       string   `json:"model_type"`
		Heads           int      `json:"num_attention_heads"`
		Layers          int      `json:"num_hidden_layers"`
		PadTokenID      int      `json:"pad_token_id"`
		PositionEmbType string   `json:"position_embedding_type"`
		TypeVocabSize   int      `json:"type_vocab_size"`
		VocabSize       int      `json:"vocab_size"`
	}{[]string{"BertModel"}, "gelu", s.Hidden, s.Intermediate, 1e-12, s.Positions, "bert", heads, s.Layers, 0, "absolute", s.TypeVocab, s.Vocab}), nil
}

// tokenizerInfo is what vocab.txt and tokenizer_config.json are made from.
type tokenizerInfo struct {
	vocab     []string // by id
	lowerCase bool
}

// parseTokenizer reads a Hugging Face tokenizer.json of a WordPiece model.
func parseTokenizer(b []byte) (tokenizerInfo, error) {
	var doc struct {
		Normalizer struct {
			Type      string `json:"type"`
			Lowercase bool   `json:"lowercase"`
		} `json:"normalizer"`
		Model struct {
			Type  string         `json:"type"`
			Vocab map[string]int `json:"vocab"`
		} `json:"model"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return tokenizerInfo{}, fmt.Errorf("tokenizer.json: %w", err)
	}
	if doc.Model.Type != "WordPiece" || doc.Normalizer.Type != "BertNormalizer" {
		return tokenizerInfo{}, fmt.Errorf("tokenizer.json: a %s model with a %s normalizer, want WordPiece with BertNormalizer", doc.Model.Type, doc.Normalizer.Type)
	}
	vocab := make([]string, len(doc.Model.Vocab))
	for tok, id := range doc.Model.Vocab {
		if id < 0 || id >= len(vocab) || vocab[id] != "" || tok == "" || strings.ContainsAny(tok, "\r\n") {
			return tokenizerInfo{}, fmt.Errorf("tokenizer.json: vocabulary ids are not 0..%d, one token each (token %q, id %d)", len(vocab)-1, tok, id)
		}
		vocab[id] = tok
	}
	return tokenizerInfo{vocab: vocab, lowerCase: doc.Normalizer.Lowercase}, nil
}

func vocabTxt(t tokenizerInfo) []byte {
	return []byte(strings.Join(t.vocab, "\n") + "\n")
}

// The sentence-transformers files: modules.json, sentence_bert_config.json
// and 1_Pooling/config.json are written byte for byte as the model hub's
// copies (same SHA-256), so only the files that differ need another sum.
const modulesJSON = `[
  {
    "idx": 0,
    "name": "0",
    "path": "",
    "type": "sentence_transformers.models.Transformer"
  },
  {
    "idx": 1,
    "name": "1",
    "path": "1_Pooling",
    "type": "sentence_transformers.models.Pooling"
  },
  {
    "idx": 2,
    "name": "2",
    "path": "2_Normalize",
    "type": "sentence_transformers.models.Normalize"
  }
]`

func sentenceBertConfig(m weights.Model) []byte {
	return fmt.Appendf(nil, "{\n  \"max_seq_length\": %d,\n  \"do_lower_case\": %t\n}", m.MaxTokens, m.LowerCase)
}

func poolingConfig(m weights.Model, dims int) []byte {
	cls := m.Pooling == weights.PoolCLS
	return fmt.Appendf(nil, "{\n  \"word_embedding_dimension\": %d,\n  \"pooling_mode_cls_token\": %t,\n  \"pooling_mode_mean_tokens\": %t,\n  \"pooling_mode_max_tokens\": false,\n  \"pooling_mode_mean_sqrt_len_tokens\": false\n}", dims, cls, !cls)
}

func tokenizerConfig(m weights.Model) []byte {
	return indentJSON(map[string]any{
		"do_lower_case": m.LowerCase, "model_max_length": m.MaxTokens, "tokenizer_class": "BertTokenizer",
		"cls_token": "[CLS]", "sep_token": "[SEP]", "pad_token": "[PAD]", "unk_token": "[UNK]", "mask_token": "[MASK]",
	})
}

const specialTokensMap = `{"unk_token": "[UNK]", "sep_token": "[SEP]", "pad_token": "[PAD]", "cls_token": "[CLS]", "mask_token": "[MASK]"}`

func sentenceTransformersConfig(m weights.Model) []byte {
	prompts := map[string]string{}
	if m.QueryPrefix != "" {
		prompts["query"] = m.QueryPrefix
	}
	return indentJSON(map[string]any{"prompts": prompts, "default_prompt_name": nil})
}

// indentJSON marshals plain maps and structs of strings, numbers and bools,
// which cannot fail.
func indentJSON(v any) []byte {
	b, _ := json.MarshalIndent(v, "", "  ")
	return b
}
