package main

import (
	"github.com/spf13/cobra"

	"github.com/semsearch/semsearch/openapi"
)

func newOpenAPICommand(env *cliEnv) *cobra.Command {
	return &cobra.Command{
		Use:   "openapi",
		Short: "Print the OpenAPI 3.1 document of the HTTP API",
		Long: `Openapi prints the OpenAPI 3.1 document that describes every route of
` + "`semsearch serve`" + ` (also served at /openapi.json), for client generators and validators.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := env.stdout.Write(openapi.Document())
			return err
		},
	}
}
