package wire

import (
	"time"

	"github.com/semsearch/semsearch"
)

// AskResponse is the GET /api/ask body (and `ask --json`).
type AskResponse struct {
	Query string `json:"query"`
	// Answered is false when nothing in the index answers: Answer is then
	// empty and Results still list the closest posts.
	Answered bool `json:"answered"`
	// Confidence is the calibrated probability, in [0, 1], that the first
	// sentence answers the question.
	Confidence  float64                    `json:"confidence"`
	Answer      []semsearch.AnswerSentence `json:"answer"`  // never null; 0–3 sentences, best first
	Results     []semsearch.Result         `json:"results"` // never null; as /api/search returns them
	Interpreted semsearch.Interpretation   `json:"interpreted"`
	Facets      semsearch.Facets           `json:"facets"` // of every candidate post, as /api/search gives them
	// Phrased is present only when a chat endpoint is configured and it
	// phrased the answer from Answer's sentences (cited as [1], [2]...).
	Phrased *semsearch.Phrasing `json:"phrased,omitempty"`
	TookMS  float64             `json:"took_ms"`
}

// NewAskResponse shapes an answer for the API.
func NewAskResponse(a semsearch.Answer, tookMS float64) AskResponse {
	sents := a.Sentences
	if sents == nil {
		sents = []semsearch.AnswerSentence{}
	}
	return AskResponse{
		Query: a.Query, Answered: a.Answered, Confidence: a.Confidence,
		Answer: sents, Results: Results(a.Results), Interpreted: a.Interpreted,
		Facets: facets(a.Facets), Phrased: a.Phrased, TookMS: tookMS,
	}
}

// facets returns f with every nil list made empty.
func facets(f semsearch.Facets) semsearch.Facets {
	for _, l := range []*[]semsearch.FacetCount{&f.Sources, &f.Authors, &f.Tags} {
		if *l == nil {
			*l = []semsearch.FacetCount{}
		}
	}
	return f
}

// GapsResponse is the GET /api/gaps body (and `gaps --json`): groups of
// similar questions that got no answer or a doubtful one, most asked
// first.
type GapsResponse struct {
	Since time.Time       `json:"since,omitzero"`
	Gaps  []semsearch.Gap `json:"gaps"` // never null
}

// NewSearchPage shapes a results page as the GET /api/search body.
func NewSearchPage(q semsearch.Query, p semsearch.Page, tookMS float64) SearchResponse {
	mode := q.Mode
	if mode == "" {
		mode = semsearch.ModeHybrid
	}
	f := facets(p.Facets)
	in := p.Interpreted
	return SearchResponse{Query: q.Text, Mode: mode, TookMS: tookMS, Results: Results(p.Results), Facets: &f, Interpreted: &in}
}
