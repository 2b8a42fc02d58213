package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/semsearch/semsearch/export"
	"github.com/semsearch/semsearch/internal/fakeembed"
	"github.com/semsearch/semsearch/internal/testenv"
)

// TestCLI_ExportRelated ingests the repo's testdata feeds and pages and
// exports related posts in every format through the app's Related: each
// file is where the site generator looks, parses, is keyed by the posts'
// URLs, never lists a post under itself, and is the same on a second run.
func TestCLI_ExportRelated(t *testing.T) {
	fake := fakeembed.New()
	defer fake.Close()
	env := []string{"SEMSEARCH_DATA=" + t.TempDir(), "SEMSEARCH_EMBED_URL=" + fake.URL + "/v1", "SEMSEARCH_EMBED_MODEL=fake"}
	root := testenv.RepoRoot(t)
	cli(t, env, 0, "ingest", filepath.Join(root, "testdata", "feeds"), filepath.Join(root, "testdata", "pages"))

	site := t.TempDir()
	for _, tt := range []struct{ format, path string }{
		{"hugo", "data/related.json"},
		{"jekyll", "_data/related.yml"},
		{"json", "related.json"},
	} {
		t.Run(tt.format, func(t *testing.T) {
			out := cli(t, env, 0, "export", "related", "--out", site, "--format", tt.format, "--k", "3")
			path := filepath.Join(site, tt.path)
			if !strings.Contains(string(out), path) {
				t.Errorf("output %q does not name %s", out, path)
			}
			first, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var d export.Data
			if tt.format == "jekyll" {
				err = yaml.Unmarshal(first, &d)
			} else {
				err = json.Unmarshal(first, &d)
			}
			if err != nil {
				t.Fatalf("%s does not parse: %v", path, err)
			}
			if len(d) < 5 {
				t.Fatalf("%d lists in %s", len(d), path)
			}
			for key, list := range d {
				if !strings.HasPrefix(key, "http") || len(list) > 3 {
					t.Errorf("key %q with %d entries", key, len(list))
				}
				for _, e := range list {
					if e.URL == key || e.Title == "" || !strings.HasPrefix(e.Passage.Link, e.URL) {
						t.Errorf("%s: entry %+v", key, e)
					}
				}
			}
			cli(t, env, 0, "export", "related", "--out", site, "--format", tt.format, "--k", "3")
			second, _ := os.ReadFile(path)
			if !bytes.Equal(first, second) {
				t.Error("a second export differs")
			}
		})
	}
	cli(t, env, 2, "export", "related", "--out", site, "--format", "toml")
	cli(t, env, 2, "export", "related", "--format", "json")
	cli(t, env, 2, "export", "related", "--out", site, "--k", "0")
}
