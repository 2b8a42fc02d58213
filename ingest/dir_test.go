package ingest

import (
	"bytes"
	"errors"
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

// Drafts (draft: true in YAML or TOML front matter, Jekyll's published:
// false) are left out as static site generators leave them out: reported as
// skipped, neither posts nor errors, whether walked or named.
func TestLoad_SkipsDrafts(t *testing.T) {
	dir := t.TempDir()
	files := []struct {
		name, content string
		draft         bool
	}{
		{"a-yaml-draft.md", "---\ntitle: Draft\ndraft: true\n---\nUnfinished text.\n", true},
		{"b-toml-draft.md", "+++\ntitle = \"Draft\"\ndraft = true\n+++\nUnfinished text.\n", true},
		{"c-string-draft.md", "---\ntitle: Draft\ndraft: \"true\"\n---\nUnfinished text.\n", true},
		{"d-jekyll-unpublished.md", "---\ntitle: Draft\npublished: false\n---\nUnfinished text.\n", true},
		{"e-not-draft.md", "---\ntitle: Done\ndraft: false\n---\nFinished text.\n", false},
		{"f-no-flag.md", "---\ntitle: Done\n---\nFinished text.\n", false},
		{"g-published-date.md", "---\ntitle: Done\npublished: 2024-01-02\n---\nFinished text.\n", false},
	}
	for _, f := range files {
		writeFile(t, filepath.Join(dir, f.name), f.content)
	}
	in := New(Options{})
	res := in.Load(t.Context(), dir, nil)
	if len(res) != len(files) {
		t.Fatalf("%d results, want %d", len(res), len(files))
	}
	for i, f := range files {
		r := res[i]
		if filepath.Base(r.Source) != f.name || r.Err != nil {
			t.Fatalf("result %d: %s err %v, want %s without error", i, r.Source, r.Err, f.name)
		}
		switch {
		case f.draft && (r.Skipped != "draft" || len(r.Posts) != 0):
			t.Errorf("%s: skipped %q with %d posts, want skipped as a draft", f.name, r.Skipped, len(r.Posts))
		case !f.draft && (r.Skipped != "" || len(r.Posts) != 1):
			t.Errorf("%s: skipped %q with %d posts, want one post", f.name, r.Skipped, len(r.Posts))
		}
	}
	// Named on its own, a draft is skipped the same way.
	one := in.Load(t.Context(), filepath.Join(dir, files[0].name), nil)
	if len(one) != 1 || one[0].Skipped != "draft" || one[0].Err != nil || len(one[0].Posts) != 0 {
		t.Errorf("named draft: %+v", one)
	}
	if _, err := Parse([]byte(files[1].content), "file:///x.md"); !errors.Is(err, ErrDraft) {
		t.Errorf("Parse(draft) error = %v, want ErrDraft", err)
	}
}
