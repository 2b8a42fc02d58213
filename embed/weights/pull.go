package weights

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// maxFileBytes bounds one downloaded file, so a misbehaving server cannot
// fill the disk: the largest known file is 133 MB.
const maxFileBytes = 2 << 30

// Pull downloads every file of model name from the hub at hubBaseURL
// ("" means DefaultHubURL) into modelsDir/name, using the hub's public layout
// {base}/{repo}/resolve/{revision}/{file}. A file already present with the
// right SHA-256 is not fetched again. Each file is written to a temp file in
// its final directory, hashed while it streams, synced, and renamed into place
// only when its sum matches: an interrupted or corrupt download never leaves a
// file that Verify would accept, nor clobbers a good one. client nil means a
// client with no overall timeout (ctx bounds the whole pull). Each fetched
// file is logged to log at info level; nil discards.
func Pull(ctx context.Context, hubBaseURL, name, modelsDir string, client *http.Client, log *slog.Logger) error {
	m, err := Lookup(name)
	if err != nil {
		return err
	}
	return pullModel(ctx, hubBaseURL, m, modelsDir, client, log)
}

func pullModel(ctx context.Context, hubBaseURL string, m Model, modelsDir string, client *http.Client, log *slog.Logger) error {
	name := m.Name
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if hubBaseURL == "" {
		hubBaseURL = DefaultHubURL
	}
	if client == nil {
		client = &http.Client{Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			ResponseHeaderTimeout: time.Minute,
			TLSHandshakeTimeout:   30 * time.Second,
		}}
	}
	for _, f := range m.Files {
		dst := Path(modelsDir, name, f.Path)
		if got, err := fileSHA256(dst); err == nil && f.Accepts(got) {
			continue
		}
		u, err := fileURL(hubBaseURL, m, f.Path)
		if err != nil {
			return fmt.Errorf("pull %s: %w", name, err)
		}
		start := time.Now()
		n, err := download(ctx, client, u, dst, f)
		if err != nil {
			return fmt.Errorf("pull %s: %w", name, err)
		}
		log.InfoContext(ctx, "model file pulled", "model", name, "file", f.Path, "bytes", n,
			"took_ms", time.Since(start).Milliseconds())
	}
	return verifyModel(modelsDir, m)
}

// fileURL builds {base}/{repo}/resolve/{revision}/{file}, escaping each
// path segment.
func fileURL(base string, m Model, file string) (string, error) {
	segs := strings.Split(m.HubRepo, "/")
	segs = append(segs, "resolve", m.Revision)
	segs = append(segs, strings.Split(file, "/")...)
	u, err := url.JoinPath(base, segs...)
	if err != nil {
		return "", fmt.Errorf("hub url %q: %w", base, err)
	}
	return u, nil
}

// download fetches u into dst atomically, checking its SHA-256.
func download(ctx context.Context, client *http.Client, u, dst string, want File) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, fmt.Errorf("get %s: %w", u, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("get %s: %w", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("get %s: status %s", u, resp.Status)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return 0, fmt.Errorf("create dir for %s: %w", dst, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".part-*")
	if err != nil {
		return 0, fmt.Errorf("create temp for %s: %w", dst, err)
	}
	committed := false
	defer func() {
		if !committed {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(resp.Body, maxFileBytes+1))
	if err != nil {
		return n, fmt.Errorf("download %s: %w", u, err)
	}
	if n > maxFileBytes {
		return n, fmt.Errorf("download %s: larger than %d bytes", u, int64(maxFileBytes))
	}
	if got := hex.EncodeToString(h.Sum(nil)); !want.Accepts(got) {
		return n, fmt.Errorf("download %s: %w (sha256 %s, want %s)", u, ErrCorrupt, got, want.SHA256)
	}
	if err := tmp.Sync(); err != nil {
		return n, fmt.Errorf("sync %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return n, fmt.Errorf("close %s: %w", tmp.Name(), err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return n, fmt.Errorf("chmod %s: %w", tmp.Name(), err)
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return n, fmt.Errorf("install %s: %w", dst, err)
	}
	committed = true
	return n, nil
}
