package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/semsearch/semsearch/app"
	"github.com/semsearch/semsearch/wire"
)

func newSearchCommand(env *cliEnv) *cobra.Command {
	var (
		asJSON bool
		flags  queryFlags
	)
	cmd := &cobra.Command{
		Use:   "search [flags] QUERY",
		Short: "Search posts with a natural-language query",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			q, err := flags.query(strings.Join(args, " "))
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			return env.withApp(ctx, func(a *app.App) error {
				start := time.Now()
				page, err := a.SearchPage(ctx, q)
				if err != nil {
					return err
				}
				if asJSON {
					return writeJSON(env.stdout, wire.NewSearchPage(q, page, float64(time.Since(start).Microseconds())/1000))
				}
				printInterpretation(env.stdout, page.Interpreted)
				printResults(env.stdout, page.Results)
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the /api/search body")
	flags.register(cmd, "search", "number of posts (1..100)")
	return cmd
}

func newShowCommand(env *cliEnv) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Show one post",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			return env.withApp(ctx, func(a *app.App) error {
				p, err := a.Post(ctx, args[0])
				if err != nil {
					return err
				}
				if asJSON {
					return writeJSON(env.stdout, wire.NewPostResponse(p))
				}
				printPost(env.stdout, p)
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the /api/posts/{id} body")
	return cmd
}

func newRelatedCommand(env *cliEnv) *cobra.Command {
	var (
		asJSON bool
		k      int
	)
	cmd := &cobra.Command{
		Use:   "related [--k N] ID",
		Short: "List posts related to a stored post",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			return env.withApp(ctx, func(a *app.App) error {
				res, err := a.Related(ctx, args[0], k)
				if err != nil {
					return err
				}
				if asJSON {
					return writeJSON(env.stdout, wire.RelatedResponse{ID: args[0], Results: wire.Results(res)})
				}
				printResults(env.stdout, res)
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the /api/posts/{id}/related body")
	cmd.Flags().IntVarP(&k, "k", "k", 10, "number of posts (1..100)")
	return cmd
}

func newStatsCommand(env *cliEnv) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "stats",
		Short: "Print index counts, model and dimensions",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			return env.withApp(ctx, func(a *app.App) error {
				s, err := a.Stats(ctx)
				if err != nil {
					return err
				}
				if asJSON {
					return writeJSON(env.stdout, s)
				}
				fmt.Fprintf(env.stdout, "posts    %d\nchunks   %d\nsources  %d\nmodel    %s\ndims     %d\n", s.Posts, s.Chunks, s.Sources, s.Model, s.Dims)
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the /api/stats body")
	return cmd
}

func newDeleteCommand(env *cliEnv) *cobra.Command {
	return &cobra.Command{
		Use:   "delete ID...",
		Short: "Delete posts from every index",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			return env.withApp(ctx, func(a *app.App) error {
				for _, id := range args {
					if err := a.Delete(ctx, id); err != nil {
						return fmt.Errorf("delete %s: %w", id, err)
					}
					fmt.Fprintf(env.stdout, "deleted %s\n", termLine(id))
				}
				return nil
			})
		},
	}
}
