package chunk

import (
	"slices"
	"sort"
	"strings"
	"unicode/utf8"
)

// span is one passage: text[start:end].
type span struct{ start, end int }

// splitter cuts one section into spans. Each span takes as much text as fits
// the budget, trying cut points from the coarsest to the finest: block ends
// (paragraphs, list items, code blocks), then sentence ends (code: line
// ends), then word ends, then rune ends. A span other than the first of its
// section starts with an overlap: the trailing sentences of the previous span
// that fit OverlapTokens, dropped rather than split a block that fits alone
// or cut a sentence at words (see cut).
type splitter struct {
	text   string
	sec    *section
	prefix string // context prefix, counted in the budget
	opts   Options

	blockStarts []int // starts of the section's blocks, sorted
}

func (s *splitter) spans() []span {
	blockEnds, sentEnds, sentStarts := s.cutPoints()
	for _, b := range s.sec.blocks {
		s.blockStarts = append(s.blockStarts, b.start)
	}
	var out []span
	for pos := s.sec.start; pos < s.sec.end; {
		ov := pos
		if len(out) > 0 && s.opts.OverlapTokens > 0 {
			ov = s.overlapStart(out[len(out)-1].start, pos, sentStarts)
		}
		sp := s.cut(ov, pos, blockEnds, sentEnds)
		out = append(out, sp)
		pos = skipSpace(s.text, sp.end)
	}
	return out
}

// cutPoints returns the section's block ends, its sentence ends (a superset
// of block ends) and the starts of its sentences, code lines and blocks
// (where an overlap may begin). Heading blocks are not cut points unless the
// section has nothing else.
func (s *splitter) cutPoints() (blockEnds, sentEnds, sentStarts []int) {
	for _, b := range s.sec.blocks {
		if b.kind == kindHeading {
			continue
		}
		blockEnds = append(blockEnds, b.end)
		sentStarts = append(sentStarts, b.start)
		var ends []int
		if b.kind == kindCode {
			ends = lineEnds(s.text, b.start, b.end)
		} else {
			ends = sentenceEnds(s.text, b.start, b.end)
		}
		for _, e := range ends {
			sentEnds = append(sentEnds, e)
			if next := skipSpace(s.text, e); next < b.end {
				sentStarts = append(sentStarts, next)
			}
		}
	}
	if len(blockEnds) == 0 { // only headings
		for _, b := range s.sec.blocks {
			blockEnds = append(blockEnds, b.end)
		}
		sentEnds = blockEnds
	}
	slices.Sort(sentStarts)
	sentStarts = slices.Compact(sentStarts)
	return blockEnds, sentEnds, sentStarts
}

// fits reports whether text[from:to] fits the budget after the prefix. A
// candidate far beyond what could fit is rejected by counting only a head of
// it, cut after a word when there is one (counters never shrink when text is
// appended), so probing a distant block end does not cost a count of the
// whole section. A wrong rejection only makes a cut finer.
func (s *splitter) fits(from, to int) bool {
	if probe := s.window(); to-from > 2*probe {
		head := lastSpace(s.text, from, from+probe)
		if head <= from { // one giant word: cut it at a rune
			head = runeBoundary(s.text, from, from+probe)
		}
		if head > from && !s.fits(from, head) {
			return false
		}
	}
	return s.opts.CountTokens(s.prefix+s.text[from:to]) <= s.opts.MaxTokens
}

// window is a span length in bytes that no passage of MaxTokens is expected
// to reach; it bounds cheap rejections and the first scan for word cuts.
func (s *splitter) window() int { return 16*s.opts.MaxTokens + 64 }

// lastSpace returns the offset of the last ASCII white space byte in
// text[from:to], or from-1 when there is none.
func lastSpace(text string, from, to int) int {
	return from + strings.LastIndexAny(text[from:to], " \t\n\r")
}

// cut returns the span for fresh text starting at pos, preceded by the
// overlap text[ov:pos] when it fits. When the previous span ended at a block
// boundary, keeping a block whole beats keeping the overlap; when it cut a
// block, the overlap carries the context of that cut, so a sentence cut with
// overlap beats a block end without it. Word and rune cuts come last.
func (s *splitter) cut(ov, pos int, blockEnds, sentEnds []int) span {
	after := func(ends []int) []int { return ends[sort.SearchInts(ends, pos+1):] }
	try := func(ends []int, from int) (span, bool) {
		if i := lastFit(len(ends), func(i int) bool { return s.fits(from, ends[i]) }); i >= 0 {
			return span{from, ends[i]}, true
		}
		return span{}, false
	}
	blocks, sents := after(blockEnds), after(sentEnds)
	type attempt struct {
		ends        []int
		dropOverlap bool
	}
	order := []attempt{{blocks, false}, {blocks, true}, {sents, false}, {sents, true}}
	if _, atBlock := slices.BinarySearch(s.blockStarts, pos); !atBlock {
		order = []attempt{{blocks, false}, {sents, false}, {blocks, true}, {sents, true}}
	}
	for _, a := range order {
		from := ov
		if a.dropOverlap {
			if ov == pos {
				continue // nothing to drop: already tried
			}
			from = pos
		}
		if sp, ok := try(a.ends, from); ok {
			return sp
		}
	}
	// The first sentence does not fit: cut it at words, then at runes.
	limit := s.sec.end
	if len(sents) > 0 {
		limit = sents[0]
	}
	for _, from := range []int{ov, pos} { // pos twice at worst: harmless
		if sp, ok := s.tryWindow(from, pos, limit, wordEnds); ok {
			return sp
		}
	}
	for _, from := range []int{ov, pos} {
		if sp, ok := s.tryWindow(from, pos, limit, runeEnds); ok {
			return sp
		}
	}
	// Not even one rune fits after the prefix: emit it alone to make progress.
	_, w := utf8.DecodeRuneInString(s.text[pos:])
	return span{pos, pos + w}
}

// tryWindow finds the furthest cut from ends(text, pos, limit) such that
// text[from:cut] fits. It scans a window after pos that doubles while every
// cut in it fits, so a sentence of megabytes costs about one chunk's worth of
// scanning per chunk rather than the whole sentence.
func (s *splitter) tryWindow(from, pos, limit int, ends func(text string, start, end int) []int) (span, bool) {
	for w := s.window(); ; w *= 2 {
		lim := limit
		if pos+w < limit {
			lim = runeBoundary(s.text, pos, pos+w)
		}
		cands := ends(s.text, pos, lim)
		if lim < limit && len(cands) > 0 && cands[len(cands)-1] == lim {
			cands = cands[:len(cands)-1] // the window may cut a word
		}
		if len(cands) == 0 && lim < limit && !s.fits(from, lim) {
			// The first cut lies beyond a point that already overflows:
			// stop here rather than scan a giant word to its end.
			return span{}, false
		}
		i := lastFit(len(cands), func(i int) bool { return s.fits(from, cands[i]) })
		switch {
		case i >= 0 && (i < len(cands)-1 || lim == limit):
			return span{from, cands[i]}, true
		case i < 0 && (len(cands) > 0 || lim == limit):
			return span{}, false
		}
	}
}

// overlapStart returns where the span for fresh text at pos begins: the
// earliest sentence start after prevStart whose text up to pos fits
// OverlapTokens, or pos when none does.
func (s *splitter) overlapStart(prevStart, pos int, sentStarts []int) int {
	lo := sort.SearchInts(sentStarts, prevStart+1)
	hi := sort.SearchInts(sentStarts, pos)
	n := hi - lo
	i := lastFit(n, func(i int) bool {
		return s.opts.CountTokens(s.text[sentStarts[hi-1-i]:pos]) <= s.opts.OverlapTokens
	})
	if i < 0 {
		return pos
	}
	return sentStarts[hi-1-i]
}
