// Package mcpserver is semsearch's Model Context Protocol server, on the
// official Go SDK (github.com/modelcontextprotocol/go-sdk): the tools an
// agent calls to search the index and read posts, with JSON schemas for
// their input and structured results (the wire types of the HTTP API).
//
// It serves over stdio (`semsearch mcp`) or streamable HTTP (the handler
// `semsearch serve` mounts at /mcp). It reads and writes only through the
// narrow interfaces below, which *app.App implements.
package mcpserver

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/semsearch/semsearch"
)

// Searcher answers the search, related and similar tools.
type Searcher interface {
	Search(ctx context.Context, q semsearch.Query) ([]semsearch.Result, error)
	Related(ctx context.Context, id string, k int) ([]semsearch.Result, error)
	Similar(ctx context.Context, text string, k int) ([]semsearch.Result, error)
}

// Answerer answers the ask tool: sentences quoted from the posts.
type Answerer interface {
	Ask(ctx context.Context, q semsearch.Query) (semsearch.Answer, error)
}

// PostReader answers the get_post tool.
type PostReader interface {
	Post(ctx context.Context, id string) (semsearch.Post, error)
}

// StatsReader answers the stats tool.
type StatsReader interface {
	Stats(ctx context.Context) (semsearch.Stats, error)
}

// SourceLister answers the sources tool: the subscribed feeds and sites.
type SourceLister interface {
	Sources(ctx context.Context) ([]semsearch.Subscription, error)
}

// Ingester answers the ingest tool (a write): http(s) URLs only.
type Ingester interface {
	IngestURLs(ctx context.Context, urls []string) (semsearch.IngestReport, error)
}

// Services are what the tools need. Search, Posts and Status are required;
// Answers and Sources list the ask and sources tools when set; Ingest is
// nil unless writes are allowed, and only then is the ingest tool listed.
type Services struct {
	Search  Searcher
	Answers Answerer
	Posts   PostReader
	Status  StatsReader
	Sources SourceLister
	Ingest  Ingester
}

// Name is the server's implementation name in the MCP handshake.
const Name = "semsearch"

// sessionTimeout closes HTTP sessions idle for this long.
const sessionTimeout = 30 * time.Minute

// Server is the MCP server. Create it with New.
type Server struct {
	mcp *mcp.Server
	log *slog.Logger
}

// New builds the server and registers its tools; version is reported in
// the handshake.
func New(svc Services, version string, log *slog.Logger) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{log: log}
	s.mcp = mcp.NewServer(&mcp.Implementation{Name: Name, Title: "semsearch", Version: version}, &mcp.ServerOptions{
		Instructions: instructions,
		Logger:       log,
	})
	t := tools{svc: svc, log: log}
	t.register(s.mcp)
	return s
}

const instructions = `semsearch searches a self-hosted index of blog posts by meaning and words.
Use "search" for a question or topic; each result has the post's title, url, date, source and
its best passages, each with a "link" that opens the post at that passage: cite those links.
Use "get_post" to read a post in full (or a range of it), "related" for posts like one you have,
"similar" for posts like a text, "sources" for the feeds and sites the index follows, and
"stats" for the size of the index.`

// Run serves one session over the transport (for stdio:
// &mcp.StdioTransport{}) until the client disconnects or ctx ends.
func (s *Server) Run(ctx context.Context, t mcp.Transport) error {
	return s.mcp.Run(ctx, t)
}

// Connect starts a session over the transport and returns it (for
// in-process clients and tests).
func (s *Server) Connect(ctx context.Context, t mcp.Transport) (*mcp.ServerSession, error) {
	return s.mcp.Connect(ctx, t, nil)
}

// HTTPOptions configure HTTPHandler.
type HTTPOptions struct {
	// HostChecked says the caller already guards the Host header (as
	// semsearch's server does: a loopback Host without an API key, any Host
	// with it), so the SDK's own check, which refuses every non-loopback
	// Host on a loopback listener and so a reverse proxy in front of a keyed
	// server, is turned off.
	HostChecked bool
}

// HTTPHandler serves the streamable HTTP transport. Unless opts.HostChecked,
// the SDK refuses requests that reached a loopback address with a
// non-loopback Host (DNS rebinding). Cross-origin browser requests are
// refused (Sec-Fetch-Site / Origin against Host). The caller adds
// authentication.
func (s *Server) HTTPHandler(opts HTTPOptions) http.Handler {
	h := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return s.mcp }, &mcp.StreamableHTTPOptions{
		Logger:                     s.log,
		SessionTimeout:             sessionTimeout,
		DisableLocalhostProtection: opts.HostChecked,
	})
	return http.NewCrossOriginProtection().Handler(h)
}
