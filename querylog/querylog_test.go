package querylog

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/semsearch/semsearch"
)

// clock is an injected clock the test moves by hand.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestLog_RecordAndRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	c := &clock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	l, err := Open(path, Retention{}, c.now)
	if err != nil {
		t.Fatal(err)
	}
	posts := []semsearch.GapPost{{ID: "1"}, {ID: "2"}, {ID: "3"}, {ID: "4"}}
	if err := l.Record(semsearch.LoggedQuery{Query: "sourdough", Confidence: 0.1, Posts: posts}); err != nil {
		t.Fatal(err)
	}
	c.t = c.t.Add(time.Hour)
	if err := l.Record(semsearch.LoggedQuery{Query: "fsync", Answered: true, Confidence: 0.9}); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	got, err := Read(path, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Query != "sourdough" || len(got[0].Posts) != 3 || !got[1].Answered || !got[1].Time.Equal(c.t) {
		t.Errorf("read %+v", got)
	}
	if since, _ := Read(path, c.t); len(since) != 1 || since[0].Query != "fsync" {
		t.Errorf("since %v: %+v", c.t, since)
	}
	// Only what the log promises to keep: no address, no user agent.
	data, _ := os.ReadFile(path)
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatal(err)
		}
		for k := range m {
			switch k {
			case "time", "query", "answered", "confidence", "posts":
			default:
				t.Errorf("logged field %q", k)
			}
		}
	}
}

func TestLog_Retention(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	l, err := Open(path, Retention{MaxAge: 48 * time.Hour, MaxEntries: 8}, c.now)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 30 {
		if err := l.Record(semsearch.LoggedQuery{Query: "q" + string(rune('a'+i%26))}); err != nil {
			t.Fatal(err)
		}
	}
	l.Close()
	got, _ := Read(path, time.Time{})
	if len(got) > 8+8/4 {
		t.Errorf("%d entries kept, want at most %d", len(got), 10)
	}
	// Reopened three days later: everything is too old.
	c.t = c.t.Add(72 * time.Hour)
	l, err = Open(path, Retention{MaxAge: 48 * time.Hour, MaxEntries: 8}, c.now)
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	if got, _ := Read(path, time.Time{}); len(got) != 0 {
		t.Errorf("%d entries older than the retention kept", len(got))
	}
}

func TestRead_SkipsTornLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	os.WriteFile(path, []byte(`{"time":"2026-01-01T00:00:00Z","query":"a"}`+"\n"+`{"time":"2026-01-0`), 0o600)
	got, err := Read(path, time.Time{})
	if err != nil || len(got) != 1 {
		t.Errorf("read %+v, %v", got, err)
	}
	if got, err := Read(filepath.Join(t.TempDir(), "none"), time.Time{}); err != nil || got != nil {
		t.Errorf("missing log: %v %v", got, err)
	}
}

func FuzzRead(f *testing.F) {
	f.Add([]byte(`{"time":"2026-01-01T00:00:00Z","query":"a","posts":[{"id":"x"}]}` + "\n{"))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), FileName)
		os.WriteFile(path, data, 0o600)
		got, err := Read(path, time.Time{})
		if err != nil {
			return
		}
		for _, q := range got {
			if q.Query == "" {
				t.Fatalf("read an entry without a query: %+v", q)
			}
		}
	})
}
