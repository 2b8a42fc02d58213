package browsertest

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/server"
)

// TestWidget_Answers: with the answers attribute the widget asks /api/ask;
// when a post answers, the sentence that answers is the first option, as
// text, linked to it in its post, and the arrow keys reach it; when none
// does, only the posts are listed.
func TestWidget_Answers(t *testing.T) {
	ln := listen(t)
	blog := "http://" + ln.Addr().String()
	svc := newService()
	const sentence = `Writes are durable once fsync returns <img src=x onerror="window.__pwned=true">.`
	svc.AskFunc = func(ctx context.Context, q semsearch.Query) (semsearch.Answer, error) {
		res, err := svc.SearchFunc(ctx, q)
		a := semsearch.Answer{Query: q.Text, Results: res, Confidence: 0.1}
		if err != nil || q.Text == "sourdough starter" {
			return a, err
		}
		a.Answered, a.Confidence = true, 0.9
		a.Sentences = []semsearch.AnswerSentence{{Text: sentence, PostID: res[0].ID, Title: res[0].Title, URL: res[0].URL,
			Link: res[0].URL + "#:~:text=Writes%20are%20durable"}}
		return a, nil
	}
	base := startServerWith(t, server.Config{CORSOrigins: []string{blog}}, svc)
	serveBlog(t, base, ln, "answers")

	b := newBrowser(t)
	console := watchConsole(t, b)
	b.do(t, chromedp.Navigate(blog+"/"))
	waitFor(t, b, `customElements.get("semsearch-search") !== undefined && `+shadow+` !== null`)
	type view struct {
		First, Text, Title, Href, Status, Selected string
		Options                                    int
		Markup, Pwned                              bool
	}
	look := `(() => {
		const root = ` + shadow + `, first = root.querySelector(".result");
		return {
			First: first.className, Text: first.querySelector(".passage").textContent,
			Title: first.querySelector(".title").textContent, Href: first.querySelector(".title").href,
			Status: root.querySelector("[role=status]").textContent,
			Selected: (root.querySelector("[aria-selected=true]") || {}).className || "",
			Options: root.querySelectorAll("[role=option]").length,
			Markup: root.querySelectorAll(".results img").length > 0, Pwned: window.__pwned === true,
		};
	})()`

	b.do(t,
		chromedp.Evaluate[chromedp.Void](shadow+`.querySelector("input").focus()`),
		chromedp.KeyEvent("is a write durable"),
	)
	waitFor(t, b, `document.querySelector("semsearch-search").dataset.state === "done"`)
	if c := svc.LastCall(); c.Method != "Ask" || c.Query.Text != "is a write durable" || c.Query.K != 3 {
		t.Errorf("last call %+v, want an ask with k=3", c)
	}
	b.do(t, chromedp.KeyEvent(kb.ArrowDown))
	got := eval[view](t, b, look)
	if got.First != "result answer" || got.Text != sentence || got.Title != "Files are hard" ||
		got.Href != idFiles+"#:~:text=Writes%20are%20durable" || got.Options != 4 || got.Status != "Answer and 3 posts" || got.Selected != "result answer" || got.Markup || got.Pwned {
		t.Errorf("answered: %+v", got)
	}

	b.do(t, chromedp.Evaluate[chromedp.Void](shadow+`.querySelector("input").value = ""`), chromedp.KeyEvent("sourdough starter"))
	waitFor(t, b, `document.querySelector("semsearch-search").dataset.state === "done" && `+shadow+`.querySelector("input").value === "sourdough starter"`)
	waitFor(t, b, shadow+`.querySelector("[role=status]").textContent === "3 posts"`)
	if got := eval[view](t, b, look); got.First != "result" || got.Options != 3 {
		t.Errorf("unanswered: %+v", got)
	}
	if msgs := console.take(); len(msgs) > 0 {
		t.Errorf("console: %q", msgs)
	}
}
