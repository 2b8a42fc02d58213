package browsertest

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/semsearch/semsearch"
)

// TestWebPage_AnswerCardAndFacets checks that the page leads with the
// answer card (quoted sentence, citation, deep link, confidence), says
// plainly when nothing answers, offers the facets as filters and shows
// the filters and the query's date phrases as removable chips.
func TestWebPage_AnswerCardAndFacets(t *testing.T) {
	svc := newService()
	base := startServer(t, svc)
	b := newBrowser(t)

	b.do(t,
		chromedp.Navigate(base+"/?q=fsync"),
		chromedp.WaitVisible(chromedp.CSS("#answer .answer-text")),
	)
	waitFor(t, b, `document.querySelector("#status").dataset.kind === "done"`)
	card := eval[struct {
		Text, Post, Link, Note string
		Before                 bool
	}](t, b, `(() => {
		const c = document.querySelector("#answer");
		return {
			Text: c.querySelector(".answer-text").textContent,
			Post: c.querySelector(".answer-post").textContent,
			Link: c.querySelector(".answer-link").href,
			Note: c.querySelector(".answer-note").textContent,
			Before: !!(c.compareDocumentPosition(document.querySelector("#results")) & Node.DOCUMENT_POSITION_FOLLOWING),
		};
	})()`)
	if !strings.HasPrefix(card.Text, "A successful write() only means") || card.Post != "Files are hard" ||
		!strings.Contains(card.Link, "#:~:text=") || !strings.Contains(card.Note, "90%") || !card.Before {
		t.Errorf("answer card %+v", card)
	}

	// The facets count the candidates; choosing a source filters by it and
	// shows it as a chip, which removes it again.
	sources := eval[[]string](t, b, `[...document.querySelectorAll('#facets [data-facet="source"] .facet-option')].map(b => b.textContent)`)
	if len(sources) != 3 {
		t.Fatalf("source facets %q", sources)
	}
	b.do(t, chromedp.Click(chromedp.CSS(`#facets [data-facet="source"] li:last-child .facet-option`)))
	waitFor(t, b, `location.search.includes("source=") && document.querySelector("#status").dataset.kind === "done"`)
	chosen := strings.TrimSuffix(sources[2], "1")
	if c := svc.LastCall(); c.Query.Filter.Source != chosen {
		t.Errorf("search filtered by source %q, want %q", c.Query.Filter.Source, chosen)
	}
	if chip := eval[string](t, b, `document.querySelector("#chips .chip").textContent`); chip != "Source: "+chosen+" ×" {
		t.Errorf("chip %q", chip)
	}
	screenshot(t, b, "answer-card.png")
	b.do(t, chromedp.Click(chromedp.CSS("#chips .chip")))
	waitFor(t, b, `!location.search.includes("source=") && document.querySelector("#status").dataset.kind === "done"`)
	if c := svc.LastCall(); c.Query.Filter.Source != "" {
		t.Errorf("source filter %q after removing its chip", c.Query.Filter.Source)
	}

	// A date range from the facets.
	b.do(t, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Evaluate[chromedp.Void](`document.querySelector("#since").value = "2023-01-01"; document.querySelector("#dates button").click()`)(ctx, tg)
		if err == chromedp.ErrJSUndefined {
			return nil
		}
		return err
	}))
	waitFor(t, b, `location.search.includes("since=2023-01-01") && document.querySelector("#status").dataset.kind === "done"`)
	if c := svc.LastCall(); c.Query.Filter.Since.Year() != 2023 {
		t.Errorf("since %v", c.Query.Filter.Since)
	}

	// Nothing answers: the card says so plainly, the results still show.
	// The query's date phrase is a chip; removing it searches the words
	// literally.
	svc.AskFunc = func(ctx context.Context, q semsearch.Query) (semsearch.Answer, error) {
		res, _ := svc.SearchFunc(ctx, q)
		return semsearch.Answer{Query: q.Text, Confidence: 0.04, Results: res,
			Interpreted: semsearch.Interpretation{Text: "sourdough", Sort: semsearch.SortDate, Phrases: []string{"latest"}}}, nil
	}
	b.do(t,
		chromedp.Navigate(base+"/?q=latest+sourdough"),
		chromedp.WaitVisible(chromedp.CSS("#answer .answer-note")),
	)
	waitFor(t, b, `document.querySelector("#status").dataset.kind === "done"`)
	if note := eval[string](t, b, `document.querySelector("#answer .answer-note").textContent`); !strings.Contains(note, "No post answers this question") {
		t.Errorf("abstention note %q", note)
	}
	if n := eval[int](t, b, `document.querySelectorAll("#answer .answer-sentence").length + 10 * document.querySelectorAll("#results > .result").length`); n != 30 {
		t.Errorf("sentences + 10×results = %d, want no sentence and 3 results", n)
	}
	if chip := eval[string](t, b, `document.querySelector("#chips .chip").textContent`); !strings.Contains(chip, "latest") || !strings.Contains(chip, "newest first") {
		t.Errorf("date chip %q", chip)
	}
	b.do(t, chromedp.Click(chromedp.CSS("#chips .chip")))
	waitFor(t, b, `location.search.includes("interpret=0") && document.querySelector("#status").dataset.kind === "done"`)
	if c := svc.LastCall(); !c.Query.Literal {
		t.Errorf("query %+v not literal after removing the date chip", c.Query)
	}
	b.checkProblems(t)
}
