package semsearch

import "time"

// LoggedQuery is one question asked, as the opt-in query log keeps it: no
// client address or other detail about who asked.
type LoggedQuery struct {
	Time       time.Time `json:"time"`
	Query      string    `json:"query"`
	Answered   bool      `json:"answered"`
	Confidence float64   `json:"confidence"`
	Posts      []GapPost `json:"posts,omitempty"` // the best results, at most 3
}

// Gap is a group of similar questions that got no answer (or a doubtful
// one): what readers looked for in vain, a post to write.
type Gap struct {
	Query      string    `json:"query"`      // the group's most asked wording
	Count      int       `json:"count"`      // questions in the group
	Queries    []string  `json:"queries"`    // distinct wordings, most asked first, at most 5
	LastAsked  time.Time `json:"last_asked"` // the latest of them
	Confidence float64   `json:"confidence"` // the best confidence any of them got
	Closest    []GapPost `json:"closest"`    // the posts they found, most often first, at most 3
}

// GapPost is a post a logged question found.
type GapPost struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	URL   string `json:"url,omitempty"`
	Count int    `json:"count,omitempty"` // in a Gap: how many of its questions found it
}
