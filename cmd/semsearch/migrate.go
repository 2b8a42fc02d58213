package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/app"
)

func newMigrateCommand(env *cliEnv) *cobra.Command {
	var to string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "migrate --to weaviate --weaviate-url URL",
		Short: "Copy the embedded index into a Weaviate cluster (no re-embedding)",
		Long: `Migrate copies the embedded index in --data (posts, chunks and their vectors)
into the cluster backend named by --to, under the index's model: nothing is
re-embedded. It is resumable: posts already in the cluster with the same content
are skipped, so a stopped migration is finished by running it again.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if to != app.BackendWeaviate {
				return semsearch.Errorf(semsearch.EInvalid, "--to %q: want weaviate", to)
			}
			cfg := env.appConfig()
			cfg.Backend = to
			rep, err := app.Migrate(cmd.Context(), cfg, nil)
			if err != nil {
				return fmt.Errorf("migrate: %w", err)
			}
			if asJSON {
				return writeJSON(env.stdout, rep)
			}
			fmt.Fprintf(env.stdout, "copied %d posts (%d chunks), skipped %d already there\n", rep.Posts, rep.Chunks, rep.Skipped)
			return nil
		},
	}
	cmd.Flags().StringVar(&to, "to", app.BackendWeaviate, "target backend: weaviate")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	return cmd
}
