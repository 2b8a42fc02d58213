package weights

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Sentinel causes, for errors.Is on what Verify and Pull return.
var (
	ErrMissing = errors.New("missing")
	ErrCorrupt = errors.New("checksum mismatch")
)

// Dir is where model name lives under modelsDir.
func Dir(modelsDir, name string) string { return filepath.Join(modelsDir, name) }

// Path is the local path of one file of model name under modelsDir.
func Path(modelsDir, name, file string) string {
	return filepath.Join(modelsDir, name, filepath.FromSlash(file))
}

// FixHint is the command that puts model name's files in place: `make model`
// for a model it can fetch, else `semsearch model pull NAME`.
func FixHint(m Model) string {
	if m.PyPIPackage != "" || m.Imported != "" {
		return fmt.Sprintf("run `make model` (or `semsearch model pull %s`)", m.Name)
	}
	return fmt.Sprintf("run `semsearch model pull %s`", m.Name)
}

// Verify checks that every file of model name is under modelsDir/name with
// its recorded SHA-256. The error names the first bad file, wraps ErrMissing
// or ErrCorrupt, and says which command fixes it. It reads every byte
// (about 0.3 s for 90 MB).
func Verify(modelsDir, name string) error {
	m, err := Lookup(name)
	if err != nil {
		return err
	}
	return verifyModel(modelsDir, m)
}

func verifyModel(modelsDir string, m Model) error {
	name := m.Name
	for _, f := range m.Files {
		p := Path(modelsDir, name, f.Path)
		got, err := fileSHA256(p)
		switch {
		case errors.Is(err, os.ErrNotExist):
			return fmt.Errorf("model %s: %s: %w; %s", name, p, ErrMissing, FixHint(m))
		case err != nil:
			return fmt.Errorf("model %s: %w; %s", name, err, FixHint(m))
		case !f.Accepts(got):
			return fmt.Errorf("model %s: %s: %w (sha256 %s, want %s); %s",
				name, p, ErrCorrupt, got, f.SHA256, FixHint(m))
		}
	}
	return nil
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("hash %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
