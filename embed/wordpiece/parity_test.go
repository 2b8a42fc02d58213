package wordpiece

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"unicode/utf8"

	"github.com/semsearch/semsearch/internal/testenv"
)

type fixture struct {
	Model        string `json:"model"`
	MaxSeqLength int    `json:"max_seq_length"`
	QueryPrefix  string `json:"query_prefix"`
	VocabSHA256  string `json:"vocab_sha256"`
	Cases        []struct {
		Name     string  `json:"name"`
		Text     string  `json:"text"`
		IDs      []int32 `json:"ids"`
		QueryIDs []int32 `json:"query_ids"`
	} `json:"cases"`
}

func fileSHA256(t testing.TB, path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// vocabFor finds a vocab.txt with the bytes the fixture was made from: the
// model's own, else any model's with the same SHA-256 (bge-small-en-v1.5
// shares all-MiniLM-L6-v2's bert-base-uncased vocab, so its ids can be
// checked without its weights).
func vocabFor(t *testing.T, fx fixture) string {
	dir := testenv.ModelsDir(t)
	own := filepath.Join(dir, fx.Model, "vocab.txt")
	if fileSHA256(t, own) == fx.VocabSHA256 {
		return own
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "*", "vocab.txt"))
	for _, m := range matches {
		if fileSHA256(t, m) == fx.VocabSHA256 {
			return m
		}
	}
	testenv.Need(t, false, "no vocab.txt with sha256 %s under %s: run `make model`", fx.VocabSHA256, dir)
	return ""
}

// TestTokenizer_ParityFixtures checks that the ids equal the Hugging Face
// tokenizer's for every fixture text of both models (passages, and queries
// with their prefix), truncated at the fixture's max length.
func TestTokenizer_ParityFixtures(t *testing.T) {
	for _, model := range []string{"all-MiniLM-L6-v2", "bge-small-en-v1.5"} {
		t.Run(model, func(t *testing.T) {
			path := filepath.Join(testenv.RepoRoot(t), "embed", "local", "testdata", "parity", model+".json")
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("fixture: %v (regenerate with scripts/parity/make_fixtures.py)", err)
			}
			var fx fixture
			if err := json.Unmarshal(raw, &fx); err != nil {
				t.Fatalf("fixture %s: %v", path, err)
			}
			if len(fx.Cases) < 30 || fx.MaxSeqLength != 512 {
				t.Fatalf("fixture %s: %d cases, max %d", path, len(fx.Cases), fx.MaxSeqLength)
			}
			tok, err := Load(vocabFor(t, fx), true)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range fx.Cases {
				if got := tok.Encode(c.Text, fx.MaxSeqLength); !slices.Equal(got, c.IDs) {
					t.Errorf("%s: ids differ\n got %v\nwant %v\n got pieces %q", c.Name, got, c.IDs, tok.Tokenize(c.Text))
				}
				if fx.QueryPrefix != "" {
					if got := tok.Encode(fx.QueryPrefix+c.Text, fx.MaxSeqLength); !slices.Equal(got, c.QueryIDs) {
						t.Errorf("%s (query): ids differ\n got %v\nwant %v", c.Name, got, c.QueryIDs)
					}
				}
				if n := tok.Count(c.Text); len(c.IDs) < fx.MaxSeqLength && n != len(c.IDs)-2 {
					t.Errorf("%s: Count = %d, want %d", c.Name, n, len(c.IDs)-2)
				}
			}
		})
	}
}

// TestNormalize_HFCodepoints replays, for every code point Hugging Face's
// BertNormalizer changes (CJK and Hangul sampled), what it turns it into.
func TestNormalize_HFCodepoints(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "hf_normalize.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Changed [][2]json.RawMessage `json:"changed"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Changed) < 4000 {
		t.Fatalf("only %d code points in hf_normalize.json", len(doc.Changed))
	}
	bad := 0
	for _, pair := range doc.Changed {
		var cp rune
		var want string
		if err := json.Unmarshal(pair[0], &cp); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(pair[1], &want); err != nil {
			t.Fatal(err)
		}
		if got := normalize(string(cp), true); got != want {
			bad++
			if bad <= 20 {
				t.Errorf("normalize(U+%04X %q) = %q, want %q", cp, string(cp), got, want)
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d code points normalise differently from HF", bad, len(doc.Changed))
	}
	// Everything in removedRanges disappears; spot-check the ends of each range.
	for _, r := range removedRanges {
		for _, cp := range []rune{r.lo, r.hi} {
			if utf8.ValidRune(cp) {
				if got := normalize("a"+string(cp)+"b", true); got != "ab" {
					t.Errorf("U+%04X should be removed: got %q", cp, got)
				}
			}
		}
	}
}
