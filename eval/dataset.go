package eval

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/semsearch/semsearch"
)

// Doc is one corpus document of a test collection.
type Doc struct {
	ID    string
	Title string
	Text  string
}

// Query is one test query.
type Query struct {
	ID   string
	Text string
}

// Qrels maps a query id to its judged documents and their grades
// (0 = judged not relevant).
type Qrels map[string]map[string]int

// Dataset is a test collection in memory.
type Dataset struct {
	Name    string  // base name of the directory, e.g. "scifact"
	Docs    []Doc   // in file order
	Queries []Query // in file order
	Qrels   Qrels
}

// LoadBEIR reads a BEIR-layout directory: corpus.jsonl ({"_id" or "id",
// "title","text"}), queries.jsonl ({"_id" or "id","text"}) and qrels.tsv
// (query-id, corpus-id, score; tab separated, an optional header line).
func LoadBEIR(dir string) (*Dataset, error) {
	return LoadBEIRQrels(dir, "qrels.tsv")
}

// LoadBEIRQrels is LoadBEIR with another judgments file in dir, e.g.
// Cranfield's "qrels_graded.tsv".
func LoadBEIRQrels(dir, qrelsName string) (*Dataset, error) {
	ds := &Dataset{Name: filepath.Base(filepath.Clean(dir))}
	if err := readJSONL(filepath.Join(dir, "corpus.jsonl"), func(r beirRecord) error {
		ds.Docs = append(ds.Docs, Doc{ID: r.id(), Title: r.Title, Text: r.Text})
		return nil
	}); err != nil {
		return nil, err
	}
	if err := readJSONL(filepath.Join(dir, "queries.jsonl"), func(r beirRecord) error {
		ds.Queries = append(ds.Queries, Query{ID: r.id(), Text: r.Text})
		return nil
	}); err != nil {
		return nil, err
	}
	f, err := os.Open(filepath.Join(dir, qrelsName))
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", dir, err)
	}
	defer f.Close()
	ds.Qrels, err = ParseQrels(f)
	if err != nil {
		return nil, fmt.Errorf("load %s: %s: %w", dir, qrelsName, err)
	}
	return ds, nil
}

// beirRecord is one line of corpus.jsonl or queries.jsonl. Ids may be
// strings or numbers, under "_id" (BEIR) or "id".
type beirRecord struct {
	UID   json.RawMessage `json:"_id"`
	ID    json.RawMessage `json:"id"`
	Title string          `json:"title"`
	Text  string          `json:"text"`
}

func (r beirRecord) id() string {
	raw := r.ID
	if len(raw) == 0 || string(raw) == "null" {
		raw = r.UID
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return strings.TrimSpace(string(raw)) // a number: keep its literal spelling
}

func readJSONL(path string, fn func(beirRecord) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20) // some abstracts are long lines
	for line := 1; sc.Scan(); line++ {
		b := sc.Bytes()
		if len(strings.TrimSpace(string(b))) == 0 {
			continue
		}
		var r beirRecord
		if err := json.Unmarshal(b, &r); err != nil {
			return fmt.Errorf("read %s:%d: %w", path, line, err)
		}
		if r.id() == "" {
			return fmt.Errorf("read %s:%d: record without id", path, line)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	return nil
}

// ParseQrels reads TREC/BEIR judgments: "query-id<TAB>corpus-id<TAB>score"
// (BEIR, with a header line) or "qid iter docid score" (TREC qrels, four
// whitespace-separated columns). A later line for the same pair wins.
func ParseQrels(r io.Reader) (Qrels, error) {
	q := Qrels{}
	sc := bufio.NewScanner(r)
	for line := 1; sc.Scan(); line++ {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		if line == 1 && f[0] == "query-id" {
			continue
		}
		var qid, did, grade string
		switch len(f) {
		case 3:
			qid, did, grade = f[0], f[1], f[2]
		case 4:
			qid, did, grade = f[0], f[2], f[3]
		default:
			return nil, fmt.Errorf("line %d: want 3 or 4 columns, got %d", line, len(f))
		}
		g, err := strconv.Atoi(grade)
		if err != nil {
			return nil, fmt.Errorf("line %d: score %q: %w", line, grade, err)
		}
		if q[qid] == nil {
			q[qid] = map[string]int{}
		}
		q[qid][did] = g
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return q, nil
}

// Posts returns the corpus as posts to ingest: ID is the document id, the
// source names the dataset. The slice is new; the caller owns it.
func (d *Dataset) Posts() []semsearch.Post {
	posts := make([]semsearch.Post, len(d.Docs))
	for i, doc := range d.Docs {
		posts[i] = semsearch.Post{
			ID:          doc.ID,
			Title:       doc.Title,
			Text:        doc.Text,
			Source:      semsearch.Source{Title: d.Name},
			ContentHash: semsearch.ContentHash(doc.Title, doc.Text),
		}
	}
	return posts
}
