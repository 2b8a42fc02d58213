// Package fetch downloads sources over HTTP(S) for ingest, safely: bounded
// time, bounded body size, bounded redirects, http/https only, and an SSRF
// guard checked on the resolved address at dial time.
package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Defaults applied by New for zero Options fields.
const (
	DefaultTimeout      = 20 * time.Second
	DefaultMaxBodyBytes = 20 << 20
	DefaultMaxRedirects = 5
	DefaultUserAgent    = "semsearch/0.1 (+self-hosted blog search)"
)

// ErrTooLarge is returned (wrapped) when a body exceeds Options.MaxBodyBytes.
var ErrTooLarge = errors.New("response body too large")

// Options configures a Client. Zero values take the defaults above.
type Options struct {
	Timeout      time.Duration // whole request, headers and body
	MaxBodyBytes int64
	MaxRedirects int // a negative value forbids redirects
	UserAgent    string
	AllowPrivate bool // lift the SSRF guard
}

// Client fetches URLs. It is safe for concurrent use.
type Client struct {
	opts Options
	hc   *http.Client
}

// Response is a fully read, size-bounded HTTP response.
type Response struct {
	URL         string // final URL after redirects
	ContentType string
	Body        []byte
}

// New returns a Client with its own transport (never http.DefaultTransport,
// whose proxy settings would bypass the dial-time guard).
func New(opts Options) *Client {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opts.MaxRedirects == 0 {
		opts.MaxRedirects = DefaultMaxRedirects
	}
	if opts.UserAgent == "" {
		opts.UserAgent = DefaultUserAgent
	}
	dialer := &net.Dialer{Timeout: opts.Timeout, KeepAlive: 30 * time.Second}
	if !opts.AllowPrivate {
		dialer.Control = guardControl
	}
	tr := &http.Transport{
		Proxy:                 nil, // a proxy would be dialled instead of the target, defeating the guard
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          16,
		IdleConnTimeout:       60 * time.Second,
		TLSHandshakeTimeout:   opts.Timeout,
		ResponseHeaderTimeout: opts.Timeout,
	}
	maxRedirects := opts.MaxRedirects
	hc := &http.Client{
		Transport: tr,
		Timeout:   opts.Timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if maxRedirects < 0 || len(via) > maxRedirects {
				return fmt.Errorf("stopped after %d redirects", len(via)-1)
			}
			if err := checkScheme(req.URL); err != nil {
				return fmt.Errorf("redirect to %s: %w", req.URL.Redacted(), err)
			}
			return nil
		},
	}
	return &Client{opts: opts, hc: hc}
}

func checkScheme(u *url.URL) error {
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		return nil
	}
	return fmt.Errorf("scheme %q not allowed (only http and https)", u.Scheme)
}

// Get fetches rawURL and returns its body, read up to MaxBodyBytes. A body
// over the limit is an error wrapping ErrTooLarge (nothing partial is
// returned); so is any non-2xx status.
func (c *Client) Get(ctx context.Context, rawURL string) (*Response, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", rawURL, err)
	}
	if err := checkScheme(u); err != nil {
		return nil, fmt.Errorf("fetch %s: %w", rawURL, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", rawURL, err)
	}
	req.Header.Set("User-Agent", c.opts.UserAgent)
	req.Header.Set("Accept", "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/html;q=0.8, text/*;q=0.7, */*;q=0.5")
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", rawURL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, fmt.Errorf("fetch %s: http status %s", rawURL, resp.Status)
	}
	if resp.ContentLength > c.opts.MaxBodyBytes {
		return nil, fmt.Errorf("fetch %s: content length %d exceeds limit of %d bytes: %w", rawURL, resp.ContentLength, c.opts.MaxBodyBytes, ErrTooLarge)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.opts.MaxBodyBytes+1))
	if err != nil {
		return nil, fmt.Errorf("fetch %s: read body: %w", rawURL, err)
	}
	if int64(len(body)) > c.opts.MaxBodyBytes {
		return nil, fmt.Errorf("fetch %s: body cut at limit of %d bytes: %w", rawURL, c.opts.MaxBodyBytes, ErrTooLarge)
	}
	return &Response{URL: resp.Request.URL.String(), ContentType: resp.Header.Get("Content-Type"), Body: body}, nil
}
