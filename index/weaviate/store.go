// Package weaviate is the cluster backend: posts, chunks, their vectors,
// the lexical index (Weaviate's BM25), the filter fields and the embedding
// cache all live in a Weaviate cluster, so any number of stateless
// `semsearch serve` processes can share one index. *Store implements
// app.Store; hybrid fusion stays in package search.
//
// # Classes
//
// Four classes, named Prefix+"Post", Prefix+"Chunk", Prefix+"Cache" and
// Prefix+"Meta" (Prefix defaults to "Semsearch"): posts (catalog, text and
// filter fields; no vector), chunks (semsearch's vector, BM25 over title,
// heading and text, the post's filter fields copied so filters apply inside
// the vector and BM25 searches), the embedding cache (model + text hash →
// vector as a blob; the cache lives in the cluster too, so every process
// shares it and no local state is left) and one meta object recording the
// schema version, the model and its dimension. No Weaviate vectorizer runs:
// every vector comes from semsearch.
//
// # Atomic replace per post (the generation protocol)
//
// Weaviate has no multi-object transactions. PutMany gives every post of the
// call one generation number g (time-ordered) and
//
//  1. batch-inserts the new chunks as new objects (their UUID includes g, so
//     they never overwrite the current ones), each carrying gen = g;
//  2. writes the post object with gen = g — the commit point;
//  3. deletes the post's chunks whose gen is older than g.
//
// Readers keep a chunk only when its gen equals its post's gen, so a reader
// sees a post entirely before or entirely after a write, and a crash between
// 1 and 2 leaves only invisible chunks, which the next write of that post
// (or Verify's sweep) removes. Delete removes the post object first (from
// then on every chunk is invisible), then the chunks. Writes are idempotent
// (deterministic UUIDs), so retrying one is safe.
//
// Two processes writing the same post at once (per-post locks are per
// process): generations are time-ordered, a writer that finds a newer
// generation already committed drops its own write, and step 3 deletes only
// older chunks, so the newer write wins whole. A writer that reads the
// generation, stalls, and commits after a newer one still replaces it
// (check-then-write, no compare-and-swap in Weaviate): last committed wins,
// and its chunks may have been swept by the other's step 3, which Verify
// reports (the post's chunk count).
//
// Searches read one replica per shard (Weaviate), so at QUORUM a search
// straight after a write may miss it for a moment; consistency ALL gives
// read-your-writes while every node is up.
package weaviate

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	client "github.com/weaviate/weaviate-go-client/v5/weaviate"
	"github.com/weaviate/weaviate-go-client/v5/weaviate/auth"

	"github.com/semsearch/semsearch"
)

// Consistency levels of reads and writes.
const (
	One    = "ONE"
	Quorum = "QUORUM"
	All    = "ALL"
)

// Options configure a Store; zero fields take the defaults.
type Options struct {
	// URL of a node, e.g. http://127.0.0.1:8080, or several nodes'
	// URLs comma-separated: a call failing with a transient error is
	// retried on the next one.
	URL    string
	APIKey string // sent as a bearer token when set
	// Prefix names the classes (default "Semsearch"): several indexes can
	// share a cluster under different prefixes.
	Prefix string
	// Replication is the replication factor of new classes; 0 means 3 when
	// the cluster has at least 3 nodes, else the node count.
	Replication int
	// Consistency of every read and write (default QUORUM).
	Consistency string
	// Timeout bounds every call to the cluster, retries included
	// (default 30s); one attempt gets Timeout/Retries (at least 1s), then
	// the call moves to the next node. A call that runs into a Raft leader
	// election fails after Timeout with an unavailable error instead of
	// hanging.
	Timeout time.Duration
	// Retries of a call failing with a transient error (default 4).
	Retries int
	// AllowUnreplicated opens classes with replication factor 1 on a
	// multi-node cluster (which then answers partially and silently when a
	// node is down): refused unless set.
	AllowUnreplicated bool
	Logger            *slog.Logger
	// HTTPClient replaces the default transport (tests).
	HTTPClient *http.Client
}

// Store is an index in a Weaviate cluster. It is safe for concurrent use and
// holds no state besides its configuration: every read goes to the cluster.
type Store struct {
	// clients talk to the nodes of Options.URL; cur is the one in use,
	// moved to the next when a call fails with a transient error.
	clients []*client.Client
	cur     atomic.Int32
	opts    Options
	log     *slog.Logger
	names   classNames
	model   string
	dims    int
	// replicated: the classes have a replication factor above 1.
	replicated bool

	now     func() time.Time
	genMu   sync.Mutex
	lastGen int64
}

type classNames struct{ post, chunk, cache, meta string }

func (o Options) withDefaults() Options {
	if o.Prefix == "" {
		o.Prefix = "Semsearch"
	}
	if o.Consistency == "" {
		o.Consistency = Quorum
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.Retries <= 0 {
		o.Retries = 4
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// Open connects to the cluster, creates or migrates the classes and checks
// the recorded model: a different model or dimension is a conflict error, as
// with the embedded store. An empty model accepts whatever is recorded.
func Open(ctx context.Context, model string, dims int, opts Options) (*Store, error) {
	opts = opts.withDefaults()
	if model != "" && dims <= 0 {
		return nil, semsearch.Errorf(semsearch.EInvalid, "model %q needs a positive dimension, got %d", model, dims)
	}
	switch opts.Consistency {
	case One, Quorum, All:
	default:
		return nil, semsearch.Errorf(semsearch.EInvalid, "consistency level %q: want ONE, QUORUM or ALL", opts.Consistency)
	}
	if !validPrefix(opts.Prefix) {
		return nil, semsearch.Errorf(semsearch.EInvalid, "class prefix %q: want an upper-case letter then letters and digits", opts.Prefix)
	}
	var clients []*client.Client
	var first *url.URL
	for _, raw := range strings.Split(opts.URL, ",") {
		u, err := url.Parse(strings.TrimSpace(raw))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, semsearch.Errorf(semsearch.EInvalid, "weaviate URL %q: want http(s)://host:port, comma-separated for several nodes", raw)
		}
		if first == nil {
			first = u
		}
		cfg := client.Config{Host: u.Host, Scheme: u.Scheme, Timeout: opts.Timeout, ConnectionClient: opts.HTTPClient}
		if opts.APIKey != "" {
			if cfg.ConnectionClient != nil {
				return nil, semsearch.Errorf(semsearch.EInvalid, "an API key and a custom HTTP client are exclusive")
			}
			cfg.AuthConfig = auth.ApiKey{Value: opts.APIKey}
		}
		c, err := client.NewClient(cfg)
		if err != nil {
			return nil, fmt.Errorf("weaviate client %s: %w", u.Redacted(), err)
		}
		clients = append(clients, c)
	}
	u := first
	s := &Store{clients: clients, opts: opts, log: opts.Logger, now: time.Now, names: classNames{
		post: opts.Prefix + "Post", chunk: opts.Prefix + "Chunk", cache: opts.Prefix + "Cache", meta: opts.Prefix + "Meta",
	}}
	if err := s.init(ctx, model, dims); err != nil {
		return nil, fmt.Errorf("open weaviate index at %s: %w", u.Redacted(), err)
	}
	return s, nil
}

func validPrefix(p string) bool {
	for i, r := range p {
		switch {
		case r >= 'A' && r <= 'Z':
		case i > 0 && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9'):
		default:
			return false
		}
	}
	return p != ""
}

// Model returns the recorded model and dimension.
func (s *Store) Model() (string, int) { return s.model, s.dims }

// Close releases nothing: the store keeps no connection state of its own.
func (s *Store) Close() error { return nil }

// Ready reports whether the cluster answers (one cheap liveness call).
func (s *Store) Ready(ctx context.Context) error {
	return s.call(ctx, "ready", func(ctx context.Context, wc *client.Client) error {
		ok, err := wc.Misc().ReadyChecker().Do(ctx)
		if err != nil {
			return err
		}
		if !ok {
			return semsearch.Errorf(semsearch.EUnavailable, "the weaviate cluster is not ready")
		}
		return nil
	})
}

// call runs fn under the store's timeout, retrying transient failures with
// backoff while the deadline allows. Failures past the deadline are
// unavailable errors, which the server maps to 503.
func (s *Store) call(ctx context.Context, what string, fn func(context.Context, *client.Client) error) error {
	ctx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
	defer cancel()
	var err error
	wait := 100 * time.Millisecond
	// One attempt gets a share of the budget, so that a node that hangs
	// (a Raft leader election stalls requests on the survivors) leaves time
	// to try the next one.
	per := max(s.opts.Timeout/time.Duration(s.opts.Retries), time.Second)
	for attempt := 0; ; attempt++ {
		i := s.cur.Load()
		actx, acancel := context.WithTimeout(ctx, per)
		err = fn(actx, s.clients[int(i)%len(s.clients)])
		hung := actx.Err() != nil && ctx.Err() == nil
		acancel()
		if err == nil || ctx.Err() != nil || attempt >= s.opts.Retries || !(hung || transient(err)) {
			break
		}
		if len(s.clients) > 1 {
			s.cur.CompareAndSwap(i, (i+1)%int32(len(s.clients))) // the next node
		}
		s.log.WarnContext(ctx, "weaviate: retrying", "call", what, "attempt", attempt+1, "error", err)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
		case <-t.C:
		}
		if ctx.Err() != nil {
			break
		}
		wait *= 2
	}
	if err == nil {
		return nil
	}
	var se *semsearch.Error
	if errors.As(err, &se) {
		return err
	}
	if ctx.Err() != nil || transient(err) {
		s.log.ErrorContext(ctx, "weaviate: call failed", "call", what, "error", err)
		return semsearch.Errorf(semsearch.EUnavailable, "the weaviate cluster did not answer (%s): %v", what, err)
	}
	return fmt.Errorf("weaviate %s: %w", what, err)
}

// transient reports the failures worth a retry: transport errors, 5xx,
// 429, and the messages of the engine's known sharp edges (a write right
// after schema creation, a shard not yet ready, a replication quorum not
// reached while a node rejoins, a leader election under way).
func transient(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var se *semsearch.Error
	if errors.As(err, &se) {
		return false
	}
	msg := strings.ToLower(err.Error())
	for _, s := range []string{
		"status code: 5", "status code: 429", "connection refused", "connection reset", "eof",
		"no such host", "timeout", "broken pipe", "not ready", "leader", "raft",
		"class not found", "no class", "could not find class", "shard", "replica", "quorum",
		"consistency", "unavailable", "i/o",
	} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}
