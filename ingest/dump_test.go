package ingest

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

func TestDump(t *testing.T) {
	res := New(Options{}).Load(t.Context(), os.Getenv("DUMP"), nil)
	for _, r := range res {
		if r.Err != nil {
			fmt.Println("ERR", r.Err)
		}
		for _, p := range r.Posts {
			if f := os.Getenv("TITLE"); f != "" && !strings.HasPrefix(p.Title, f) {
				continue
			}
			fmt.Printf("=== %s | %s | %v | %v | %q | %v\n", p.ID, p.Title, p.Published.Format("2006-01-02"), p.Tags, p.ReadingTime, p.Authors)
			t := p.Text
			if n, _ := fmt.Sscan(os.Getenv("N"), new(int)); n == 0 && len(t) > 600 {
				t = t[:600]
			}
			fmt.Println(t)
		}
	}
}
