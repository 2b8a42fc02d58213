package server

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/openapi/openapitest"
)

// echoParam matches echo's ":name" path parameters.
var echoParam = regexp.MustCompile(`:([A-Za-z_]+)`)

// TestOpenAPI_EveryRouteDocumented compares the route table with the
// document: every route the server answers is an operation of the document,
// and every operation is a route (HEAD is GET's twin and is not listed).
func TestOpenAPI_EveryRouteDocumented(t *testing.T) {
	var none nopServices
	s, err := New(Config{Addr: "127.0.0.1:0", RateLimit: 1},
		Services{Search: none, Posts: none, Ingest: none, Status: none, Embedder: none, Sources: none, Answers: none, MCP: http.NotFoundHandler()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var routes []string
	for _, r := range s.echo.Routes() {
		if r.Method == http.MethodHead || r.Method == echoRouteNotFound {
			continue
		}
		routes = append(routes, r.Method+" "+echoParam.ReplaceAllString(r.Path, "{$1}"))
	}
	var ops []string
	for path, item := range openapitest.MustLoad(t).Doc().Paths.Map() {
		for method := range item.Operations() {
			ops = append(ops, strings.ToUpper(method)+" "+path)
		}
	}
	slices.Sort(routes)
	routes = slices.Compact(routes)
	slices.Sort(ops)
	for _, r := range routes {
		if !slices.Contains(ops, r) {
			t.Errorf("route %s is not in openapi/openapi.json", r)
		}
	}
	for _, op := range ops {
		if !slices.Contains(routes, op) {
			t.Errorf("openapi/openapi.json documents %s, which the server does not route", op)
		}
	}
}

// echoRouteNotFound is the pseudo-method echo lists its 404 handlers under.
const echoRouteNotFound = "echo_route_not_found"

// nopServices fails every call: the route table only needs them to exist.
// (servertest cannot be used here: it imports server.)
type nopServices struct{}

var errNop = errors.New("nop")

func (nopServices) Search(context.Context, semsearch.Query) ([]semsearch.Result, error) {
	return nil, errNop
}
func (nopServices) Related(context.Context, string, int) ([]semsearch.Result, error) {
	return nil, errNop
}
func (nopServices) Similar(context.Context, string, int) ([]semsearch.Result, error) {
	return nil, errNop
}
func (nopServices) Post(context.Context, string) (semsearch.Post, error) {
	return semsearch.Post{}, errNop
}
func (nopServices) Delete(context.Context, string) error { return errNop }
func (nopServices) IngestURLs(context.Context, []string) (semsearch.IngestReport, error) {
	return semsearch.IngestReport{}, errNop
}
func (nopServices) Ready(context.Context) error                                  { return errNop }
func (nopServices) Stats(context.Context) (semsearch.Stats, error)               { return semsearch.Stats{}, errNop }
func (nopServices) Model() string                                                { return "nop" }
func (nopServices) Dims() int                                                    { return 1 }
func (nopServices) EmbedPassages(context.Context, []string) ([][]float32, error) { return nil, errNop }
func (nopServices) EmbedQuery(context.Context, string) ([]float32, error)        { return nil, errNop }
func (nopServices) Ask(context.Context, semsearch.Query) (semsearch.Answer, error) {
	return semsearch.Answer{}, errNop
}
func (nopServices) SearchPage(context.Context, semsearch.Query) (semsearch.Page, error) {
	return semsearch.Page{}, errNop
}
func (nopServices) Gaps(context.Context, time.Time) ([]semsearch.Gap, error)  { return nil, errNop }
func (nopServices) Sources(context.Context) ([]semsearch.Subscription, error) { return nil, errNop }
func (nopServices) SubscribeURL(context.Context, string, time.Duration, bool) ([]semsearch.Subscription, semsearch.IngestReport, error) {
	return nil, semsearch.IngestReport{}, errNop
}
func (nopServices) RemoveSource(context.Context, int64, bool) (int, error) { return 0, errNop }
func (nopServices) PollSource(context.Context, int64) (semsearch.PollReport, error) {
	return semsearch.PollReport{}, errNop
}
