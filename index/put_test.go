package index

import (
	"strings"
	"testing"

	"github.com/semsearch/semsearch"
)

func TestValidate(t *testing.T) {
	doc := func() Doc {
		return Doc{
			Post:   semsearch.Post{ID: "p"},
			Chunks: []semsearch.Chunk{{ID: "p#0"}, {ID: "p#1", PostID: "p"}},
			Vecs:   [][]float32{{3, 4}, {0, -2}},
		}
	}
	t.Run("normalised copy", func(t *testing.T) {
		d := doc()
		norm, err := Validate(d, 2)
		if err != nil {
			t.Fatal(err)
		}
		if want := [][]float32{{0.6, 0.8}, {0, -1}}; len(norm) != 2 || norm[0][0] != want[0][0] || norm[0][1] != want[0][1] || norm[1][1] != want[1][1] {
			t.Errorf("normalised %v, want %v", norm, want)
		}
		if d.Vecs[0][0] != 3 {
			t.Errorf("the input was modified: %v", d.Vecs)
		}
	})
	tests := []struct {
		name string
		edit func(*Doc)
		dims int
		want string
	}{
		{"count", func(d *Doc) { d.Vecs = d.Vecs[:1] }, 2, "post p: 2 chunks but 1 vectors"},
		{"empty chunk ID", func(d *Doc) { d.Chunks[0].ID = "" }, 2, `post p: chunk 0 has an empty or repeated ID ""`},
		{"repeated chunk ID", func(d *Doc) { d.Chunks[1].ID = "p#0" }, 2, `post p: chunk 1 has an empty or repeated ID "p#0"`},
		{"other post", func(d *Doc) { d.Chunks[1].PostID = "q" }, 2, "post p: chunk p#1 belongs to post q"},
		{"dims", func(*Doc) {}, 3, "post p: vector of chunk p#0 has 2 dimensions, the index has 3"},
		{"zero", func(d *Doc) { d.Vecs[1] = []float32{0, 0} }, 2, "post p: vector of chunk p#1 is the zero vector"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := doc()
			tt.edit(&d)
			_, err := Validate(d, tt.dims)
			if semsearch.ErrorCode(err) != semsearch.EInvalid || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want invalid %q", err, tt.want)
			}
		})
	}
}

func TestCheckPostIDs(t *testing.T) {
	doc := func(id string) Doc { return Doc{Post: semsearch.Post{ID: id}} }
	tests := []struct {
		name string
		docs []Doc
		ok   bool
	}{
		{"none", nil, true},
		{"distinct", []Doc{doc("a"), doc("b")}, true},
		{"empty", []Doc{doc("a"), doc("")}, false},
		{"repeated", []Doc{doc("a"), doc("b"), doc("a")}, false},
	}
	for _, tc := range tests {
		err := CheckPostIDs(tc.docs)
		if (err == nil) != tc.ok || (err != nil && semsearch.ErrorCode(err) != semsearch.EInvalid) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}
