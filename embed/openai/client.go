// Package openai embeds texts with any OpenAI-compatible /embeddings
// endpoint through github.com/sashabaranov/go-openai, adding what that
// library leaves out: batching, bounded concurrency, a timeout per request,
// retries with backoff that honour Retry-After, clear errors, and checked,
// L2-normalised output.
package openai

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"sync/atomic"

	goopenai "github.com/sashabaranov/go-openai"
	"golang.org/x/sync/errgroup"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/embed"
)

// Client is a semsearch.Embedder backed by an OpenAI-compatible server. It
// is safe for concurrent use.
type Client struct {
	cfg  Config
	api  *goopenai.Client
	url  string // BaseURL with any password redacted, for messages
	log  *slog.Logger
	dims atomic.Int64 // 0 only while New probes
}

var _ semsearch.Embedder = (*Client)(nil)

// New validates cfg and returns a client. When cfg.Dims is 0 it learns the
// dimension with one probe request (which also checks the URL, the API key
// and the model name up front); otherwise it does no I/O.
func New(ctx context.Context, cfg Config) (*Client, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	oc := goopenai.DefaultConfig(cfg.APIKey)
	oc.BaseURL = cfg.BaseURL
	oc.HTTPClient = recordingDoer{cfg.HTTPClient}
	c := &Client{cfg: cfg, api: goopenai.NewClientWithConfig(oc), log: cfg.Logger, url: cfg.BaseURL}
	if u, err := url.Parse(cfg.BaseURL); err == nil {
		c.url = u.Redacted()
	}
	c.dims.Store(int64(cfg.Dims))
	if cfg.Dims == 0 {
		if _, err := c.Probe(ctx); err != nil {
			return nil, fmt.Errorf("detect the embedding dimension: %w", err)
		}
	}
	return c, nil
}

// Model returns the configured model name.
func (c *Client) Model() string { return c.cfg.Model }

// Dims returns the vector length: configured, or learnt by New.
func (c *Client) Dims() int { return int(c.dims.Load()) }

// Probe embeds one short text and returns the vector length. It is a cheap
// health check of the URL, the API key and the model name.
func (c *Client) Probe(ctx context.Context) (int, error) {
	if _, err := c.EmbedQuery(ctx, "dimension probe"); err != nil {
		return 0, err
	}
	return int(c.dims.Load()), nil
}

// EmbedQuery embeds one query, with QueryPrefix.
func (c *Client) EmbedQuery(ctx context.Context, text string) ([]float32, error) {
	vecs, err := c.withRetries(ctx, []string{c.cfg.QueryPrefix + text})
	if err != nil {
		return nil, err
	}
	return vecs[0], nil
}

// EmbedPassages embeds texts, with PassagePrefix, in batches of BatchSize
// with up to Concurrency requests in flight. It returns one unit vector per
// text, in order, or an error and no vectors.
func (c *Client) EmbedPassages(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	if len(texts) == 0 {
		return out, nil
	}
	inputs := make([]string, len(texts))
	for i, t := range texts {
		inputs[i] = c.cfg.PassagePrefix + t
	}
	// The first failed batch cancels the others; its error is the answer.
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(c.cfg.Concurrency)
	for start := 0; start < len(inputs) && gctx.Err() == nil; start += c.cfg.BatchSize {
		g.Go(func() error {
			end := min(start+c.cfg.BatchSize, len(inputs))
			vecs, err := c.withRetries(gctx, inputs[start:end])
			if err != nil {
				return err
			}
			copy(out[start:end], vecs)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("embed %d passages: %w", len(texts), context.Cause(ctx))
	}
	// Batches answered concurrently must agree on the detected dimension.
	if err := embed.Check(out, len(texts), int(c.dims.Load())); err != nil {
		return nil, &providerError{msg: fmt.Sprintf("embedding server at %s returned unusable vectors: %v", c.url, err)}
	}
	return out, nil
}
