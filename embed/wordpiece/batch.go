package wordpiece

// Batch is several encoded texts padded to one length, ready for a BERT
// forward pass. IDs and Mask are row-major, len(Lens) rows of SeqLen.
type Batch struct {
	SeqLen int     // the longest row's length
	IDs    []int32 // token ids, padded with [PAD]
	Mask   []int32 // attention mask: 1 for a real token, 0 for padding
	Lens   []int   // real length of each row ([CLS] and [SEP] included)
}

// Row returns row i's ids and mask (views into the batch).
func (b Batch) Row(i int) (ids, mask []int32) {
	lo, hi := i*b.SeqLen, (i+1)*b.SeqLen
	return b.IDs[lo:hi], b.Mask[lo:hi]
}

// EncodeBatch encodes every text as Encode(text, maxLen) does and pads the
// rows to the longest. An empty texts gives an empty Batch.
func (t *Tokenizer) EncodeBatch(texts []string, maxLen int) Batch {
	rows := make([][]int32, len(texts))
	b := Batch{Lens: make([]int, len(texts))}
	for i, text := range texts {
		rows[i] = t.Encode(text, maxLen)
		b.Lens[i] = len(rows[i])
		b.SeqLen = max(b.SeqLen, len(rows[i]))
	}
	b.IDs = make([]int32, len(texts)*b.SeqLen)
	b.Mask = make([]int32, len(texts)*b.SeqLen)
	for i, row := range rows {
		ids, mask := b.Row(i)
		copy(ids, row)
		for j := range ids {
			if j < len(row) {
				mask[j] = 1
			} else {
				ids[j] = t.pad
			}
		}
	}
	return b
}
