package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/app"
	"github.com/semsearch/semsearch/export"
)

func newExportCommand(env *cliEnv) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Write data files for static site generators",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newExportRelatedCommand(env))
	return cmd
}

func newExportRelatedCommand(env *cliEnv) *cobra.Command {
	var (
		out, format string
		k           int
	)
	cmd := &cobra.Command{
		Use:   "related --out DIR --format json|hugo|jekyll [--k N]",
		Short: "Write every post's related posts as one data file keyed by post URL",
		Long: `Export related writes, for every post with an http(s) URL, up to --k related posts
(URL, title, score and the passage that links them, with a deep link to it) as one
deterministic file keyed by post URL:

  --format hugo     DIR/data/related.json   (site.Data.related in templates)
  --format jekyll   DIR/_data/related.yml   (site.data.related)
  --format json     DIR/related.json

DIR is the site's root for hugo and jekyll. A list never holds the post itself, another
post with its URL or a copy of its content, nor two copies of each other; it is
diversified by maximal marginal relevance. See README for a Hugo partial and a Jekyll
include. The file is replaced atomically.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f, err := export.ParseFormat(format)
			if err != nil {
				return err
			}
			if err := semsearch.CheckK(k); err != nil {
				return err
			}
			if out == "" {
				return semsearch.Errorf(semsearch.EInvalid, "--out DIR is required")
			}
			ctx := cmd.Context()
			return env.withApp(ctx, func(a *app.App) error {
				d, err := export.Related(ctx, a, export.Options{K: k})
				if err != nil {
					return err
				}
				path, err := f.Write(out, d)
				if err != nil {
					return err
				}
				fmt.Fprintf(env.stdout, "wrote related posts of %d posts to %s\n", len(d), path)
				return nil
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&out, "out", "", "`DIR` to write into: the site root for hugo and jekyll")
	f.StringVar(&format, "format", "json", "json, hugo or jekyll")
	f.IntVarP(&k, "k", "k", export.DefaultK, "related posts per post (1..100)")
	return cmd
}
