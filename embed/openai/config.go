package openai

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	goopenai "github.com/sashabaranov/go-openai"
)

// Defaults for the zero fields of Config.
const (
	DefaultBatchSize      = 64
	DefaultConcurrency    = 2
	DefaultTimeout        = 30 * time.Second
	DefaultMaxRetries     = 5
	DefaultRetryBaseDelay = 500 * time.Millisecond
	DefaultMaxRetryWait   = 60 * time.Second
)

// Config describes an OpenAI-compatible embeddings endpoint (OpenAI, Ollama,
// llama.cpp server, vLLM, LocalAI, TEI, semsearch's own /v1/embeddings).
type Config struct {
	// BaseURL is the API root; requests go to BaseURL + "/embeddings", so it
	// usually ends in "/v1" (e.g. "http://127.0.0.1:11434/v1"). Empty means
	// OpenAI's.
	BaseURL string
	APIKey  string // sent as "Authorization: Bearer"; empty sends none
	Model   string // required
	// Dims is the vector length. 0 makes New detect it with one probe
	// request; every answer must then have exactly this length.
	Dims int
	// RequestDims sends Dims as the request's "dimensions" field, for models
	// that can shorten their vectors (OpenAI text-embedding-3); most other
	// servers reject or ignore it.
	RequestDims bool
	BatchSize   int           // texts per request; 0 means DefaultBatchSize
	Concurrency int           // requests in flight; 0 means DefaultConcurrency
	Timeout     time.Duration // per request attempt; 0 means DefaultTimeout
	// MaxRetries bounds the retries of one request after a 429, a 5xx, a
	// timeout or a connection error; 0 means DefaultMaxRetries, negative none.
	MaxRetries int
	// RetryBaseDelay is the first backoff delay, doubled on every retry and
	// jittered; 0 means DefaultRetryBaseDelay.
	RetryBaseDelay time.Duration
	// MaxRetryWait caps any single wait, including one asked for by a
	// Retry-After header; 0 means DefaultMaxRetryWait.
	MaxRetryWait time.Duration
	// QueryPrefix and PassagePrefix are prepended to queries and passages,
	// for models trained with instructions ("query: ", "search_document: ").
	QueryPrefix, PassagePrefix string
	// HTTPClient sends the requests; nil means a plain client. Its Timeout
	// should be 0: Timeout above bounds each attempt.
	HTTPClient *http.Client
	Logger     *slog.Logger // retries are logged here; nil discards them
}

// withDefaults validates c and fills in defaults.
func (c Config) withDefaults() (Config, error) {
	if strings.TrimSpace(c.Model) == "" {
		return c, errors.New("embedding provider: no model name configured")
	}
	if c.BaseURL == "" {
		c.BaseURL = goopenai.DefaultConfig("").BaseURL
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return c, fmt.Errorf("embedding provider: base URL %q is not an http(s) URL", c.BaseURL)
	}
	if c.Dims < 0 {
		return c, fmt.Errorf("embedding provider: negative dimension %d", c.Dims)
	}
	if c.RequestDims && c.Dims == 0 {
		return c, errors.New("embedding provider: RequestDims needs Dims")
	}
	if c.BatchSize <= 0 {
		c.BatchSize = DefaultBatchSize
	}
	if c.Concurrency <= 0 {
		c.Concurrency = DefaultConcurrency
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	switch {
	case c.MaxRetries == 0:
		c.MaxRetries = DefaultMaxRetries
	case c.MaxRetries < 0:
		c.MaxRetries = 0
	}
	if c.RetryBaseDelay <= 0 {
		c.RetryBaseDelay = DefaultRetryBaseDelay
	}
	if c.MaxRetryWait <= 0 {
		c.MaxRetryWait = DefaultMaxRetryWait
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c, nil
}
