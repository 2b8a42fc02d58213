package main

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/semsearch/semsearch/app"
	"github.com/semsearch/semsearch/mcpserver"
	"github.com/semsearch/semsearch/querylog"
	"github.com/semsearch/semsearch/server"
)

func newServeCommand(env *cliEnv) *cobra.Command {
	var (
		cfg          server.Config
		allowPrivate bool
		mcpWrites    bool
		queryLog     bool
		logRetention querylog.Retention
		polling      pollFlags
	)
	cmd := &cobra.Command{
		Use:   "serve [--addr HOST:PORT]",
		Short: "Serve the JSON API, /v1/embeddings, MCP at /mcp and the web page",
		Long: `Serve answers the HTTP API of semsearch and serves the web page, and the MCP
tools (see semsearch mcp) over streamable HTTP at /mcp. Write endpoints (POST /api/ingest,
DELETE /api/posts/{id}, /v1/embeddings, POST and DELETE /api/sources...) and /mcp need
--api-key when one is set. The subscribed sources (semsearch add) are polled in the
background as they fall due, unless --poll=false. Listening on a non-loopback address
without an API key is refused unless --insecure.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			a, err := env.openApp(ctx, func(c *app.Config) {
				c.Ingest.AllowPrivate = allowPrivate
				// Over HTTP only http(s) URLs: a path would let any API
				// caller read the server's files.
				c.Ingest.RemoteOnly = true
				c.QueryLog, c.QueryLogRetention = queryLog, logRetention
				polling.apply(c)
				c.Poll = polling.poll
			})
			if err != nil {
				return err
			}
			defer a.Close()
			srv, err := server.New(cfg, server.Services{Search: a, Posts: a, Ingest: a, Status: a, Embedder: a.Embedder(), Answers: a, Sources: a,
				MCP: newMCPServer(env, a, mcpWrites).HTTPHandler(mcpserver.HTTPOptions{HostChecked: true})}, env.log)
			if err != nil {
				return err
			}
			ln, err := net.Listen("tcp", cfg.Addr)
			if err != nil {
				return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
			}
			env.log.Info("serving", "url", "http://"+ln.Addr().String()+"/", "data", env.flags.data)
			return serveApp(ctx, a, srv, ln)
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.Addr, "addr", envString("SEMSEARCH_ADDR", "127.0.0.1:8080"), "listen address (env SEMSEARCH_ADDR)")
	f.StringVar(&cfg.APIKey, "api-key", envString("SEMSEARCH_API_KEY", ""), "API key required by write endpoints (env SEMSEARCH_API_KEY)")
	f.BoolVar(&cfg.Insecure, "insecure", false, "allow a non-loopback address without an API key")
	f.StringVar(&cfg.BodyLimit, "body-limit", envString("SEMSEARCH_BODY_LIMIT", "1M"), "largest request body (env SEMSEARCH_BODY_LIMIT)")
	f.Float64Var(&cfg.RateLimit, "rate-limit", 50, "requests per second per client address, 0 = off")
	f.DurationVar(&cfg.RequestTimeout, "request-timeout", 30*time.Second, "time limit for one API request")
	f.StringSliceVar(&cfg.CORSOrigins, "cors-origin", envList("SEMSEARCH_CORS_ORIGIN"),
		"web `ORIGIN`s (scheme://host[:port], comma-separated or repeated; * for any) whose pages may call the read endpoints (env SEMSEARCH_CORS_ORIGIN)")
	f.BoolVar(&mcpWrites, "mcp-writes", false, "list the ingest tool on /mcp (it fetches http(s) URLs, as POST /api/ingest does)")
	f.BoolVar(&queryLog, "query-log", false, "log the questions asked (ask, the web page) in the data dir for semsearch gaps: question, answered, confidence, best posts; never who asked")
	f.DurationVar(&logRetention.MaxAge, "query-log-max-age", querylog.DefaultRetention.MaxAge, "drop logged questions older than this")
	f.IntVar(&logRetention.MaxEntries, "query-log-max", querylog.DefaultRetention.MaxEntries, "keep at most this many logged questions")
	f.BoolVar(&allowPrivate, "allow-private", false, "let POST /api/ingest and POST /api/sources fetch loopback, private and link-local URLs")
	f.BoolVar(&polling.poll, "poll", envString("SEMSEARCH_POLL", "true") != "false", "poll the subscribed sources in the background (env SEMSEARCH_POLL)")
	polling.register(cmd, env, true)
	return cmd
}

// serveApp runs the app's background work beside the HTTP server; when
// either stops (ctx ends, or one fails), both are stopped and the first
// error is returned.
func serveApp(ctx context.Context, a *app.App, srv *server.Server, ln net.Listener) error {
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return a.Run(ctx) })
	g.Go(func() error { return srv.Serve(ctx, ln) })
	return g.Wait()
}
