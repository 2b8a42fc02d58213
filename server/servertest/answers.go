package servertest

import (
	"context"
	"strings"
	"time"

	"github.com/semsearch/semsearch"
)

// Ask fakes answering: AskFunc when set; else the results of Search, and
// when there are any, the first passage of the first as the answer
// (confidence 0.9), otherwise answered:false.
func (f *Service) Ask(ctx context.Context, q semsearch.Query) (semsearch.Answer, error) {
	if f.AskFunc != nil {
		f.record(Call{Method: "Ask", Query: q})
		return f.AskFunc(ctx, q)
	}
	page, err := f.SearchPage(ctx, q)
	if err != nil {
		return semsearch.Answer{}, err
	}
	res := page.Results
	a := semsearch.Answer{Query: q.Text, Results: res, Facets: page.Facets, Interpreted: page.Interpreted}
	if len(res) > 0 && len(res[0].Passages) > 0 {
		r := res[0]
		a.Answered, a.Confidence = true, 0.9
		a.Sentences = []semsearch.AnswerSentence{{
			Text: r.Passages[0].Text, PostID: r.ID, Title: r.Title, URL: r.URL,
			Link: r.Passages[0].Link, Heading: r.Passages[0].Heading,
		}}
	}
	return a, nil
}

// SearchPage fakes a results page: the results of Search (so SearchFunc
// and the recorded "Search" call apply), facets counted over them.
func (f *Service) SearchPage(ctx context.Context, q semsearch.Query) (semsearch.Page, error) {
	res, err := f.Search(ctx, q)
	if err != nil {
		return semsearch.Page{}, err
	}
	sources, authors := map[string]int{}, map[string]int{}
	var order []string
	for _, r := range res {
		if r.Source != "" {
			sources[r.Source]++
		}
		for _, a := range strings.Split(r.Author, ", ") {
			if a != "" {
				if authors[a] == 0 {
					order = append(order, a)
				}
				authors[a]++
			}
		}
	}
	var facets semsearch.Facets
	for s, n := range sources {
		facets.Sources = append(facets.Sources, semsearch.FacetCount{Value: s, Count: n})
	}
	for _, a := range order {
		facets.Authors = append(facets.Authors, semsearch.FacetCount{Value: a, Count: authors[a]})
	}
	return semsearch.Page{Results: res, Facets: facets, Interpreted: semsearch.Interpretation{Text: q.Text}}, nil
}

// Gaps fakes the gaps report: GapsList, whatever since is (recorded as
// the call's Text, RFC 3339).
func (f *Service) Gaps(ctx context.Context, since time.Time) ([]semsearch.Gap, error) {
	f.record(Call{Method: "Gaps", Text: since.Format(time.RFC3339)})
	if f.Err != nil {
		return nil, f.Err
	}
	return f.GapsList, nil
}
