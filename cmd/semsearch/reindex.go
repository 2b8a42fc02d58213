package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/semsearch/semsearch/app"
)

func newReindexCommand(env *cliEnv) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "reindex",
		Short: "Re-embed every stored post with the configured model",
		Long: `Reindex re-chunks and re-embeds every stored post with the configured embedder,
after a model change. The new index is built beside the old one and swapped in at
the end: until then the old one stays whole. It refuses to start while a server or
an ingest has the data dir open (they would keep writing to the replaced file): stop
them first, then start the server again with the new model.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p := newProgress(env.stderr, env.log)
			rep, err := app.Reindex(cmd.Context(), env.appConfig(), p.update)
			p.finish()
			if err != nil {
				return fmt.Errorf("reindex: %w", err)
			}
			if asJSON {
				return writeJSON(env.stdout, rep)
			}
			printIngestReport(env.stdout, rep)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON (the ingest --json shape)")
	return cmd
}
