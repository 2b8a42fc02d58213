package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/app"
	"github.com/semsearch/semsearch/wire"
)

func newAskCommand(env *cliEnv) *cobra.Command {
	var (
		asJSON bool
		flags  queryFlags
	)
	cmd := &cobra.Command{
		Use:   "ask [flags] QUESTION",
		Short: "Answer a question with sentences quoted from the posts",
		Long: `ask searches the index and quotes the 1–3 sentences that answer the question best,
each with a link that lands on it, and how confident it is (a calibrated
probability). When nothing in the index answers, it says so and still lists the
closest posts. Everything runs locally with the embedding model.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			q, err := flags.query(strings.Join(args, " "))
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			return env.withApp(ctx, func(a *app.App) error {
				start := time.Now()
				ans, err := a.Ask(ctx, q)
				if err != nil {
					return err
				}
				if asJSON {
					return writeJSON(env.stdout, wire.NewAskResponse(ans, float64(time.Since(start).Microseconds())/1000))
				}
				printAnswer(env.stdout, ans)
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the /api/ask body")
	flags.register(cmd, "ask", "number of posts listed (1..100)")
	return cmd
}

// printAnswer prints the answer's sentences with their sources, or says
// plainly that nothing answers, then the results.
func printAnswer(w io.Writer, a semsearch.Answer) {
	printInterpretation(w, a.Interpreted)
	if a.Answered {
		fmt.Fprintf(w, "Answer (confidence %.2f):\n\n", a.Confidence)
		if a.Phrased != nil {
			fmt.Fprintf(w, "  %s\n    — phrased by %s from the sentences below\n\n", a.Phrased.Text, a.Phrased.Model)
		}
		for i, s := range a.Sentences {
			fmt.Fprintf(w, "  [%d] %s\n    — %s\n    %s\n\n", i+1, s.Text, s.Title, s.Link)
		}
	} else {
		fmt.Fprintf(w, "No post answers this (confidence %.2f). The closest posts:\n\n", a.Confidence)
	}
	printResults(w, a.Results)
}

func newGapsCommand(env *cliEnv) *cobra.Command {
	var (
		asJSON bool
		since  string
	)
	cmd := &cobra.Command{
		Use:   "gaps [--since WHEN] [--json]",
		Short: "List what readers asked in vain: unanswered questions from the query log, grouped",
		Long: `gaps reads the query log that ` + "`serve --query-log`" + ` keeps in the data directory and
lists the questions that got no answer (or a doubtful one), similar ones grouped, most
asked first, with the posts they came closest to: a list of posts to write.
--since takes a date (YYYY-MM-DD), an RFC 3339 time or a duration back from now (720h).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			from, err := sinceFlag(since, time.Now())
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			return env.withApp(ctx, func(a *app.App) error {
				gs, err := a.Gaps(ctx, from)
				if err != nil {
					return err
				}
				if gs == nil {
					gs = []semsearch.Gap{}
				}
				if asJSON {
					return writeJSON(env.stdout, wire.GapsResponse{Since: from, Gaps: gs})
				}
				printGaps(env.stdout, gs)
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the /api/gaps body")
	cmd.Flags().StringVar(&since, "since", "", "only questions asked since then (YYYY-MM-DD, RFC 3339, or a duration such as 720h)")
	return cmd
}

// printInterpretation says how date phrases were read, when there were any.
func printInterpretation(w io.Writer, in semsearch.Interpretation) {
	if len(in.Phrases) == 0 {
		return
	}
	var parts []string
	if in.Sort == semsearch.SortDate {
		parts = append(parts, "newest first")
	}
	if !in.Since.IsZero() {
		parts = append(parts, "since "+in.Since.Format(time.DateOnly))
	}
	if !in.Until.IsZero() {
		parts = append(parts, "until "+in.Until.Format(time.DateOnly))
	}
	if in.Source != "" {
		parts = append(parts, "source "+in.Source)
	}
	fmt.Fprintf(w, "(read %q as: %s; searching %q; --literal to turn off)\n\n", strings.Join(in.Phrases, ", "), strings.Join(parts, ", "), in.Text)
}

func sinceFlag(raw string, now time.Time) (time.Time, error) {
	if raw == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(raw); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	return semsearch.ParseDate(raw, false)
}

func printGaps(w io.Writer, gs []semsearch.Gap) {
	if len(gs) == 0 {
		fmt.Fprintln(w, "no unanswered questions logged (is serve running with --query-log?)")
		return
	}
	for i, g := range gs {
		fmt.Fprintf(w, "%2d. %s  (asked %d×, last %s, best confidence %.2f)\n", i+1, g.Query, g.Count, g.LastAsked.Format(time.DateOnly), g.Confidence)
		for _, q := range g.Queries[1:] {
			fmt.Fprintf(w, "    also: %s\n", q)
		}
		for _, p := range g.Closest {
			fmt.Fprintf(w, "    closest: %s %s\n", p.Title, p.URL)
		}
	}
}
