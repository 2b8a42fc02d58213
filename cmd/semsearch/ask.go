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
		k      int
		mode   string
		filter filterFlags
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
			f, err := filter.parse()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			return env.withApp(ctx, func(a *app.App) error {
				q := semsearch.Query{Text: strings.Join(args, " "), K: k, Mode: semsearch.Mode(mode), Filter: f}
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
	cmd.Flags().IntVarP(&k, "k", "k", 10, "number of posts listed (1..100)")
	cmd.Flags().StringVar(&mode, "mode", string(semsearch.ModeHybrid), "hybrid, vector or lexical")
	filter.register(cmd)
	return cmd
}

// printAnswer prints the answer's sentences with their sources, or says
// plainly that nothing answers, then the results.
func printAnswer(w io.Writer, a semsearch.Answer) {
	if a.Answered {
		fmt.Fprintf(w, "Answer (confidence %.2f):\n\n", a.Confidence)
		for _, s := range a.Sentences {
			fmt.Fprintf(w, "  %s\n    — %s\n    %s\n\n", s.Text, s.Title, s.Link)
		}
	} else {
		fmt.Fprintf(w, "No post answers this (confidence %.2f). The closest posts:\n\n", a.Confidence)
	}
	printResults(w, a.Results)
}
