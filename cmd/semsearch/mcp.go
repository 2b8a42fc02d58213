package main

import (
	"io"
	"runtime/debug"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/spf13/cobra"

	"github.com/semsearch/semsearch/app"
	"github.com/semsearch/semsearch/mcpserver"
)

func newMCPCommand(env *cliEnv) *cobra.Command {
	var writes, allowPrivate bool
	cmd := &cobra.Command{
		Use:   "mcp",
		Short: "Serve the index to an MCP client (an agent) over stdin and stdout",
		Long: `Mcp speaks the Model Context Protocol over stdin and stdout, for an agent that
launches semsearch as a tool server. Its tools: search, related, similar, get_post and stats;
with --allow-writes also ingest (http(s) URLs only, through the SSRF guard). The log goes to
stderr. The same tools are served over streamable HTTP at /mcp by ` + "`semsearch serve`" + `.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			a, err := env.openApp(ctx, func(c *app.Config) {
				c.Ingest.AllowPrivate = allowPrivate
				c.Ingest.RemoteOnly = true // an agent names URLs, never the machine's files
			})
			if err != nil {
				return err
			}
			defer a.Close()
			srv := newMCPServer(env, a, writes)
			return srv.Run(ctx, &mcp.IOTransport{Reader: io.NopCloser(env.stdin), Writer: nopWriteCloser{env.stdout}})
		},
	}
	f := cmd.Flags()
	f.BoolVar(&writes, "allow-writes", false, "list the ingest tool (fetches http(s) URLs into the index)")
	f.BoolVar(&allowPrivate, "allow-private", false, "let the ingest tool fetch loopback, private and link-local URLs")
	return cmd
}

// newMCPServer builds the MCP server on the app; the ingest tool is there
// only when writes are allowed.
func newMCPServer(env *cliEnv, a *app.App, writes bool) *mcpserver.Server {
	svc := mcpserver.Services{Search: a, Answers: a, Posts: a, Status: a, Sources: a}
	if writes {
		svc.Ingest = a
	}
	return mcpserver.New(svc, buildVersion(), env.log)
}

// buildVersion is the module version the binary was built from, or
// "devel".
func buildVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }
