package main

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/app"
	"github.com/semsearch/semsearch/server"
)

func newServeCommand(env *cliEnv) *cobra.Command {
	var (
		cfg          server.Config
		allowPrivate bool
	)
	cmd := &cobra.Command{
		Use:   "serve [--addr HOST:PORT]",
		Short: "Serve the JSON API, /v1/embeddings and the web page",
		Long: `Serve answers the HTTP API of semsearch and serves the web page.
Write endpoints (POST /api/ingest, DELETE /api/posts/{id}) need --api-key when one is
set. Listening on a non-loopback address without an API key is refused unless --insecure.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			a, err := env.openApp(ctx, func(c *app.Config) {
				c.Ingest.AllowPrivate = allowPrivate
				// Over HTTP only http(s) URLs: a path would let any API
				// caller read the server's files.
				c.Ingest.RemoteOnly = true
			})
			if err != nil {
				return err
			}
			defer a.Close()
			srv, err := server.New(cfg, apiService{a}, env.log)
			if err != nil {
				return err
			}
			ln, err := net.Listen("tcp", cfg.Addr)
			if err != nil {
				return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
			}
			env.log.Info("serving", "url", "http://"+ln.Addr().String()+"/", "data", env.flags.data)
			return srv.Serve(ctx, ln)
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.Addr, "addr", envString("SEMSEARCH_ADDR", "127.0.0.1:8080"), "listen address (env SEMSEARCH_ADDR)")
	f.StringVar(&cfg.APIKey, "api-key", envString("SEMSEARCH_API_KEY", ""), "API key required by write endpoints (env SEMSEARCH_API_KEY)")
	f.BoolVar(&cfg.Insecure, "insecure", false, "allow a non-loopback address without an API key")
	f.StringVar(&cfg.BodyLimit, "body-limit", envString("SEMSEARCH_BODY_LIMIT", "1M"), "largest request body (env SEMSEARCH_BODY_LIMIT)")
	f.Float64Var(&cfg.RateLimit, "rate-limit", 50, "requests per second per client address, 0 = off")
	f.DurationVar(&cfg.RequestTimeout, "request-timeout", 30*time.Second, "time limit for one API request")
	f.BoolVar(&allowPrivate, "allow-private", false, "let POST /api/ingest fetch loopback, private and link-local URLs")
	return cmd
}

// apiService adapts *app.App to what the server needs.
type apiService struct{ *app.App }

func (s apiService) Ingest(ctx context.Context, sources []string) (semsearch.IngestReport, error) {
	if len(sources) == 0 {
		return semsearch.IngestReport{}, semsearch.Errorf(semsearch.EInvalid, "sources is empty")
	}
	for _, src := range sources {
		if u, err := url.Parse(src); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return semsearch.IngestReport{}, semsearch.Errorf(semsearch.EInvalid, "source %q: only http and https URLs can be ingested over the API", src)
		}
	}
	return s.App.Ingest(ctx, sources, app.IngestOptions{Stdin: strings.NewReader("")})
}
