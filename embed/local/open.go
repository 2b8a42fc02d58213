package local

import (
	"fmt"
	"path/filepath"

	"github.com/semsearch/semsearch/embed/weights"
	"github.com/semsearch/semsearch/embed/wordpiece"
)

// Open loads the known model name ("all-MiniLM-L6-v2", "bge-small-en-v1.5")
// from modelsDir/name. It first checks every file against its recorded
// SHA-256 (weights.Verify, about 0.3 s per 100 MB); a missing or corrupt
// file gives an error that wraps weights.ErrMissing / weights.ErrCorrupt
// and names the command that fixes it (`make model` or
// `semsearch model pull NAME`).
func Open(modelsDir, name string, opts Options) (*Model, error) {
	info, err := weights.Lookup(name)
	if err != nil {
		return nil, fmt.Errorf("open local model: %w", err)
	}
	if err := weights.Verify(modelsDir, name); err != nil {
		return nil, fmt.Errorf("open local model: %w", err)
	}
	m, err := loadDir(weights.Dir(modelsDir, name), name, opts)
	if err != nil {
		return nil, fmt.Errorf("open local model: %w", err)
	}
	// The registry is the source of truth for what the files cannot say
	// (bge's query instruction is in its model card only) and for the
	// hard truncation length the reference embeddings were made with.
	m.cfg.queryPrefix = info.QueryPrefix
	if info.MaxTokens > 0 && info.MaxTokens <= m.cfg.bert.MaxPositions {
		m.cfg.truncate = info.MaxTokens
	}
	if string(info.Pooling) != m.cfg.pooling {
		m.Close()
		return nil, fmt.Errorf("open local model %s: pooling %q in its files, %q in the registry", name, m.cfg.pooling, info.Pooling)
	}
	return m, nil
}

// loadDir reads a model directory: configuration, vocabulary and weights
// (safetensors), without checksums. The query prefix is the one of
// config_sentence_transformers.json's "query" prompt, if any.
func loadDir(dir, name string, opts Options) (*Model, error) {
	cfg, err := loadConfig(dir)
	if err != nil {
		return nil, fmt.Errorf("model %s config: %w", name, err)
	}
	tok, err := wordpiece.Load(filepath.Join(dir, weights.VocabFile), cfg.lowerCase)
	if err != nil {
		return nil, fmt.Errorf("model %s: %w", name, err)
	}
	if tok.VocabSize() != cfg.bert.VocabSize {
		return nil, fmt.Errorf("model %s: vocab.txt has %d tokens, config.json says %d", name, tok.VocabSize(), cfg.bert.VocabSize)
	}
	st, f, err := openSafetensors(filepath.Join(dir, weights.WeightsFile))
	if err != nil {
		return nil, fmt.Errorf("model %s: %w", name, err)
	}
	defer f.Close()
	w, err := loadEncoder(st, cfg.bert)
	if err != nil {
		return nil, fmt.Errorf("model %s weights: %w", name, err)
	}
	opts = opts.withDefaults()
	opts.MaxBatchTokens = max(opts.MaxBatchTokens, cfg.bert.MaxPositions) // room for one longest text
	return &Model{
		name: name,
		cfg:  cfg,
		tok:  tok,
		enc:  encoder{cfg: cfg.bert, w: w, threads: opts.Threads},
		opts: opts,
	}, nil
}
