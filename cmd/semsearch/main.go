// Command semsearch is the one binary of semsearch: ingest, serve, search,
// related, eval, model, ... Run `semsearch --help` for the list.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/semsearch/semsearch"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// exitError carries a chosen exit code (e.g. 1 when some ingest source
// failed) without printing anything more.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// run executes one command line; it is main without the process globals, so
// tests can drive the CLI in-process.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	env := &cliEnv{stdin: stdin, stdout: stdout, stderr: stderr}
	root := newRootCommand(env)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	var ee exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	// The CLI user owns the machine, so the full error chain is shown.
	fmt.Fprintf(stderr, "semsearch: %s\n", termText(err.Error()))
	if semsearch.ErrorCode(err) == semsearch.EInvalid {
		return 2
	}
	return 1
}

// cliEnv is what every command shares: streams and the global flags.
type cliEnv struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	flags          globalFlags
	log            *slog.Logger
}

func newRootCommand(env *cliEnv) *cobra.Command {
	root := &cobra.Command{
		Use:           "semsearch",
		Short:         "Semantic search over blog posts",
		Long:          "semsearch ingests blog feeds and pages, embeds them, and answers natural-language\nquestions, related-post and similarity queries from the CLI or over HTTP.",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if err := errors.Join(env.flags.envErrs...); err != nil {
				return semsearch.Errorf(semsearch.EInvalid, "%v", err)
			}
			var err error
			env.log, err = newLogger(env.stderr, env.flags.logLevel, env.flags.logJSON)
			return err
		},
	}
	env.flags.register(root)
	root.AddCommand(
		newIngestCommand(env),
		newAddCommand(env),
		newSourcesCommand(env),
		newRemoveCommand(env),
		newPollCommand(env),
		newServeCommand(env),
		newSearchCommand(env),
		newAskCommand(env),
		newGapsCommand(env),
		newShowCommand(env),
		newRelatedCommand(env),
		newStatsCommand(env),
		newDeleteCommand(env),
		newReindexCommand(env),
		newMigrateCommand(env),
		newEvalCommand(env),
		newModelCommand(env),
		newOpenAPICommand(env),
		newExportCommand(env),
		newMCPCommand(env),
	)
	return root
}
