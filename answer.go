package semsearch

import "time"

// Answer is the outcome of asking a question: up to three extractive
// sentences that answer it (verbatim from the posts, best first), how sure
// the engine is, and the post-level results of the same search.
type Answer struct {
	Query string
	// Answered is false when nothing in the index answers the question:
	// Sentences is then empty, and Results still hold the closest posts.
	Answered bool
	// Confidence is the calibrated probability, in [0, 1], that the first
	// sentence answers the question.
	Confidence  float64
	Sentences   []AnswerSentence
	Results     []Result
	Facets      Facets // of every candidate post, as on a search page
	Interpreted Interpretation
	// Phrased is a chat model's answer written from Sentences, which it
	// cites as [1], [2]...; nil unless a chat endpoint is configured and
	// its reply cited them. It never replaces Sentences.
	Phrased *Phrasing
}

// Phrasing is an answer phrased by a chat model from the quoted sentences.
type Phrasing struct {
	Text  string `json:"text"`  // cites the answer's sentences as [1], [2]...
	Model string `json:"model"` // the chat model that wrote it
}

// AnswerSentence is one sentence of a post, quoted verbatim from its clean
// text, with a link that lands on it.
type AnswerSentence struct {
	Text    string `json:"text"`
	PostID  string `json:"post_id"`
	Title   string `json:"title"`
	URL     string `json:"url"`
	Link    string `json:"link"`    // URL with a #:~:text= directive for the sentence
	Heading string `json:"heading"` // the section it is in, "" before the first heading
}

// Sort orders a search's results.
type Sort string

const (
	SortRelevance Sort = "relevance" // best match first; the default
	SortDate      Sort = "date"      // among the matching posts, newest first
)

// Interpretation is what a query was read as: the words searched, and the
// date filter and ordering its date phrases ("latest", "in 2024", "since
// March") asked for. Phrases lists those phrases as they appeared, so a
// page can show them as removable chips.
type Interpretation struct {
	Text    string    `json:"text"` // the query with the date phrases taken out
	Since   time.Time `json:"since,omitzero"`
	Until   time.Time `json:"until,omitzero"`
	Sort    Sort      `json:"sort,omitempty"`
	Phrases []string  `json:"phrases,omitempty"`
	// SourceHint is a phrase naming the blog asked about ("on bnjoroge's
	// Imprint blog", "on the blog with the deep dives on unikernels"),
	// taken out of Text when a date ordering is asked for; Source is the
	// source it was resolved to ("" when none stood out: the hint's words
	// are then searched with the rest).
	SourceHint string `json:"source_hint,omitempty"`
	Source     string `json:"source,omitempty"`
}
