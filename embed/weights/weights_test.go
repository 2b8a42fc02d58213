package weights

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func TestRegistry_Known(t *testing.T) {
	want := map[string]struct {
		pool   Pooling
		prefix string
		repo   string
	}{
		"all-MiniLM-L6-v2":  {PoolMean, "", "sentence-transformers/all-MiniLM-L6-v2"},
		"bge-small-en-v1.5": {PoolCLS, "Represent this sentence for searching relevant passages: ", "BAAI/bge-small-en-v1.5"},
	}
	if got := Names(); len(got) != len(want) {
		t.Fatalf("Names() = %v, want %d models", got, len(want))
	}
	for name, w := range want {
		m, err := Lookup(name)
		if err != nil {
			t.Fatalf("Lookup(%s): %v", name, err)
		}
		if m.Pooling != w.pool || m.QueryPrefix != w.prefix || m.HubRepo != w.repo {
			t.Errorf("%s = pooling %q prefix %q repo %q", name, m.Pooling, m.QueryPrefix, m.HubRepo)
		}
		if m.Dims != 384 || m.MaxTokens != 512 || !m.LowerCase {
			t.Errorf("%s: dims %d max %d lower %v", name, m.Dims, m.MaxTokens, m.LowerCase)
		}
		have := map[string]bool{}
		for _, f := range m.Files {
			have[f.Path] = true
		}
		for _, need := range []string{ConfigFile, WeightsFile, VocabFile, TokenizerConfig, "modules.json", "1_Pooling/config.json"} {
			if !have[need] {
				t.Errorf("%s: no %s in checksums.txt", name, need)
			}
		}
	}
	if _, err := Lookup("nope"); err == nil || !strings.Contains(err.Error(), "all-MiniLM-L6-v2") {
		t.Errorf("Lookup(nope) = %v, want an error listing the known models", err)
	}
	// Lookup hands out copies.
	m, _ := Lookup(DefaultModel)
	m.Files[0].SHA256 = "x"
	if m2, _ := Lookup(DefaultModel); m2.Files[0].SHA256 == "x" {
		t.Error("Lookup returned a shared Files slice")
	}
}

// A path listed twice in checksums.txt has two accepted sums, and Verify
// takes either (the hub's copy of a file or the one `model import` writes).
func TestBuildRegistry_AlternativeSums(t *testing.T) {
	a, b := strings.Repeat("a", 64), strings.Repeat("b", 64)
	reg, err := buildRegistry([]Model{{Name: "m"}}, a+"  m/x.json\n"+a+"  m/y.json\n"+b+"  m/x.json\n")
	if err != nil {
		t.Fatal(err)
	}
	files := reg["m"].Files
	if len(files) != 2 || files[0].Path != "x.json" || files[0].SHA256 != a || len(files[0].Alt) != 1 || files[0].Alt[0] != b {
		t.Fatalf("files = %+v, want x.json with sum a and alternative b, then y.json", files)
	}
	for _, tc := range []struct {
		sum  string
		want bool
	}{{a, true}, {b, true}, {strings.Repeat("c", 64), false}, {"", false}} {
		if got := files[0].Accepts(tc.sum); got != tc.want {
			t.Errorf("Accepts(%.8s…) = %v, want %v", tc.sum, got, tc.want)
		}
	}

	m, content := fakeModel("")
	dir := t.TempDir()
	for p, c := range content {
		if p == "config.json" {
			c = []byte(`{"hidden_size":4, "imported":true}`)
		}
		dst := Path(dir, m.Name, p)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, c, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := verifyModel(dir, m); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("before the alternative is recorded: %v, want ErrCorrupt", err)
	}
	m.Files[0].Alt = []string{sum([]byte(`{"hidden_size":4, "imported":true}`))}
	if err := verifyModel(dir, m); err != nil {
		t.Fatalf("with the alternative recorded: %v", err)
	}
}

func TestBuildRegistry_Errors(t *testing.T) {
	base := []Model{{Name: "m"}}
	good := strings.Repeat("a", 64)
	tests := []struct {
		name, sums, wantErr string
	}{
		{"ok", "# c\n\n" + good + "  m/x.json\n", ""},
		{"short sum", "abc  m/x.json\n", "line 1"},
		{"upper hex", strings.Repeat("A", 64) + "  m/x.json\n", "line 1"},
		{"no model dir", good + "  x.json\n", "line 1"},
		{"one space", good + " m/x.json\n", "line 1"},
		{"unknown model", good + "  m/x\n" + good + "  other/x\n", "other"},
		{"model without files", "", "no files for model m"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := buildRegistry(base, tt.sums)
			if tt.wantErr == "" && err != nil {
				t.Fatalf("err = %v", err)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.wantErr)
			}
		})
	}
}

// fakeModel is a two-file model whose bytes the fake hub serves.
func fakeModel(pypi string) (Model, map[string][]byte) {
	content := map[string][]byte{
		"config.json":           []byte(`{"hidden_size":4}`),
		"1_Pooling/config.json": []byte(`{"pooling_mode_cls_token":true}`),
	}
	m := Model{Name: "tiny", HubRepo: "org/tiny-model", Revision: "main", PyPIPackage: pypi}
	for _, p := range []string{"config.json", "1_Pooling/config.json"} {
		m.Files = append(m.Files, File{Path: p, SHA256: sum(content[p])})
	}
	return m, content
}

func TestVerifyModel(t *testing.T) {
	m, content := fakeModel("")
	write := func(t *testing.T, dir string, skip string, corrupt string) {
		for p, b := range content {
			if p == skip {
				continue
			}
			if p == corrupt {
				b = append([]byte("x"), b...)
			}
			dst := Path(dir, m.Name, p)
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(dst, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	tests := []struct {
		name          string
		skip, corrupt string
		wantIs        error
	}{
		{"ok", "", "", nil},
		{"missing", "1_Pooling/config.json", "", ErrMissing},
		{"corrupt", "", "config.json", ErrCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir, tt.skip, tt.corrupt)
			err := verifyModel(dir, m)
			if tt.wantIs == nil {
				if err != nil {
					t.Fatalf("verify = %v", err)
				}
				return
			}
			if !errors.Is(err, tt.wantIs) {
				t.Fatalf("verify = %v, want %v", err, tt.wantIs)
			}
			if !strings.Contains(err.Error(), "semsearch model pull tiny") {
				t.Errorf("error %q does not say how to fix it", err)
			}
		})
	}
	m.PyPIPackage = "tiny==1"
	if err := verifyModel(t.TempDir(), m); err == nil || !strings.Contains(err.Error(), "make model") {
		t.Errorf("verify of a PyPI-carried model = %v, want a hint naming make model", err)
	}
}

func TestVerify_UnknownAndMissing(t *testing.T) {
	if err := Verify(t.TempDir(), "nope"); err == nil {
		t.Error("Verify(unknown) = nil")
	}
	err := Verify(t.TempDir(), DefaultModel)
	if !errors.Is(err, ErrMissing) || !strings.Contains(err.Error(), "make model") {
		t.Errorf("Verify(empty dir) = %v, want ErrMissing naming make model", err)
	}
}

// fakeHub serves content under /{repo}/resolve/main/{file} and counts requests.
func fakeHub(t *testing.T, m Model, content map[string][]byte) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.Method != http.MethodGet {
			http.Error(w, "method", http.StatusMethodNotAllowed)
			return
		}
		prefix := "/" + m.HubRepo + "/resolve/main/"
		file, ok := strings.CutPrefix(r.URL.Path, prefix)
		b, found := content[file]
		if !ok || !found {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func TestPull_FakeHub(t *testing.T) {
	m, content := fakeModel("")
	srv, hits := fakeHub(t, m, content)
	dir := t.TempDir()
	ctx := context.Background()

	var logged bytes.Buffer
	if err := pullModel(ctx, srv.URL, m, dir, srv.Client(), slog.New(slog.NewTextHandler(&logged, nil))); err != nil {
		t.Fatalf("pull: %v", err)
	}
	if n := strings.Count(logged.String(), `msg="model file pulled"`); n != 2 {
		t.Errorf("%d files logged to the given logger, want 2: %s", n, logged.String())
	}
	if err := verifyModel(dir, m); err != nil {
		t.Fatalf("verify after pull: %v", err)
	}
	if got := hits.Load(); got != 2 {
		t.Errorf("first pull made %d requests, want 2", got)
	}
	// Present and verified: a second pull fetches nothing.
	if err := pullModel(ctx, srv.URL, m, dir, srv.Client(), nil); err != nil {
		t.Fatalf("second pull: %v", err)
	}
	if got := hits.Load(); got != 2 {
		t.Errorf("second pull made %d more requests, want 0", got-2)
	}
	// A corrupted local file is fetched again.
	os.WriteFile(Path(dir, m.Name, "config.json"), []byte("junk"), 0o644)
	if err := pullModel(ctx, srv.URL, m, dir, srv.Client(), nil); err != nil {
		t.Fatalf("repair pull: %v", err)
	}
	if got := hits.Load(); got != 3 {
		t.Errorf("repair pull made %d requests, want 1", got-2)
	}
	assertNoTemp(t, dir)
}

func TestPull_ChecksumMismatch(t *testing.T) {
	m, content := fakeModel("")
	srv, _ := fakeHub(t, m, map[string][]byte{
		"config.json":           content["config.json"],
		"1_Pooling/config.json": []byte(`{"tampered":true}`),
	})
	dir := t.TempDir()
	// A good copy already in place must survive a bad download.
	good := Path(dir, m.Name, "1_Pooling/config.json")
	os.MkdirAll(filepath.Dir(good), 0o755)
	os.WriteFile(good, []byte("old"), 0o644)

	err := pullModel(context.Background(), srv.URL, m, dir, srv.Client(), nil)
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "1_Pooling/config.json") {
		t.Fatalf("pull = %v, want ErrCorrupt naming the file", err)
	}
	if b, _ := os.ReadFile(good); string(b) != "old" {
		t.Errorf("bad download replaced the existing file with %q", b)
	}
	assertNoTemp(t, dir)
}

func TestPull_HTTPErrors(t *testing.T) {
	m, content := fakeModel("")
	srv, _ := fakeHub(t, m, map[string][]byte{"config.json": content["config.json"]})
	err := pullModel(context.Background(), srv.URL, m, t.TempDir(), srv.Client(), nil)
	if err == nil || !strings.Contains(err.Error(), "404") {
		t.Fatalf("pull with a missing file = %v, want a 404 error", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := pullModel(ctx, srv.URL, m, t.TempDir(), srv.Client(), nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("pull with a cancelled ctx = %v", err)
	}
	if err := Pull(context.Background(), srv.URL, "nope", t.TempDir(), nil, nil); err == nil {
		t.Fatal("Pull(unknown model) = nil")
	}
}

func TestFileURL(t *testing.T) {
	m := Model{HubRepo: "BAAI/bge-small-en-v1.5", Revision: "main"}
	got, err := fileURL(DefaultHubURL+"/", m, "1_Pooling/config.json")
	if err != nil {
		t.Fatal(err)
	}
	if want := DefaultHubURL + "/BAAI/bge-small-en-v1.5/resolve/main/1_Pooling/config.json"; got != want {
		t.Errorf("fileURL = %s, want %s", got, want)
	}
}

func assertNoTemp(t *testing.T, dir string) {
	t.Helper()
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.Contains(d.Name(), ".part-") {
			t.Errorf("temp file left behind: %s", p)
		}
		return nil
	})
}
