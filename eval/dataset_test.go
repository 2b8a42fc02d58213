package eval

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestLoadBEIR_Tiny(t *testing.T) {
	ds, err := LoadBEIR(filepath.Join("testdata", "tiny"))
	if err != nil {
		t.Fatal(err)
	}
	if ds.Name != "tiny" {
		t.Errorf("Name = %q, want tiny", ds.Name)
	}
	wantDocs := []Doc{
		{ID: "d1", Title: "Gap buffers", Text: "A gap buffer keeps free space at the cursor."},
		{ID: "2", Title: "", Text: "Ropes are balanced trees of strings."},
		{ID: "d3", Title: "Piece tables", Text: "A piece table records edits as spans over two buffers."},
	}
	if !reflect.DeepEqual(ds.Docs, wantDocs) {
		t.Errorf("Docs = %+v, want %+v", ds.Docs, wantDocs)
	}
	wantQueries := []Query{{"q1", "how do text editors store a document"}, {"2", "ropes"}}
	if !reflect.DeepEqual(ds.Queries, wantQueries) {
		t.Errorf("Queries = %+v, want %+v", ds.Queries, wantQueries)
	}
	wantQrels := Qrels{"q1": {"d1": 2, "d3": 1, "2": 0}, "2": {"2": 1}}
	if !reflect.DeepEqual(ds.Qrels, wantQrels) {
		t.Errorf("Qrels = %v, want %v", ds.Qrels, wantQrels)
	}
	posts := ds.Posts()
	if len(posts) != 3 || posts[1].ID != "2" || posts[2].Title != "Piece tables" ||
		posts[0].Source.Title != "tiny" || len(posts[0].ContentHash) != 64 {
		t.Errorf("Posts = %+v", posts)
	}
	if posts[0].ContentHash == posts[1].ContentHash {
		t.Error("different posts share a content hash")
	}
}

func TestLoadBEIR_Errors(t *testing.T) {
	tests := []struct {
		name    string
		corpus  string
		qrels   string
		wantErr string
	}{
		{"bad json", "{\"id\": \"a\"\n", "q\ta\t1\n", "corpus.jsonl:1"},
		{"no id", "{\"title\": \"t\"}\n", "q\ta\t1\n", "without id"},
		{"bad grade", "{\"id\": \"a\"}\n", "query-id\tcorpus-id\tscore\nq\ta\tx\n", "score \"x\""},
		{"columns", "{\"id\": \"a\"}\n", "q a\n", "columns"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir, "corpus.jsonl", tt.corpus)
			write(t, dir, "queries.jsonl", "{\"id\": \"q\", \"text\": \"x\"}\n")
			write(t, dir, "qrels.tsv", tt.qrels)
			_, err := LoadBEIR(dir)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("err = %v, want it to mention %q", err, tt.wantErr)
			}
		})
	}
	if _, err := LoadBEIR(t.TempDir()); err == nil {
		t.Error("empty dir: no error")
	}
}

func TestParseQrels_TRECFormat(t *testing.T) {
	q, err := ParseQrels(strings.NewReader("1 0 184 3\n1 0 29 2\n\n2 0 12 0\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := Qrels{"1": {"184": 3, "29": 2}, "2": {"12": 0}}
	if !reflect.DeepEqual(q, want) {
		t.Errorf("got %v, want %v", q, want)
	}
}

func FuzzParseQrels(f *testing.F) {
	f.Add("query-id\tcorpus-id\tscore\nq1\td1\t2\n")
	f.Add("1 0 184 3\n")
	f.Add("a b\n")
	f.Fuzz(func(t *testing.T, data string) {
		q, err := ParseQrels(strings.NewReader(data))
		if err != nil {
			return
		}
		for qid, judged := range q {
			if strings.ContainsAny(qid, " \t\n") {
				t.Fatalf("query id %q has white space", qid)
			}
			for did := range judged {
				if did == "" || strings.ContainsAny(did, " \t\n") {
					t.Fatalf("doc id %q is empty or has white space", did)
				}
			}
		}
	})
}

func write(t *testing.T, dir, name, data string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}
