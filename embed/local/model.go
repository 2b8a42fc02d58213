package local

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/embed/wordpiece"
)

// Options tunes inference; the zero value is a good default.
type Options struct {
	// Threads is how many goroutines one batch uses (linear layers split
	// by rows or columns, attention by sequence and head). Default
	// GOMAXPROCS.
	Threads int
	// BatchSize is the most texts encoded in one forward pass. Default 32.
	BatchSize int
	// MaxBatchTokens caps the tokens of one forward pass (the scratch
	// memory grows with it: about 40 bytes × hidden size per token).
	// Default 2048.
	MaxBatchTokens int
}

// Model is a sentence-embedding model run in-process. It is safe for
// concurrent use; each call works on its own scratch memory.
type Model struct {
	name string
	cfg  modelConfig
	tok  *wordpiece.Tokenizer
	enc  encoder
	opts Options

	mu     sync.Mutex
	arenas []*arena // idle scratch, one per concurrent call at most

	// life is held shared by every call and exclusively by Close, which
	// releases the weights and scratch: no call can be inside them then.
	life   sync.RWMutex
	closed bool
}

var _ semsearch.Embedder = (*Model)(nil)

// Model returns the model's name as passed to Open.
func (m *Model) Model() string { return m.name }

// Dims returns the length of the vectors.
func (m *Model) Dims() int { return m.cfg.bert.HiddenSize }

// MaxTokens is the chunk budget in word pieces (as CountTokens counts
// them, without [CLS]/[SEP]): the sentence-transformers max_seq_length of
// the model minus 2 (254 for all-MiniLM-L6-v2, 510 for bge-small-en-v1.5).
// Longer texts are still embedded, truncated at the model's hard limit
// (512 ids for both), which the model was not tuned for beyond
// max_seq_length.
func (m *Model) MaxTokens() int { return m.cfg.maxSeqLen - 2 }

// CountTokens returns the number of word pieces of text, without the
// [CLS]/[SEP] the model adds.
func (m *Model) CountTokens(text string) int { return m.tok.Count(text) }

// QueryPrefix is the instruction EmbedQuery puts before a query ("" when
// the model has none).
func (m *Model) QueryPrefix() string { return m.cfg.queryPrefix }

// EmbedPassages embeds texts as passages (no instruction prefix). Vectors
// are L2-normalised, in the order of texts, and belong to the caller. ctx
// is checked between batches.
func (m *Model) EmbedPassages(ctx context.Context, texts []string) ([][]float32, error) {
	ids := make([][]int32, len(texts))
	for i, t := range texts {
		ids[i] = m.tok.Encode(t, m.cfg.truncate)
	}
	return m.embedIDs(ctx, ids)
}

// EmbedQuery embeds a search query, with the model's query instruction.
func (m *Model) EmbedQuery(ctx context.Context, text string) ([]float32, error) {
	ids := m.tok.Encode(m.cfg.queryPrefix+text, m.cfg.truncate)
	vecs, err := m.embedIDs(ctx, [][]int32{ids})
	if err != nil {
		return nil, err
	}
	return vecs[0], nil
}

// embedIDs encodes token id sequences in batches of similar length (sorted
// by length, so a batch's sequences cost about the same; no padding is
// ever computed).
func (m *Model) embedIDs(ctx context.Context, ids [][]int32) ([][]float32, error) {
	m.life.RLock()
	defer m.life.RUnlock()
	if m.closed {
		return nil, fmt.Errorf("embed %d texts: model %s is closed", len(ids), m.name)
	}
	H := m.Dims()
	out := make([][]float32, len(ids))
	backing := make([]float32, len(ids)*H)
	for i := range out {
		out[i] = backing[i*H : (i+1)*H : (i+1)*H]
	}
	order := make([]int, len(ids))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return len(ids[a]) - len(ids[b]) })

	a, err := m.getArena()
	if err != nil {
		return nil, fmt.Errorf("embed %d texts: %w", len(ids), err)
	}
	defer m.putArena(a)
	seqs := make([][]int32, 0, m.opts.BatchSize)
	vecs := make([][]float32, 0, m.opts.BatchSize)
	for start := 0; start < len(order); {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("embed %d texts: %w", len(ids), err)
		}
		seqs, vecs = seqs[:0], vecs[:0]
		tokens := 0
		for start < len(order) && len(seqs) < m.opts.BatchSize {
			s := ids[order[start]]
			if len(seqs) > 0 && tokens+len(s) > m.opts.MaxBatchTokens {
				break
			}
			seqs = append(seqs, s)
			vecs = append(vecs, out[order[start]])
			tokens += len(s)
			start++
		}
		m.enc.forward(a, seqs, m.cfg.pooling, m.cfg.normalize, vecs)
	}
	// The weights and arenas live in regions released when m is
	// collected: m must stay reachable until the last forward returns.
	runtime.KeepAlive(m)
	return out, nil
}

// Close releases the weights and scratch memory now rather than when the
// Model is garbage collected. It waits for calls in progress; later calls
// return an error. Close is idempotent.
func (m *Model) Close() error {
	m.life.Lock()
	defer m.life.Unlock()
	if m.closed {
		return nil
	}
	m.closed = true
	m.mu.Lock()
	for _, a := range m.arenas {
		a.mem.free()
	}
	m.arenas = nil
	m.mu.Unlock()
	m.enc.w.mem.free()
	return nil
}

// getArena takes an idle arena or makes one. Arenas are kept rather than
// pooled in a sync.Pool, which drops its contents at every GC and would
// make each call after a collection map and fault in fresh scratch.
func (m *Model) getArena() (*arena, error) {
	m.mu.Lock()
	if n := len(m.arenas); n > 0 {
		a := m.arenas[n-1]
		m.arenas = m.arenas[:n-1]
		m.mu.Unlock()
		return a, nil
	}
	m.mu.Unlock()
	return newArena(m.cfg.bert, m.opts.MaxBatchTokens, m.cfg.bert.MaxPositions, m.opts.Threads)
}

func (m *Model) putArena(a *arena) {
	m.mu.Lock()
	m.arenas = append(m.arenas, a)
	m.mu.Unlock()
}

func (o Options) withDefaults() Options {
	if o.Threads <= 0 {
		o.Threads = runtime.GOMAXPROCS(0)
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 32
	}
	if o.MaxBatchTokens <= 0 {
		o.MaxBatchTokens = 2048
	}
	return o
}
