package local

import (
	"fmt"
	"math"
	"strings"

	"github.com/semsearch/semsearch/embed/local/kernels"
)

// layerWeights holds one encoder layer. Linear weights are kept only in
// packed form (kernels.PackNT), so the model holds each weight once.
type layerWeights struct {
	qkv, qkvBias         []float32 // [H → 3H]; the query third is pre-scaled by 1/√headDim
	attnOut, attnOutBias []float32 // [H → H]
	ln1Gamma, ln1Beta    []float32
	ffnIn, ffnInBias     []float32 // [H → I]
	ffnOut, ffnOutBias   []float32 // [I → H]
	ln2Gamma, ln2Beta    []float32
}

// encoderWeights holds the embeddings (row-major, one row per id) and the
// layers.
type encoderWeights struct {
	mem                  *region // every slice below points into it
	word, pos, tokenType []float32
	embGamma, embBeta    []float32
	layers               []layerWeights
}

// tensorLoader resolves the naming variants of BERT checkpoints (bare,
// "bert."-prefixed; LayerNorm weight/bias or gamma/beta) and reads tensors
// with the shape the config promises.
type tensorLoader struct {
	st      *safetensors
	mem     *region
	prefix  string
	scratch *region // unpacked linear weights, reused across layers
}

func newTensorLoader(st *safetensors) (*tensorLoader, error) {
	for _, p := range []string{"", "bert.", "model."} {
		if _, ok := st.Info(p + "embeddings.word_embeddings.weight"); ok {
			// An upper bound of what the weights take as float32, packed:
			// each tensor, plus a panel of padding and alignment.
			total := 0
			for _, name := range st.Names() {
				t, _ := st.Info(name)
				pad := 16
				for _, d := range t.Shape {
					pad = max(pad, kernels.NR*d)
				}
				total += t.Len() + pad + 16
			}
			mem, err := newRegion(total)
			if err != nil {
				return nil, fmt.Errorf("weights memory: %w", err)
			}
			return &tensorLoader{st: st, mem: mem, prefix: p}, nil
		}
	}
	return nil, fmt.Errorf("no embeddings.word_embeddings.weight tensor: not a BERT checkpoint")
}

// alloc takes n float32s from the weights' region.
func (l *tensorLoader) alloc(n int) ([]float32, error) {
	s := l.mem.alloc(n)
	if s == nil {
		return nil, fmt.Errorf("weights larger than their safetensors header says")
	}
	return s, nil
}

func (l *tensorLoader) resolve(name string) string {
	full := l.prefix + name
	if _, ok := l.st.Info(full); ok {
		return full
	}
	// Old TF-converted checkpoints name LayerNorm parameters gamma/beta.
	if base, ok := strings.CutSuffix(full, ".LayerNorm.weight"); ok {
		return base + ".LayerNorm.gamma"
	}
	if base, ok := strings.CutSuffix(full, ".LayerNorm.bias"); ok {
		return base + ".LayerNorm.beta"
	}
	return full
}

// read returns tensor name, which must have exactly shape.
func (l *tensorLoader) read(name string, shape ...int) ([]float32, error) {
	full := l.resolve(name)
	t, ok := l.st.Info(full)
	if !ok {
		return nil, fmt.Errorf("tensor %s missing", l.prefix+name)
	}
	if !sameShape(t.Shape, shape) {
		return nil, fmt.Errorf("tensor %s: shape %v, want %v", full, t.Shape, shape)
	}
	dst, err := l.alloc(t.Len())
	if err != nil {
		return nil, err
	}
	if err := l.st.ReadInto(full, dst); err != nil {
		return nil, err
	}
	return dst, nil
}

// readRowsInto reads tensor name (shape rows×cols) into dst.
func (l *tensorLoader) readRowsInto(name string, dst []float32, rows, cols int) error {
	full := l.resolve(name)
	t, ok := l.st.Info(full)
	if !ok {
		return fmt.Errorf("tensor %s missing", l.prefix+name)
	}
	if !sameShape(t.Shape, []int{rows, cols}) {
		return fmt.Errorf("tensor %s: shape %v, want [%d %d]", full, t.Shape, rows, cols)
	}
	return l.st.ReadInto(full, dst[:rows*cols])
}

// linear reads the out×in weights of the named Linear layers, stacked in
// order, scales the first scaleRows rows by scale, and returns them packed
// for kernels.Gemm, plus their stacked biases.
func (l *tensorLoader) linear(names []string, out, in int, scaleRows int, scale float32) (packed, bias []float32, err error) {
	n := out * len(names)
	if l.scratch == nil || l.scratch.size() < n*in {
		l.scratch.free()
		if l.scratch, err = newRegion(n * in); err != nil {
			return nil, nil, err
		}
	}
	w := l.scratch.f[:n*in]
	if bias, err = l.alloc(n); err != nil {
		return nil, nil, err
	}
	for i, name := range names {
		if err := l.readRowsInto(name+".weight", w[i*out*in:], out, in); err != nil {
			return nil, nil, err
		}
		b, err := l.read(name+".bias", out)
		if err != nil {
			return nil, nil, err
		}
		copy(bias[i*out:], b)
	}
	for i := 0; i < scaleRows*in; i++ {
		w[i] *= scale
	}
	for i := 0; i < scaleRows; i++ {
		bias[i] *= scale
	}
	if packed, err = l.alloc(kernels.PackedLen(n, in)); err != nil {
		return nil, nil, err
	}
	kernels.PackNT(packed, w, n, in, in)
	return packed, bias, nil
}

func sameShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// loadEncoder reads all weights of a BERT encoder described by cfg.
func loadEncoder(st *safetensors, cfg bertConfig) (*encoderWeights, error) {
	l, err := newTensorLoader(st)
	if err != nil {
		return nil, err
	}
	w, err := l.encoder(cfg)
	l.scratch.free()
	if err != nil {
		l.mem.free() // nothing refers to it: give the memory back now
		return nil, err
	}
	return w, nil
}

func (l *tensorLoader) encoder(cfg bertConfig) (w *encoderWeights, err error) {
	H, I := cfg.HiddenSize, cfg.Intermediate
	w = &encoderWeights{mem: l.mem}
	if w.word, err = l.read("embeddings.word_embeddings.weight", cfg.VocabSize, H); err != nil {
		return nil, err
	}
	if w.pos, err = l.read("embeddings.position_embeddings.weight", cfg.MaxPositions, H); err != nil {
		return nil, err
	}
	if w.tokenType, err = l.read("embeddings.token_type_embeddings.weight", cfg.TypeVocabSize, H); err != nil {
		return nil, err
	}
	if w.embGamma, err = l.read("embeddings.LayerNorm.weight", H); err != nil {
		return nil, err
	}
	if w.embBeta, err = l.read("embeddings.LayerNorm.bias", H); err != nil {
		return nil, err
	}
	// Folding 1/√d into the query projection saves a pass over every
	// attention score.
	scale := float32(1 / math.Sqrt(float64(H/cfg.Heads)))
	w.layers = make([]layerWeights, cfg.Layers)
	for i := range w.layers {
		p := fmt.Sprintf("encoder.layer.%d.", i)
		lw := &w.layers[i]
		qkv := []string{p + "attention.self.query", p + "attention.self.key", p + "attention.self.value"}
		if lw.qkv, lw.qkvBias, err = l.linear(qkv, H, H, H, scale); err != nil {
			return nil, err
		}
		if lw.attnOut, lw.attnOutBias, err = l.linear([]string{p + "attention.output.dense"}, H, H, 0, 1); err != nil {
			return nil, err
		}
		if lw.ln1Gamma, err = l.read(p+"attention.output.LayerNorm.weight", H); err != nil {
			return nil, err
		}
		if lw.ln1Beta, err = l.read(p+"attention.output.LayerNorm.bias", H); err != nil {
			return nil, err
		}
		if lw.ffnIn, lw.ffnInBias, err = l.linear([]string{p + "intermediate.dense"}, I, H, 0, 1); err != nil {
			return nil, err
		}
		if lw.ffnOut, lw.ffnOutBias, err = l.linear([]string{p + "output.dense"}, H, I, 0, 1); err != nil {
			return nil, err
		}
		if lw.ln2Gamma, err = l.read(p+"output.LayerNorm.weight", H); err != nil {
			return nil, err
		}
		if lw.ln2Beta, err = l.read(p+"output.LayerNorm.bias", H); err != nil {
			return nil, err
		}
	}
	return w, nil
}

// bytes is the memory the weights occupy.
func (w *encoderWeights) bytes() int64 {
	n := len(w.word) + len(w.pos) + len(w.tokenType) + len(w.embGamma) + len(w.embBeta)
	for _, l := range w.layers {
		n += len(l.qkv) + len(l.qkvBias) + len(l.attnOut) + len(l.attnOutBias) + len(l.ln1Gamma) + len(l.ln1Beta) +
			len(l.ffnIn) + len(l.ffnInBias) + len(l.ffnOut) + len(l.ffnOutBias) + len(l.ln2Gamma) + len(l.ln2Beta)
	}
	return int64(n) * 4
}
