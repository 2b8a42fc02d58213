// Package local is the embedded default embedder: a BERT-family sentence
// encoder (all-MiniLM-L6-v2, bge-small-en-v1.5) run in-process in pure Go,
// offline, from the weights `make model` / `semsearch model pull` put in
// the models directory.
//
// Open verifies the files (embed/weights), reads config.json, modules.json,
// 1_Pooling/config.json, sentence_bert_config.json and the safetensors
// weights (F32, F16 or BF16, kept as float32 once), and returns a *Model
// implementing semsearch.Embedder.
//
// Inference: texts are tokenised (embed/wordpiece), sorted by length and
// grouped into batches; the linear layers of a batch run on the rows of all
// its sequences concatenated, attention runs per sequence and head on that
// sequence's own length, so no padding is ever computed. Work is split over
// Options.Threads goroutines. The float32 kernels (package kernels) have
// AVX2/FMA and AVX-512 assembly, chosen at run time, and a portable Go
// fallback. Weights and scratch live outside the Go heap (region.go), so
// resident memory stays near weights + one batch's scratch.
//
// Results are bitwise independent of batch composition and thread count.
package local
