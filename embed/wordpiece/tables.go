package wordpiece

import "sort"

// runeRange is an inclusive range of code points.
type runeRange struct{ lo, hi rune }

// lowerPair is one entry of lowerMap: r lowercases to to (may be >1 rune).
type lowerPair struct {
	r  rune
	to string
}

// inRanges reports whether r is in the sorted, disjoint ranges rs.
func inRanges(rs []runeRange, r rune) bool {
	i := sort.Search(len(rs), func(i int) bool { return rs[i].hi >= r })
	return i < len(rs) && rs[i].lo <= r
}

// The classes of a rune as Hugging Face's BertNormalizer/BertPreTokenizer
// see them (tables_gen.go, probed from the tokenizers library: its Unicode
// tables are older than Go's, so Go's unicode package would disagree on
// recently added characters).
const (
	classOther   uint8 = iota
	classRemoved       // dropped by clean_text
	classSpace         // becomes ' ', separates words
	classPunct         // a word on its own
)

// asciiClass caches the class of every ASCII rune.
var asciiClass = func() (t [128]uint8) {
	for r := rune(0); r < 128; r++ {
		t[r] = slowClass(r)
	}
	return t
}()

func slowClass(r rune) uint8 {
	switch {
	case inRanges(removedRanges, r):
		return classRemoved
	case inRanges(spaceRanges, r):
		return classSpace
	case inRanges(punctRanges, r):
		return classPunct
	}
	return classOther
}

func class(r rune) uint8 {
	if r < 128 {
		return asciiClass[r]
	}
	return slowClass(r)
}

// isMark: strip_accents drops r (HF's idea of Mn).
func isMark(r rune) bool { return r >= 0x300 && inRanges(markRanges, r) }

// lower returns what HF's lowercase makes of r ("" = unchanged, ok false).
func lower(r rune) (string, bool) {
	if r < 128 {
		if 'A' <= r && r <= 'Z' {
			return string(r + 'a' - 'A'), true
		}
		return "", false
	}
	i := sort.Search(len(lowerMap), func(i int) bool { return lowerMap[i].r >= r })
	if i < len(lowerMap) && lowerMap[i].r == r {
		return lowerMap[i].to, true
	}
	return "", false
}

// isCJK: BERT pads these ideographs with spaces so each is its own word.
// (Hangul and Japanese kana are deliberately not in these ranges.)
func isCJK(r rune) bool {
	return (r >= 0x4E00 && r <= 0x9FFF) ||
		(r >= 0x3400 && r <= 0x4DBF) ||
		(r >= 0x20000 && r <= 0x2A6DF) ||
		(r >= 0x2A700 && r <= 0x2B73F) ||
		(r >= 0x2B740 && r <= 0x2B81F) ||
		(r >= 0x2B820 && r <= 0x2CEAF) ||
		(r >= 0xF900 && r <= 0xFAFF) ||
		(r >= 0x2F800 && r <= 0x2FA1F)
}
