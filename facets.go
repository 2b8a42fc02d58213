package semsearch

import "time"

// Facets count the candidate posts of a search (every post its retrievers
// found, not only the K shown) by source, author and tag, most frequent
// first, at most MaxFacetValues each, and give the range of their dates.
type Facets struct {
	Sources []FacetCount `json:"source"` // never null
	Authors []FacetCount `json:"author"` // never null
	Tags    []FacetCount `json:"tag"`    // never null
	Oldest  time.Time    `json:"oldest,omitzero"`
	Newest  time.Time    `json:"newest,omitzero"`
}

// FacetCount is how many candidate posts have Value (a source name, an
// author, a tag): Value is what the matching filter parameter takes.
type FacetCount struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// MaxFacetValues bounds each facet's list.
const MaxFacetValues = 20

// Page is one search's answer for a results page: the results, the facets
// of every candidate post, and what the query was read as.
type Page struct {
	Results     []Result
	Facets      Facets
	Interpreted Interpretation
}
