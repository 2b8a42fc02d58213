package browsertest

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/semsearch/semsearch"
)

// TestWebPage_PhrasedAnswer: a chat model's phrasing (when the server has
// a chat endpoint) shows above the numbered quotes it cites, credited to
// its model and as plain text; an answer without one shows the quotes
// only.
func TestWebPage_PhrasedAnswer(t *testing.T) {
	svc := newService()
	want := &semsearch.Phrasing{Text: "Only once fsync returns <b>[1]</b>.", Model: "tiny-chat"}
	var phrased atomic.Pointer[semsearch.Phrasing] // read by the server's goroutines
	phrased.Store(want)
	svc.AskFunc = func(ctx context.Context, q semsearch.Query) (semsearch.Answer, error) {
		res, err := svc.SearchFunc(ctx, q)
		if err != nil || len(res) == 0 {
			return semsearch.Answer{Query: q.Text, Results: res}, err
		}
		r := res[0]
		return semsearch.Answer{Query: q.Text, Answered: true, Confidence: 0.9, Results: res, Phrased: phrased.Load(),
			Sentences: []semsearch.AnswerSentence{{Text: r.Passages[0].Text, PostID: r.ID, Title: r.Title, URL: r.URL, Link: r.Passages[0].Link}}}, nil
	}
	base := startServer(t, svc)
	b := newBrowser(t)

	b.do(t,
		chromedp.Navigate(base+"/?q=fsync"),
		chromedp.WaitVisible(chromedp.CSS("#answer .answer-phrased")),
	)
	waitFor(t, b, `document.querySelector("#status").dataset.kind === "done"`)
	got := eval[struct {
		Text, By      string
		Markup, Above bool
		Quotes        int
	}](t, b, `(() => {
		const p = document.querySelector("#answer .answer-phrased");
		return {
			Text: p.querySelector(".answer-phrased-text").textContent,
			By: p.querySelector(".answer-phrased-by").textContent,
			Markup: !!p.querySelector("b"),
			Above: !!(p.compareDocumentPosition(document.querySelector("#answer .answer-sentences")) & Node.DOCUMENT_POSITION_FOLLOWING),
			Quotes: document.querySelectorAll("#answer .answer-sentence").length,
		};
	})()`)
	if got.Text != want.Text || got.By != "— phrased by tiny-chat from the quotes below" || got.Markup || !got.Above || got.Quotes != 1 {
		t.Errorf("phrased answer %+v", got)
	}
	screenshot(t, b, "answer-phrased.png")

	phrased.Store(nil)
	b.do(t,
		chromedp.Navigate(base+"/?q=fsync+durable"),
		chromedp.WaitVisible(chromedp.CSS("#answer .answer-text")),
	)
	waitFor(t, b, `document.querySelector("#status").dataset.kind === "done"`)
	if hidden := eval[bool](t, b, `document.querySelector("#answer .answer-phrased").hidden`); !hidden {
		t.Error("a phrasing shows for an answer without one")
	}
	b.checkProblems(t)
}
