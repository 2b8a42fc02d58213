package wordpiece

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// tinyVocab is a small vocab whose ids are line numbers.
var tinyVocab = []string{
	"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", // 0-4
	"un", "##aff", "##able", "run", "##ning", // 5-9
	"hello", "world", ",", "!", "cafe", // 10-14
	"日", "本", "a", "##a", "straße", // 15-19
	"strasse", "i", "##̇", "x", // 20-23
}

func tiny(t testing.TB, lower bool) *Tokenizer {
	t.Helper()
	tok, err := New(strings.NewReader(strings.Join(tinyVocab, "\n")+"\n"), lower)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestTokenizer_Encode(t *testing.T) {
	tests := []struct {
		name   string
		lower  bool
		text   string
		maxLen int
		want   []int32
	}{
		{"empty", true, "", 512, []int32{2, 3}},
		{"whitespace only", true, " \t\n\u3000", 512, []int32{2, 3}},
		{"greedy longest match", true, "unaffable", 512, []int32{2, 5, 6, 7, 3}},
		{"continuation", true, "running", 512, []int32{2, 8, 9, 3}},
		{"unsplittable word is one unk", true, "unaffablex hello", 512, []int32{2, 1, 10, 3}},
		{"punctuation split", true, "hello,world!", 512, []int32{2, 10, 12, 11, 13, 3}},
		{"lower + accents", true, "HÉLLO Café", 512, []int32{2, 10, 14, 3}},
		{"cased keeps case", false, "Hello hello", 512, []int32{2, 1, 10, 3}},
		{"cased keeps accents", false, "café", 512, []int32{2, 1, 3}},
		{"cjk split", true, "日本", 512, []int32{2, 15, 16, 3}},
		{"controls dropped", true, "hel\x00lo\u200b wor\ufffdld", 512, []int32{2, 10, 11, 3}},
		{"special tokens kept whole", true, "[CLS]hello[SEP] [MASK]", 512, []int32{2, 2, 10, 3, 4, 3}},
		{"lowercase specials are text", true, "[cls]", 512, []int32{2, 1, 1, 1, 3}},
		{"ß is not expanded", true, "STRAßE", 512, []int32{2, 19, 3}},
		{"word of 100 chars", true, strings.Repeat("a", 100), 0, append(append([]int32{2, 17}, slices.Repeat([]int32{18}, 99)...), 3)},
		{"word of 101 chars is unk", true, strings.Repeat("a", 101), 512, []int32{2, 1, 3}},
		{"101 chars before accent stripping", true, strings.Repeat("á", 100), 0, append(append([]int32{2, 17}, slices.Repeat([]int32{18}, 99)...), 3)},
		{"truncation keeps sep", true, "hello world hello world", 4, []int32{2, 10, 11, 3}},
		{"truncation inside a word", true, "unaffable", 4, []int32{2, 5, 6, 3}},
		{"maxLen 1 counts as 2", true, "hello", 1, []int32{2, 3}},
		{"no truncation", true, "hello world hello", 0, []int32{2, 10, 11, 10, 3}},
		{"dotted capital I", true, "İ", 512, []int32{2, 21, 3}},
		{"invalid utf-8 dropped", true, "hel\xfflo", 512, []int32{2, 10, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := tiny(t, tt.lower)
			if got := tok.Encode(tt.text, tt.maxLen); !slices.Equal(got, tt.want) {
				t.Errorf("Encode(%q, %d) = %v, want %v (pieces %q)", tt.text, tt.maxLen, got, tt.want, tok.Tokenize(tt.text))
			}
		})
	}
}

func TestTokenizer_CountAndTokenize(t *testing.T) {
	tok := tiny(t, true)
	if got := tok.Count("unaffable, running!"); got != 7 {
		t.Errorf("Count = %d, want 7", got)
	}
	if got := tok.Count(""); got != 0 {
		t.Errorf("Count(\"\") = %d", got)
	}
	long := strings.Repeat("hello ", 600)
	if got := tok.Count(long); got != 600 {
		t.Errorf("Count does not truncate: got %d, want 600", got)
	}
	if got := tok.Tokenize("unaffable"); !slices.Equal(got, []string{"un", "##aff", "##able"}) {
		t.Errorf("Tokenize = %q", got)
	}
	if tok.VocabSize() != len(tinyVocab) || tok.Token(10) != "hello" || tok.Token(-1) != "" || tok.Token(999) != "" {
		t.Error("VocabSize/Token wrong")
	}
	if tok.PadID() != 0 || tok.UnkID() != 1 || tok.CLSID() != 2 || tok.SEPID() != 3 {
		t.Error("special ids wrong")
	}
}

func TestTokenizer_EncodeBatch(t *testing.T) {
	tok := tiny(t, true)
	b := tok.EncodeBatch([]string{"hello", "unaffable world", ""}, 512)
	if b.SeqLen != 6 || !slices.Equal(b.Lens, []int{3, 6, 2}) {
		t.Fatalf("SeqLen %d Lens %v", b.SeqLen, b.Lens)
	}
	wantIDs := []int32{2, 10, 3, 0, 0, 0, 2, 5, 6, 7, 11, 3, 2, 3, 0, 0, 0, 0}
	wantMask := []int32{1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0}
	if !slices.Equal(b.IDs, wantIDs) || !slices.Equal(b.Mask, wantMask) {
		t.Errorf("IDs %v\nMask %v", b.IDs, b.Mask)
	}
	ids, mask := b.Row(1)
	if !slices.Equal(ids, wantIDs[6:12]) || !slices.Equal(mask, wantMask[6:12]) {
		t.Errorf("Row(1) = %v %v", ids, mask)
	}
	if e := tok.EncodeBatch(nil, 512); e.SeqLen != 0 || len(e.IDs) != 0 {
		t.Errorf("empty batch = %+v", e)
	}
}

func TestNew_Errors(t *testing.T) {
	if _, err := New(strings.NewReader("[PAD]\n[CLS]\n"), true); err == nil || !strings.Contains(err.Error(), "[UNK]") {
		t.Errorf("vocab without [UNK]/[SEP]: err = %v", err)
	}
	if _, err := Load(filepath.Join(t.TempDir(), "nope.txt"), true); err == nil {
		t.Error("Load of a missing file = nil error")
	}
	// CRLF line ends are not part of the tokens.
	tok, err := New(strings.NewReader(strings.Join(tinyVocab, "\r\n")), true)
	if err != nil {
		t.Fatal(err)
	}
	if got := tok.Encode("hello", 0); !slices.Equal(got, []int32{2, 10, 3}) {
		t.Errorf("CRLF vocab: %v", got)
	}
}

// TestTokenizer_HFStress replays 600 random multi-script strings with the
// ids Hugging Face's fast tokenizer gives them, uncased and cased.
func TestTokenizer_HFStress(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "hf_stress.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		VocabSHA256 string `json:"vocab_sha256"`
		MaxLen      int    `json:"max_len"`
		Cases       []struct {
			Text     string  `json:"text"`
			IDs      []int32 `json:"ids"`
			CasedIDs []int32 `json:"cased_ids"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	vocab := vocabFor(t, fixture{Model: "all-MiniLM-L6-v2", VocabSHA256: doc.VocabSHA256})
	uncased, err := Load(vocab, true)
	if err != nil {
		t.Fatal(err)
	}
	cased, err := Load(vocab, false)
	if err != nil {
		t.Fatal(err)
	}
	bad := 0
	for i, c := range doc.Cases {
		for _, v := range []struct {
			name string
			tok  *Tokenizer
			want []int32
		}{{"uncased", uncased, c.IDs}, {"cased", cased, c.CasedIDs}} {
			if got := v.tok.Encode(c.Text, doc.MaxLen); !slices.Equal(got, v.want) {
				bad++
				if bad <= 10 {
					t.Errorf("case %d %s %q:\n got %v\nwant %v", i, v.name, c.Text, got, v.want)
				}
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d encodings differ from HF", bad, 2*len(doc.Cases))
	}
}

func FuzzTokenizer_Encode(f *testing.F) {
	for _, s := range []string{"", "hello, world!", "unaffable", "[CLS]x[SEP]", "日本語", "İ\u0307", "\xff\xfe", strings.Repeat("a", 120)} {
		f.Add(s, 8)
	}
	tok := tiny(f, true)
	f.Fuzz(func(t *testing.T, text string, maxLen int) {
		maxLen %= 1024
		ids := tok.Encode(text, maxLen)
		if len(ids) < 2 || ids[0] != tok.CLSID() || ids[len(ids)-1] != tok.SEPID() {
			t.Fatalf("Encode(%q) = %v: not framed by [CLS] [SEP]", text, ids)
		}
		if maxLen > 0 && len(ids) > max(maxLen, 2) {
			t.Fatalf("Encode(%q, %d) has %d ids", text, maxLen, len(ids))
		}
		for _, id := range ids {
			if id < 0 || int(id) >= tok.VocabSize() {
				t.Fatalf("id %d out of range", id)
			}
		}
		if n := tok.Count(text); n != len(tok.Encode(text, 0))-2 {
			t.Fatalf("Count(%q) = %d, Encode has %d pieces", text, n, len(tok.Encode(text, 0))-2)
		}
		if !utf8.ValidString(normalize(text, true)) {
			t.Fatalf("normalize(%q) is not valid UTF-8", text)
		}
	})
}
