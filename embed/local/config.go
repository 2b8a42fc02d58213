package local

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// bertConfig is the part of a HF config.json the encoder needs.
type bertConfig struct {
	ModelType       string  `json:"model_type"`
	HiddenSize      int     `json:"hidden_size"`
	Layers          int     `json:"num_hidden_layers"`
	Heads           int     `json:"num_attention_heads"`
	Intermediate    int     `json:"intermediate_size"`
	HiddenAct       string  `json:"hidden_act"`
	LayerNormEps    float64 `json:"layer_norm_eps"`
	MaxPositions    int     `json:"max_position_embeddings"`
	TypeVocabSize   int     `json:"type_vocab_size"`
	VocabSize       int     `json:"vocab_size"`
	PositionEmbType string  `json:"position_embedding_type"`
}

// Pooling strategies of sentence-transformers' Pooling module.
const (
	poolMean = "mean"
	poolCLS  = "cls"
)

// modelConfig gathers everything read from a model directory.
type modelConfig struct {
	bert        bertConfig
	pooling     string
	normalize   bool // a Normalize module follows pooling
	maxSeqLen   int  // sentence_bert_config.json max_seq_length, ids incl. [CLS]/[SEP]
	truncate    int  // hard limit of ids per text: max_position_embeddings
	lowerCase   bool // tokenizer_config.json do_lower_case
	queryPrefix string
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("parse %s: %w", path, err)
	}
	return nil
}

// loadConfig reads config.json, modules.json, 1_Pooling/config.json,
// sentence_bert_config.json, tokenizer_config.json and
// config_sentence_transformers.json from dir. Only config.json is
// required; the others default to mean pooling, normalisation, 512 tokens,
// lower-casing and no query prefix.
func loadConfig(dir string) (modelConfig, error) {
	cfg := modelConfig{pooling: poolMean, normalize: true, lowerCase: true}
	if err := readJSON(filepath.Join(dir, "config.json"), &cfg.bert); err != nil {
		return cfg, err
	}
	b := cfg.bert
	if b.ModelType != "" && b.ModelType != "bert" {
		return cfg, fmt.Errorf("model_type %q: only bert encoders are supported", b.ModelType)
	}
	if b.HiddenAct != "" && b.HiddenAct != "gelu" {
		return cfg, fmt.Errorf("hidden_act %q: only exact gelu is supported", b.HiddenAct)
	}
	if b.PositionEmbType != "" && b.PositionEmbType != "absolute" {
		return cfg, fmt.Errorf("position_embedding_type %q: only absolute is supported", b.PositionEmbType)
	}
	if b.HiddenSize <= 0 || b.Layers <= 0 || b.Heads <= 0 || b.HiddenSize%b.Heads != 0 ||
		b.Intermediate <= 0 || b.MaxPositions <= 2 || b.VocabSize <= 0 {
		return cfg, fmt.Errorf("config.json: implausible sizes %+v", b)
	}
	if cfg.bert.TypeVocabSize <= 0 {
		cfg.bert.TypeVocabSize = 2
	}
	if cfg.bert.LayerNormEps == 0 {
		cfg.bert.LayerNormEps = 1e-12
	}
	cfg.maxSeqLen = b.MaxPositions
	cfg.truncate = b.MaxPositions

	var modules []struct {
		Type string `json:"type"`
		Path string `json:"path"`
	}
	if err := readJSON(filepath.Join(dir, "modules.json"), &modules); err == nil {
		cfg.normalize = false
		for _, m := range modules {
			switch m.Type {
			case "sentence_transformers.models.Normalize":
				cfg.normalize = true
			case "sentence_transformers.models.Pooling":
				if err := readPooling(filepath.Join(dir, m.Path, "config.json"), &cfg); err != nil {
					return cfg, err
				}
			}
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return cfg, err
	}

	var sb struct {
		MaxSeqLength int   `json:"max_seq_length"`
		DoLowerCase  *bool `json:"do_lower_case"`
	}
	if err := readJSON(filepath.Join(dir, "sentence_bert_config.json"), &sb); err == nil {
		if sb.MaxSeqLength > 2 && sb.MaxSeqLength <= b.MaxPositions {
			cfg.maxSeqLen = sb.MaxSeqLength
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return cfg, err
	}
	var tc struct {
		DoLowerCase *bool `json:"do_lower_case"`
	}
	if err := readJSON(filepath.Join(dir, "tokenizer_config.json"), &tc); err == nil {
		if tc.DoLowerCase != nil {
			cfg.lowerCase = *tc.DoLowerCase
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return cfg, err
	}
	var st struct {
		Prompts map[string]string `json:"prompts"`
	}
	if err := readJSON(filepath.Join(dir, "config_sentence_transformers.json"), &st); err == nil {
		if p, ok := st.Prompts["query"]; ok && p != "" {
			cfg.queryPrefix = p
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return cfg, err
	}
	return cfg, nil
}

func readPooling(path string, cfg *modelConfig) error {
	var p struct {
		CLS      bool `json:"pooling_mode_cls_token"`
		Mean     bool `json:"pooling_mode_mean_tokens"`
		Max      bool `json:"pooling_mode_max_tokens"`
		MeanSqrt bool `json:"pooling_mode_mean_sqrt_len_tokens"`
	}
	if err := readJSON(path, &p); err != nil {
		return err
	}
	switch {
	case p.Max || p.MeanSqrt || (p.CLS && p.Mean):
		return fmt.Errorf("%s: only a single mean or cls pooling is supported", path)
	case p.CLS:
		cfg.pooling = poolCLS
	default:
		cfg.pooling = poolMean
	}
	return nil
}
