package browsertest

import (
	"context"
	"errors"
	"time"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/server/servertest"
)

const (
	idFiles   = "https://blog.example.org/2024/files-are-hard"
	idEvil    = "https://evil.example/post?id=1&x=<y>"
	idWAL     = "https://notes.example.net/write-ahead-logging"
	evilTitle = `<script>window.__pwned = true</script><img src=x onerror="window.__pwned = true">Totally normal title`
)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 9, 30, 0, 0, time.UTC) }

// newService returns a fake with realistic results: highlighted passages,
// a hostile title and URL, and related posts. The query "boom" fails with
// an internal error and "nothing" finds nothing.
func newService() *servertest.Service {
	results := []semsearch.Result{
		{
			ID: idFiles, Title: "Files are hard", URL: idFiles, Source: "Example Systems Blog",
			Author: "Dana Lu", Published: date(2024, time.March, 12), Score: 0.91,
			Passages: []semsearch.Passage{
				{
					Heading:   "What does fsync guarantee?",
					Text:      "A successful write() only means the data reached the page cache; it is not durable until fsync returns.",
					Highlight: "A successful write() only means the data reached the page cache; it is not <mark>durable</mark> until <mark>fsync</mark> returns.",
					Link:      idFiles + "#:~:text=A%20successful%20write()%20only%20means,until%20fsync%20returns.",
				},
				{
					Heading:   "Renames & directories",
					Text:      "After rename(), fsync the directory too, or the new name can vanish after a crash.",
					Highlight: "After rename(), <mark>fsync</mark> the directory too, or the new name can vanish after a crash &amp; restart.",
				},
			},
		},
		{
			ID: idEvil, Title: evilTitle, URL: "javascript:window.__pwned = true", Source: "Untrusted Feed <b>bold</b>",
			Author: "<i>Mallory</i>", Published: date(2023, time.November, 2), Score: 0.52,
			Passages: []semsearch.Passage{{
				Text:      "Escaped <script>alert(1)</script> text mentioning fsync.",
				Highlight: "Escaped &lt;script&gt;alert(1)&lt;/script&gt; text mentioning <mark>fsync</mark>.",
				Link:      "javascript:window.__pwned = true",
			}},
		},
		{
			// No URL (a post from a plain-text listing): shown without a link.
			ID: idWAL, Title: "Write-ahead logging, explained", URL: "", Source: "Notes",
			Published: date(2022, time.June, 30), Score: 0.44,
			Passages: []semsearch.Passage{{
				Text:      "The log is forced to stable storage before the commit is acknowledged.",
				Highlight: "The log is forced to stable storage before the commit is acknowledged — <mark>durability</mark> first.",
			}},
		},
	}
	svc := &servertest.Service{
		Posts: map[string]semsearch.Post{
			idFiles: {ID: idFiles, Title: "Files are hard"},
			idEvil:  {ID: idEvil, Title: evilTitle},
			idWAL:   {ID: idWAL, Title: "Write-ahead logging, explained"},
		},
		Results: results,
		RelatedTo: map[string][]semsearch.Result{
			idFiles: {
				{ID: idWAL, Title: "Write-ahead logging, explained", URL: idWAL, Source: "Notes", Published: date(2022, time.June, 30), Score: 0.8},
				{ID: "https://blog.example.org/2021/ssd-power-loss", Title: "What SSDs do when the power goes out", URL: "https://blog.example.org/2021/ssd-power-loss", Source: "Example Systems Blog", Author: "Dana Lu", Score: 0.7},
			},
		},
	}
	svc.SearchFunc = func(ctx context.Context, q semsearch.Query) ([]semsearch.Result, error) {
		switch q.Text {
		case "boom":
			return nil, errors.New("index at /var/lib/semsearch is corrupted") // internal: not shown
		case "nothing":
			return nil, nil
		}
		return results, nil
	}
	return svc
}
