package ingest

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/semsearch/semsearch"
)

// gofeedTestdata locates the testdata folder of the gofeed module in the
// module cache: ~1100 real-world and deliberately malformed feeds.
func gofeedTestdata(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/mmcdole/gofeed").Output()
	dir := filepath.Join(strings.TrimSpace(string(out)), "testdata")
	if err != nil || strings.TrimSpace(string(out)) == "" {
		dir = "(unknown)"
	}
	needDir(t, dir, "gofeed module testdata (run `go mod download github.com/mmcdole/gofeed`)")
	return dir
}

// Every file of gofeed's test corpus yields posts or a clear error, never a
// panic, and never both.
func TestParse_GofeedCorpus(t *testing.T) {
	dir := gofeedTestdata(t)
	var files, withPosts, failed int
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		posts, err := func() (posts []semsearch.Post, err error) {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%s: panic: %v", path, r)
				}
			}()
			return Parse(data, "https://feeds.example.com/"+filepath.Base(path))
		}()
		switch {
		case err != nil && len(posts) > 0:
			t.Errorf("%s: both posts and error %v", path, err)
		case err != nil:
			failed++
			if os.Getenv("SHOWERR") != "" {
				t.Logf("%s: %v", path, err)
			}
			if err.Error() == "" {
				t.Errorf("%s: empty error message", path)
			}
		case len(posts) == 0:
			t.Errorf("%s: no posts and no error", path)
		default:
			withPosts++
			for _, p := range posts {
				if p.ID == "" || p.Title == "" || len(p.ContentHash) != 64 {
					t.Errorf("%s: incomplete post id=%q title=%q", path, p.ID, p.Title)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("gofeed corpus: %d files, %d with posts, %d with errors", files, withPosts, failed)
	if files < 500 {
		t.Errorf("only %d files found in %s", files, dir)
	}
	if withPosts < 100 { // most files are feed-level fragments without items
		t.Errorf("only %d of %d files gave posts", withPosts, files)
	}
}
