package local

import (
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/semsearch/semsearch/embed/local/kernels"
)

// encoder runs a BERT encoder over a batch of token sequences. The linear
// layers see the rows of all sequences concatenated (no padding at all);
// attention runs per sequence and head on that sequence's own length.
type encoder struct {
	cfg     bertConfig
	w       *encoderWeights
	threads int
}

// arena is the scratch memory of one forward pass, sized once for the
// largest batch (maxTokens rows, sequences up to maxLen) and reused from
// batch to batch and call to call, so the steady state allocates nothing.
// It lives in a region: pages are only resident once a batch that large
// has touched them.
type arena struct {
	mem                     *region
	x, qkv, ctx, tmp, inter []float32
	attn                    []attnScratch // one per worker
}

type attnScratch struct {
	kp, vp, scores []float32
}

func arenaSizes(cfg bertConfig, maxTokens, maxLen int) (rows []int, attn []int) {
	H, I := cfg.HiddenSize, cfg.Intermediate
	dh := H / cfg.Heads
	maxTokens = padRows(maxTokens)
	return []int{maxTokens * H, maxTokens * 3 * H, maxTokens * H, maxTokens * H, maxTokens * I},
		[]int{kernels.PackedLen(maxLen, dh), kernels.PackedLen(dh, maxLen), maxLen * maxLen}
}

func newArena(cfg bertConfig, maxTokens, maxLen, workers int) (*arena, error) {
	rows, attn := arenaSizes(cfg, maxTokens, maxLen)
	total := 0
	for _, n := range rows {
		total += n + 16
	}
	for _, n := range attn {
		total += workers * (n + 16)
	}
	mem, err := newRegion(total)
	if err != nil {
		return nil, fmt.Errorf("scratch memory: %w", err)
	}
	a := &arena{mem: mem}
	bufs := []*[]float32{&a.x, &a.qkv, &a.ctx, &a.tmp, &a.inter}
	for i, n := range rows {
		*bufs[i] = mem.alloc(n)
	}
	a.attn = make([]attnScratch, workers)
	for i := range a.attn {
		s := &a.attn[i]
		s.kp, s.vp, s.scores = mem.alloc(attn[0]), mem.alloc(attn[1]), mem.alloc(attn[2])
	}
	return a, nil
}

// parallel splits [0,n) into up to threads contiguous parts and runs
// fn(part, lo, hi) for each, the first on the calling goroutine.
func parallel(threads, n int, fn func(part, lo, hi int)) {
	parts := min(threads, n)
	if parts <= 1 {
		if n > 0 {
			fn(0, 0, n)
		}
		return
	}
	var wg sync.WaitGroup
	for p := 1; p < parts; p++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(p, n*p/parts, n*(p+1)/parts)
		}()
	}
	fn(0, 0, n/parts)
	wg.Wait()
}

// parallelEach runs fn(part, i) for every i in [0,n) on up to threads
// goroutines that take the next i as they finish: tasks of uneven cost
// (attention over sequences of different lengths) still balance.
func parallelEach(threads, n int, fn func(part, i int)) {
	var next atomic.Int64
	parallel(threads, n, func(part, _, _ int) {
		for {
			i := int(next.Add(1) - 1)
			if i >= n {
				return
			}
			fn(part, i)
		}
	})
}

// padRows rounds a row count up to a multiple of 4, the height of the
// smallest block kernel.
func padRows(n int) int { return (n + 3) &^ 3 }

// rowAlign is a multiple of every block height of the kernels (12, 8, 6, 4).
const rowAlign = 24

// linear sets out[m×n] = in[m×k]·W (W packed) and then runs epi over row
// ranges. Many rows: each worker takes a block of rows and runs the
// epilogue on it while hot. Few rows (a query): workers split the columns,
// then the rows for the epilogue.
func (e *encoder) linear(out, in []float32, m, k, n int, packed []float32, epi func(lo, hi int)) {
	if m >= 32*e.threads {
		// Split at multiples of rowAlign so that only the last worker
		// has rows left over for the slower short-block kernels.
		blocks := (m + rowAlign - 1) / rowAlign
		parallel(e.threads, blocks, func(_, b0, b1 int) {
			lo, hi := b0*rowAlign, min(m, b1*rowAlign)
			kernels.Gemm(hi-lo, n, k, in[lo*k:], k, packed, out[lo*n:], n)
			epi(lo, hi)
		})
		return
	}
	panels := (n + kernels.NR - 1) / kernels.NR
	parallel(e.threads, panels, func(_, p0, p1 int) {
		c0 := p0 * kernels.NR
		kernels.Gemm(m, min(n, p1*kernels.NR)-c0, k, in, k, packed[c0*k:], out[c0:], n)
	})
	parallel(e.threads, m, func(_, lo, hi int) { epi(lo, hi) })
}

// forward encodes seqs (token ids including [CLS] and [SEP]) and writes the
// pooled, optionally normalised vector of seqs[i] into out[i] (len H).
func (e *encoder) forward(a *arena, seqs [][]int32, pooling string, norm bool, out [][]float32) {
	cfg, w := e.cfg, e.w
	H, I := cfg.HiddenSize, cfg.Intermediate
	heads, dh := cfg.Heads, cfg.HiddenSize/cfg.Heads
	eps := float32(cfg.LayerNormEps)

	offs := make([]int, len(seqs)+1)
	for i, s := range seqs {
		offs[i+1] = offs[i] + len(s)
	}
	// The linear layers run on T rows rounded up to a multiple of 4, so
	// that every row goes through a block kernel (a lone row would take
	// the latency-bound row kernel, which costs as much as 8 block rows).
	// Padding rows start at zero, stay finite, and are never read back.
	T := offs[len(seqs)]
	Tp := padRows(T)
	x, qkv, ctx, tmp, inter := a.x[:Tp*H], a.qkv[:Tp*3*H], a.ctx[:Tp*H], a.tmp[:Tp*H], a.inter[:Tp*I]
	clear(x[T*H:])
	clear(ctx[T*H:])

	// Embeddings: word + position + token type 0, then LayerNorm.
	parallel(e.threads, len(seqs), func(_, lo, hi int) {
		for s := lo; s < hi; s++ {
			for p, id32 := range seqs[s] {
				id := int(id32)
				row := x[(offs[s]+p)*H : (offs[s]+p+1)*H]
				wr, pr, tr := w.word[id*H:(id+1)*H], w.pos[p*H:(p+1)*H], w.tokenType[:H]
				for j := range row {
					row[j] = wr[j] + pr[j] + tr[j]
				}
				layerNorm(row, w.embGamma, w.embBeta, eps)
			}
		}
	})

	// Attention tasks: one per (sequence, head).
	tasks := len(seqs) * heads
	for li := range w.layers {
		l := &w.layers[li]
		e.linear(qkv, x, Tp, H, 3*H, l.qkv, func(lo, hi int) {
			for r := lo; r < hi; r++ {
				addBias(qkv[r*3*H:(r+1)*3*H], l.qkvBias)
			}
		})
		parallelEach(e.threads, tasks, func(part, t int) {
			sc := &a.attn[part]
			s, h := t/heads, t%heads
			L, off := len(seqs[s]), offs[s]
			base := off*3*H + h*dh
			// scores = Q_h·K_hᵀ (Q pre-scaled), softmax per row, ctx_h = P·V_h.
			kernels.PackNT(sc.kp, qkv[base+H:], L, dh, 3*H)
			scores := sc.scores[:L*L]
			kernels.Gemm(L, L, dh, qkv[base:], 3*H, sc.kp, scores, L)
			for r := 0; r < L; r++ {
				kernels.Softmax(scores[r*L : (r+1)*L])
			}
			kernels.PackNN(sc.vp, qkv[base+2*H:], L, dh, 3*H)
			kernels.Gemm(L, dh, L, scores, L, sc.vp, ctx[off*H+h*dh:], H)
		})
		e.linear(tmp, ctx, Tp, H, H, l.attnOut, func(lo, hi int) {
			for r := lo; r < hi; r++ {
				addResidualNorm(x[r*H:(r+1)*H], tmp[r*H:(r+1)*H], l.attnOutBias, l.ln1Gamma, l.ln1Beta, eps)
			}
		})
		e.linear(inter, x, Tp, H, I, l.ffnIn, func(lo, hi int) {
			for r := lo; r < hi; r++ {
				kernels.GeluBias(inter[r*I:(r+1)*I], l.ffnInBias)
			}
		})
		e.linear(tmp, inter, Tp, I, H, l.ffnOut, func(lo, hi int) {
			for r := lo; r < hi; r++ {
				addResidualNorm(x[r*H:(r+1)*H], tmp[r*H:(r+1)*H], l.ffnOutBias, l.ln2Gamma, l.ln2Beta, eps)
			}
		})
	}

	for s := range seqs {
		v := out[s][:H]
		switch pooling {
		case poolCLS:
			copy(v, x[offs[s]*H:(offs[s]+1)*H])
		default:
			clear(v)
			L := len(seqs[s])
			for p := 0; p < L; p++ {
				kernels.Axpy(1, x[(offs[s]+p)*H:(offs[s]+p+1)*H], v)
			}
			inv := 1 / float32(L)
			for j := range v {
				v[j] *= inv
			}
		}
		if norm {
			normalize(v)
		}
	}
}

func addBias(row, bias []float32) {
	bias = bias[:len(row)]
	for j := range row {
		row[j] += bias[j]
	}
}

// addResidualNorm sets x = LayerNorm(x + y + bias).
func addResidualNorm(x, y, bias, gamma, beta []float32, eps float32) {
	y, bias = y[:len(x)], bias[:len(x)]
	for j := range x {
		x[j] += y[j] + bias[j]
	}
	layerNorm(x, gamma, beta, eps)
}
