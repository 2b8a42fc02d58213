package mcpserver

import (
	"context"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/semsearch/semsearch/wire"
)

// ask answers as GET /api/ask does, with the search tool's arguments.
func (t tools) ask(ctx context.Context, _ *mcp.CallToolRequest, in SearchInput) (*mcp.CallToolResult, wire.AskResponse, error) {
	q, err := in.query()
	if err != nil {
		return nil, wire.AskResponse{}, t.fail(ctx, "ask", err)
	}
	start := time.Now()
	a, err := t.svc.Answers.Ask(ctx, q)
	if err != nil {
		return nil, wire.AskResponse{}, t.fail(ctx, "ask", err)
	}
	return nil, wire.NewAskResponse(a, float64(time.Since(start).Microseconds())/1000), nil
}
