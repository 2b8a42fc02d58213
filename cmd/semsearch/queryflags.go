package main

import (
	"github.com/spf13/cobra"

	"github.com/semsearch/semsearch"
)

// queryFlags are the flags a query command (search, ask) shares: how many
// posts, the mode, the order, whether date phrases are read, and the filters.
type queryFlags struct {
	k       int
	mode    string
	sort    string
	literal bool
	filter  filterFlags
}

// register adds the flags to cmd. verb ("search", "ask") words the --literal
// help; kHelp is the --k help.
func (q *queryFlags) register(cmd *cobra.Command, verb, kHelp string) {
	cmd.Flags().BoolVar(&q.literal, "literal", false, verb+` the words as they are: date phrases ("latest", "in 2024") are not read as filters`)
	cmd.Flags().IntVarP(&q.k, "k", "k", 10, kHelp)
	cmd.Flags().StringVar(&q.mode, "mode", string(semsearch.ModeHybrid), "hybrid, vector or lexical")
	cmd.Flags().StringVar(&q.sort, "sort", "", "relevance (default) or date: the matching posts newest first")
	q.filter.register(cmd)
}

// query builds the Query for text from the flags; the error is a filter date
// that does not parse.
func (q queryFlags) query(text string) (semsearch.Query, error) {
	f, err := q.filter.parse()
	if err != nil {
		return semsearch.Query{}, err
	}
	return semsearch.Query{Text: text, K: q.k, Mode: semsearch.Mode(q.mode), Filter: f, Sort: semsearch.Sort(q.sort), Literal: q.literal}, nil
}

// filterFlags are the search filters, as on GET /api/search.
type filterFlags struct {
	source, author, tag, since, until string
}

func (f *filterFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.source, "source", "", "only posts from this source (feed title or URL)")
	cmd.Flags().StringVar(&f.author, "author", "", "only posts by this author")
	cmd.Flags().StringVar(&f.tag, "tag", "", "only posts with this tag")
	cmd.Flags().StringVar(&f.since, "since", "", "only posts published on or after this date (YYYY-MM-DD or RFC 3339)")
	cmd.Flags().StringVar(&f.until, "until", "", "only posts published on or before this date (YYYY-MM-DD or RFC 3339)")
}

func (f filterFlags) parse() (semsearch.Filter, error) {
	out := semsearch.Filter{Source: f.source, Author: f.author, Tag: f.tag}
	var err error
	if out.Since, err = semsearch.ParseDate(f.since, false); err != nil {
		return out, err
	}
	out.Until, err = semsearch.ParseDate(f.until, true)
	return out, err
}
