package eval

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

func TestWriteTRECRun_Format(t *testing.T) {
	run := map[string][]ScoredDoc{
		"2":  {{"d9", 0.5}},
		"10": {{"d1", 12.25}, {"d2", 1.0 / 3}},
	}
	var buf bytes.Buffer
	if err := WriteTRECRun(&buf, "semsearch-hybrid", run); err != nil {
		t.Fatal(err)
	}
	want := "10 Q0 d1 1 12.25 semsearch-hybrid\n" +
		"10 Q0 d2 2 0.3333333333333333 semsearch-hybrid\n" +
		"2 Q0 d9 1 0.5 semsearch-hybrid\n"
	if buf.String() != want {
		t.Errorf("got\n%s\nwant\n%s", buf.String(), want)
	}
	back, err := ReadTRECRun(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, run) {
		t.Errorf("round trip: got %v, want %v", back, run)
	}
}

func TestWriteTRECRun_RejectsBadIDs(t *testing.T) {
	for _, run := range []map[string][]ScoredDoc{
		{"q": {{"a b", 1}}},
		{"q": {{"", 1}}},
		{"q 1": {{"a", 1}}},
	} {
		if err := WriteTRECRun(&bytes.Buffer{}, "r", run); err == nil {
			t.Errorf("run %v: no error", run)
		}
	}
	if err := WriteTRECRun(&bytes.Buffer{}, "two words", nil); err == nil {
		t.Error("run name with a space: no error")
	}
}

func TestReadTRECRun_Short(t *testing.T) {
	if _, err := ReadTRECRun(strings.NewReader("1 Q0 d1 1\n")); err == nil {
		t.Error("4-column line: no error")
	}
}
