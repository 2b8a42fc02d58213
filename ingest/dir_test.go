package ingest

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
)

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Hidden files and directories are skipped silently, binary files get a
// per-file error, and results come in lexical path order.
func TestLoad_DirSkipsHiddenAndBinary(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, ".git", "HEAD.md"), "# hidden\n\ntext")
	writeFile(t, filepath.Join(dir, ".draft.md"), "# hidden\n\ntext")
	writeFile(t, filepath.Join(dir, "b", "two.md"), "# Two\n\nSecond post text.")
	writeFile(t, filepath.Join(dir, "a.md"), "# One\n\nFirst post text.")
	writeFile(t, filepath.Join(dir, "c.txt"), "Three\n\nThird post text.")
	writeFile(t, filepath.Join(dir, "data.bin"), "\x00\x01\x02binary")
	res := New(Options{}).Load(t.Context(), dir, nil)
	var got []string
	for _, r := range res {
		rel, _ := filepath.Rel(dir, r.Source)
		got = append(got, rel)
	}
	want := []string{"a.md", filepath.Join("b", "two.md"), "c.txt", "data.bin"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("sources = %q, want %q", got, want)
	}
	for _, r := range res[:3] {
		if r.Err != nil || len(r.Posts) != 1 {
			t.Errorf("%s: %d posts, err %v", r.Source, len(r.Posts), r.Err)
		}
	}
	if res[3].Err == nil || !strings.Contains(res[3].Err.Error(), "binary") {
		t.Errorf("binary file: err = %v", res[3].Err)
	}
	if p := res[0].Posts[0]; p.Title != "One" || p.Text != "First post text." || !strings.HasPrefix(p.URL, "file:///") || p.ID != p.URL {
		t.Errorf("markdown post = %+v", p)
	}
}

// Re-ingesting the same bytes gives the same IDs and hashes.
func TestParse_Stable(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(testdataDir(t), "notes", "listing.txt"))
	if err != nil {
		t.Fatal(err)
	}
	a, err1 := Parse(data, "")
	b, err2 := Parse(data, "")
	if err1 != nil || err2 != nil || len(a) != len(b) {
		t.Fatal(err1, err2)
	}
	for i := range a {
		if a[i].ID != b[i].ID || a[i].ContentHash != b[i].ContentHash {
			t.Errorf("post %d not stable", i)
		}
	}
}

// What gofeed's XML parser does with DTD entities on its own: encoding/xml
// ignores the internal subset and leaves undefined references as text, so
// there is no expansion. The pre-check refuses such input anyway.
func TestGofeed_DoesNotExpandEntities(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "broken", "billion-laughs.xml"))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	feed, err := gofeed.NewParser().Parse(bytes.NewReader(data))
	if err == nil && len(feed.Title) > 1000 {
		t.Errorf("entity expanded to %d bytes", len(feed.Title))
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("parse took %v", time.Since(start))
	}
	if _, err := Parse(data, ""); err == nil {
		t.Error("Parse accepted an entity declaration")
	}
}
