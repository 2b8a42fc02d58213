package openai

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	goopenai "github.com/sashabaranov/go-openai"

	"github.com/semsearch/semsearch/embed"
)

// respMeta records what go-openai does not expose on errors: the status and
// the Retry-After header of the response to one attempt.
type respMeta struct {
	mu         sync.Mutex
	status     int
	retryAfter string
}

type respMetaKey struct{}

// recordingDoer is the go-openai HTTP client: it sends with the configured
// *http.Client and notes the status and Retry-After of each response in the
// respMeta carried by the request's context.
type recordingDoer struct{ c *http.Client }

func (d recordingDoer) Do(req *http.Request) (*http.Response, error) {
	resp, err := d.c.Do(req)
	if resp != nil {
		if m, ok := req.Context().Value(respMetaKey{}).(*respMeta); ok {
			m.mu.Lock()
			m.status, m.retryAfter = resp.StatusCode, resp.Header.Get("Retry-After")
			m.mu.Unlock()
		}
	}
	return resp, err
}

// attempt sends one request, bounded by Timeout, and checks its answer.
func (c *Client) attempt(ctx context.Context, inputs []string) ([][]float32, error) {
	meta := &respMeta{}
	reqCtx, cancel := context.WithTimeout(context.WithValue(ctx, respMetaKey{}, meta), c.cfg.Timeout)
	defer cancel()
	req := goopenai.EmbeddingRequest{Input: inputs, Model: goopenai.EmbeddingModel(c.cfg.Model)}
	if c.cfg.RequestDims {
		req.Dimensions = c.cfg.Dims
	}
	resp, err := c.api.CreateEmbeddings(reqCtx, req)
	if err != nil {
		if ctx.Err() != nil { // the caller gave up: not the server's fault
			return nil, fmt.Errorf("embedding request to %s: %w", c.url, context.Cause(ctx))
		}
		meta.mu.Lock()
		status, ra := meta.status, parseRetryAfter(meta.retryAfter, time.Now())
		meta.mu.Unlock()
		timedOut := errors.Is(reqCtx.Err(), context.DeadlineExceeded)
		return nil, c.classify(err, status, ra, timedOut, len(inputs))
	}
	return c.vectors(resp, len(inputs))
}

// classify turns a failed attempt into a providerError that says what went
// wrong in words an operator can act on, and whether a retry may help.
func (c *Client) classify(err error, status int, ra retryAfter, timedOut bool, n int) error {
	fail := func(retryable bool, format string, args ...any) error {
		return &providerError{msg: fmt.Sprintf(format, args...), cause: err, retryable: retryable, wait: ra}
	}
	if timedOut {
		return fail(true, "embedding request to %s timed out after %s", c.url, c.cfg.Timeout)
	}
	var apiErr *goopenai.APIError
	var reqErr *goopenai.RequestError
	detail := ""
	switch {
	case errors.As(err, &apiErr):
		status, detail = apiErr.HTTPStatusCode, apiErr.Message
	case errors.As(err, &reqErr):
		status, detail = reqErr.HTTPStatusCode, string(reqErr.Body)
	}
	if status != 0 && (status < 200 || status >= 300) {
		detail = shorten(detail)
		if detail != "" {
			detail = ": " + detail
		}
	}
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		if c.cfg.APIKey == "" {
			return fail(false, "embedding server at %s wants an API key (%d)%s", c.url, status, detail)
		}
		return fail(false, "embedding server at %s rejected the API key (%d)%s", c.url, status, detail)
	case status == http.StatusNotFound:
		return fail(false, "embedding model %q not found at %s (404)%s; check the model name and that the base URL ends in /v1",
			c.cfg.Model, c.url, detail)
	case status == http.StatusTooManyRequests:
		return fail(true, "embedding server at %s is rate limiting (429)%s", c.url, detail)
	case status == http.StatusRequestTimeout || status >= 500:
		return fail(true, "embedding server at %s failed (%d)%s", c.url, status, detail)
	case status >= 300:
		return fail(false, "embedding server at %s rejected a batch of %d texts (%d)%s", c.url, n, status, detail)
	case status != 0: // a 2xx whose body did not decode
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return fail(true, "embedding server at %s cut its answer short: %v", c.url, err)
		}
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		if errors.As(err, &syn) || errors.As(err, &typ) {
			return fail(false, "embedding server at %s answered with malformed JSON: %v", c.url, err)
		}
		return fail(true, "reading the answer of the embedding server at %s: %v", c.url, err)
	default: // no response at all: refused, reset, DNS...
		return fail(true, "cannot reach the embedding server at %s: %v", c.url, err)
	}
}

// vectors checks an answer and returns its vectors in input order,
// normalised. The first answer fixes the dimension when none is configured.
func (c *Client) vectors(resp goopenai.EmbeddingResponse, n int) ([][]float32, error) {
	bad := func(format string, args ...any) error {
		return &providerError{msg: fmt.Sprintf("embedding server at %s returned ", c.url) + fmt.Sprintf(format, args...)}
	}
	if len(resp.Data) != n {
		return nil, bad("%d vectors for %d texts", len(resp.Data), n)
	}
	out := make([][]float32, n)
	for _, d := range resp.Data {
		if d.Index < 0 || d.Index >= n || out[d.Index] != nil {
			return nil, bad("an out-of-range or repeated index %d in an answer for %d texts", d.Index, n)
		}
		out[d.Index] = d.Embedding
	}
	dims := int(c.dims.Load())
	if err := embed.Check(out, n, dims); err != nil {
		if dims > 0 && len(out[0]) != dims {
			return nil, bad("vectors of %d dimensions, want %d (model %q): %v", len(out[0]), dims, c.cfg.Model, err)
		}
		return nil, bad("unusable vectors: %v", err)
	}
	if dims == 0 {
		c.dims.CompareAndSwap(0, int64(len(out[0])))
	}
	for _, v := range out {
		embed.Normalize(v)
	}
	return out, nil
}

// shorten keeps upstream error text loggable: one line, at most 200 bytes.
func shorten(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		cut := 200
		for cut > 0 && s[cut]&0xC0 == 0x80 { // do not split a UTF-8 rune
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}
