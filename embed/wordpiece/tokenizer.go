// Package wordpiece is BERT's WordPiece tokenizer, giving the same token ids
// as Hugging Face's (fast) BertTokenizer for uncased and cased vocabularies:
// special tokens written in the text are kept whole, the text is normalised
// (clean, CJK split, accents stripped and lower-cased when lower is set),
// split on whitespace and punctuation, each word split greedily into the
// longest vocabulary pieces ("##" marks a continuation; a word of more than
// 100 chars or with an unmatched piece becomes [UNK]), and the result is
// framed as [CLS] ... [SEP], truncated to a maximum length keeping [SEP].
package wordpiece

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"
)

// Special token strings, as in BERT's vocab.txt.
const (
	PadToken  = "[PAD]"
	UnkToken  = "[UNK]"
	CLSToken  = "[CLS]"
	SEPToken  = "[SEP]"
	MaskToken = "[MASK]"
)

// MaxInputCharsPerWord: a longer word becomes [UNK] (BERT's default).
const MaxInputCharsPerWord = 100

// Tokenizer is immutable after Load/New and safe for concurrent use.
type Tokenizer struct {
	vocab    map[string]int32 // word-initial pieces, and every token by its full text
	cont     map[string]int32 // continuation pieces, keyed without their "##"
	tokens   []string         // id -> token
	lower    bool
	specials []string // special tokens present in the vocab, matched whole in text
	pad, unk int32
	cls, sep int32
}

// Load reads a BERT vocab.txt (one token per line, id = line number).
// lower must match the model's do_lower_case (true for both known models).
func Load(vocabPath string, lower bool) (*Tokenizer, error) {
	f, err := os.Open(vocabPath)
	if err != nil {
		return nil, fmt.Errorf("load vocab: %w", err)
	}
	defer f.Close()
	t, err := New(f, lower)
	if err != nil {
		return nil, fmt.Errorf("load vocab %s: %w", vocabPath, err)
	}
	return t, nil
}

// New reads a vocab in vocab.txt format from r.
func New(r io.Reader, lower bool) (*Tokenizer, error) {
	t := &Tokenizer{
		vocab: make(map[string]int32, 32000),
		cont:  make(map[string]int32, 8000),
		lower: lower,
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		// HF strips only the line end: keep every other byte of the token.
		tok := strings.TrimSuffix(sc.Text(), "\r")
		id := int32(len(t.tokens))
		t.tokens = append(t.tokens, tok)
		t.vocab[tok] = id // a later duplicate wins, as in HF's loader
		if rest, ok := strings.CutPrefix(tok, "##"); ok {
			t.cont[rest] = id
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read vocab: %w", err)
	}
	var missing []string
	for _, s := range []struct {
		tok string
		id  *int32
	}{{PadToken, &t.pad}, {UnkToken, &t.unk}, {CLSToken, &t.cls}, {SEPToken, &t.sep}} {
		id, ok := t.vocab[s.tok]
		if !ok {
			missing = append(missing, s.tok)
			continue
		}
		*s.id = id
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("vocab of %d tokens lacks %s", len(t.tokens), strings.Join(missing, ", "))
	}
	for _, s := range []string{PadToken, UnkToken, CLSToken, SEPToken, MaskToken} {
		if _, ok := t.vocab[s]; ok {
			t.specials = append(t.specials, s)
		}
	}
	return t, nil
}

// VocabSize is the number of tokens in the vocab.
func (t *Tokenizer) VocabSize() int { return len(t.tokens) }

// PadID, UnkID, CLSID and SEPID are the special tokens' ids.
func (t *Tokenizer) PadID() int32 { return t.pad }
func (t *Tokenizer) UnkID() int32 { return t.unk }
func (t *Tokenizer) CLSID() int32 { return t.cls }
func (t *Tokenizer) SEPID() int32 { return t.sep }

// Token returns the text of token id ("" when out of range).
func (t *Tokenizer) Token(id int32) string {
	if id < 0 || int(id) >= len(t.tokens) {
		return ""
	}
	return t.tokens[id]
}

// Encode returns the ids of [CLS] text [SEP]. maxLen > 0 truncates to that
// many ids in all (the last kept is [SEP]; maxLen < 2 counts as 2); maxLen
// <= 0 keeps everything. Both known models take at most 512. No padding.
func (t *Tokenizer) Encode(text string, maxLen int) []int32 {
	ids := make([]int32, 1, 16)
	ids[0] = t.cls
	budget := -1
	if maxLen > 0 {
		budget = max(maxLen, 2) - 2
	}
	t.pieces(text, budget, func(id int32) bool {
		ids = append(ids, id)
		return budget < 0 || len(ids)-1 < budget
	})
	return append(ids, t.sep)
}

// Count is the number of word pieces text becomes, without [CLS] and [SEP]
// and without truncation: the token budget a chunker fills. (The model sees
// Count+2 ids, cut at 512.)
func (t *Tokenizer) Count(text string) int {
	n := 0
	t.pieces(text, -1, func(int32) bool { n++; return true })
	return n
}

// Tokenize returns the word pieces of text as strings (no [CLS]/[SEP]), for
// debugging and tests.
func (t *Tokenizer) Tokenize(text string) []string {
	var out []string
	t.pieces(text, -1, func(id int32) bool { out = append(out, t.tokens[id]); return true })
	return out
}

// pieces emits the ids of text's word pieces in order until emit returns
// false. budget == 0 emits nothing.
func (t *Tokenizer) pieces(text string, budget int, emit func(int32) bool) {
	if budget == 0 {
		return
	}
	more := true
	for more && text != "" {
		// Special tokens written in the text are matched first, on the raw
		// text and case-sensitively, as HF's added-token matching does.
		seg, special, rest := t.cutSpecial(text)
		text = rest
		if seg != "" {
			splitWords(normalize(seg, t.lower), func(w string) {
				if more {
					more = t.word(w, emit)
				}
			})
		}
		if more && special != "" {
			more = emit(t.vocab[special])
		}
	}
}

// cutSpecial splits text at the leftmost special token: the text before it,
// the token ("" when none) and the text after it.
func (t *Tokenizer) cutSpecial(text string) (before, special, after string) {
	best, bestTok := -1, ""
	for _, s := range t.specials {
		if i := strings.Index(text, s); i >= 0 && (best < 0 || i < best || (i == best && len(s) > len(bestTok))) {
			best, bestTok = i, s
		}
	}
	if best < 0 {
		return text, "", ""
	}
	return text[:best], bestTok, text[best+len(bestTok):]
}

// word splits one pre-tokenized word greedily, longest match first, and
// emits its ids; a word it cannot split entirely becomes [UNK].
func (t *Tokenizer) word(w string, emit func(int32) bool) bool {
	if utf8.RuneCountInString(w) > MaxInputCharsPerWord {
		return emit(t.unk)
	}
	if id, ok := t.vocab[w]; ok { // the common case: a whole-word token
		return emit(id)
	}
	var buf [16]int32
	ids := buf[:0]
	for start := 0; start < len(w); {
		end := len(w)
		found := false
		var id int32
		for end > start {
			if start == 0 {
				id, found = t.vocab[w[:end]]
			} else {
				id, found = t.cont[w[start:end]]
			}
			if found {
				break
			}
			// Step back one whole rune.
			_, size := utf8.DecodeLastRuneInString(w[start:end])
			end -= size
		}
		if !found {
			return emit(t.unk)
		}
		ids = append(ids, id)
		start = end
	}
	for _, id := range ids {
		if !emit(id) {
			return false
		}
	}
	return true
}
