package export

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"gopkg.in/yaml.v3"

	"github.com/semsearch/semsearch"
)

// Format is a data file layout.
type Format string

const (
	FormatJSON   Format = "json"   // DIR/related.json
	FormatHugo   Format = "hugo"   // DIR/data/related.json: site.Data.related
	FormatJekyll Format = "jekyll" // DIR/_data/related.yml: site.data.related
)

// ParseFormat checks a --format value.
func ParseFormat(s string) (Format, error) {
	switch f := Format(s); f {
	case FormatJSON, FormatHugo, FormatJekyll:
		return f, nil
	}
	return "", semsearch.Errorf(semsearch.EInvalid, "format must be json, hugo or jekyll, got %q", s)
}

// Path is where the data file goes under a site's root directory.
func (f Format) Path() string {
	switch f {
	case FormatHugo:
		return filepath.Join("data", "related.json")
	case FormatJekyll:
		return filepath.Join("_data", "related.yml")
	}
	return "related.json"
}

// Encode renders d in f's syntax. The bytes depend on d alone: keys are
// sorted, lists keep their order, and the file ends with a newline.
func (f Format) Encode(d Data) ([]byte, error) {
	if d == nil {
		d = Data{}
	}
	var buf bytes.Buffer
	switch f {
	case FormatJekyll:
		buf.WriteString("# Related posts by post URL, written by semsearch export related.\n")
		enc := yaml.NewEncoder(&buf)
		enc.SetIndent(2)
		if err := enc.Encode(d); err != nil {
			return nil, fmt.Errorf("encode related posts as YAML: %w", err)
		}
		if err := enc.Close(); err != nil {
			return nil, fmt.Errorf("encode related posts as YAML: %w", err)
		}
	default:
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(d); err != nil {
			return nil, fmt.Errorf("encode related posts as JSON: %w", err)
		}
	}
	return buf.Bytes(), nil
}

// Write encodes d and writes it to dir/f.Path() atomically (a temporary
// file in the same directory, synced, then renamed), creating the
// directories. It returns the file's path.
func (f Format) Write(dir string, d Data) (string, error) {
	data, err := f.Encode(d)
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, f.Path())
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".related-*")
	if err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename: nothing to remove
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	return path, nil
}
