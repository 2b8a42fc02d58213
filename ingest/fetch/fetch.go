// Package fetch downloads sources over HTTP(S) for ingest, safely: bounded
// time, bounded body size, bounded redirects, http/https only, and an SSRF
// guard checked on the resolved address at dial time. It also does the
// conditional GET a poller needs (If-None-Match / If-Modified-Since, 304).
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

// DefaultAccept is the Accept header of a Request that names none: feeds
// first, then pages and text.
const DefaultAccept = "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/html;q=0.8, text/*;q=0.7, */*;q=0.5"

// ErrTooLarge is returned (wrapped) when a body exceeds Options.MaxBodyBytes.
var ErrTooLarge = errors.New("response body too large")

// Options configures a Client. Zero values take the defaults above.
type Options struct {
	Timeout      time.Duration // whole request, headers and body
	MaxBodyBytes int64
	MaxRedirects int // a negative value forbids redirects
	UserAgent    string
	// AllowPrivate lifts the SSRF guard for loopback, private and
	// link-local addresses; cloud metadata endpoints stay blocked.
	AllowPrivate bool
}

// Client fetches URLs. It is safe for concurrent use.
type Client struct {
	opts Options
	hc   *http.Client
}

// Request is one GET. ETag and LastModified are the validators of an
// earlier response: when set they are sent as If-None-Match and
// If-Modified-Since, and an unchanged resource answers 304.
type Request struct {
	URL          string
	ETag         string
	LastModified string
	Accept       string // default DefaultAccept
}

// Response is a fully read, size-bounded HTTP response with status 2xx or
// 304 (any other status is a *StatusError).
type Response struct {
	URL         string // final URL after redirects
	Status      int    // 2xx, or 304 Not Modified (then Body is nil)
	ContentType string
	Body        []byte
	// Validators for the next conditional request, as the server sent them.
	ETag, LastModified string
	// Moved is the final URL when the request was redirected and every
	// redirect was permanent (301 or 308): the resource's new address.
	Moved  string
	Header http.Header // the final response's header
}

// NotModified reports a 304 answer to a conditional request.
func (r *Response) NotModified() bool { return r.Status == http.StatusNotModified }

// StatusError is a response whose status is neither 2xx nor 304. Header
// carries Retry-After and the like.
type StatusError struct {
	Code   int
	Status string // e.g. "503 Service Unavailable"
	Header http.Header
}

func (e *StatusError) Error() string { return "http status " + e.Status }

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
	dialer.Control = guardControl
	if opts.AllowPrivate {
		dialer.Control = metadataControl
	}
	tr := &http.Transport{
		Proxy:                 nil, // a proxy would be dialled instead of the target, defeating the guard
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          64,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       60 * time.Second,
		TLSHandshakeTimeout:   opts.Timeout,
		ResponseHeaderTimeout: opts.Timeout,
	}
	return &Client{opts: opts, hc: &http.Client{Transport: tr, Timeout: opts.Timeout}}
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
// returned); so is any non-2xx status (a *StatusError).
func (c *Client) Get(ctx context.Context, rawURL string) (*Response, error) {
	return c.Fetch(ctx, Request{URL: rawURL})
}

// Fetch runs one GET, conditional when req carries validators. It returns
// a 2xx response with its body, or a 304 without one; any other status is
// an error wrapping *StatusError, and a body over MaxBodyBytes one wrapping
// ErrTooLarge. Errors name the URL without its password.
func (c *Client) Fetch(ctx context.Context, req Request) (*Response, error) {
	u, err := url.Parse(req.URL)
	if err != nil {
		return nil, fmt.Errorf("fetch: %w", err)
	}
	name := u.Redacted()
	if err := checkScheme(u); err != nil {
		return nil, fmt.Errorf("fetch %s: %w", name, err)
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", name, err)
	}
	hreq.Header.Set("User-Agent", c.opts.UserAgent)
	accept := req.Accept
	if accept == "" {
		accept = DefaultAccept
	}
	hreq.Header.Set("Accept", accept)
	if req.ETag != "" {
		hreq.Header.Set("If-None-Match", req.ETag)
	}
	if req.LastModified != "" {
		hreq.Header.Set("If-Modified-Since", req.LastModified)
	}
	// A per-call client (sharing the transport) records whether every
	// redirect of this request was permanent.
	permanent, redirected := true, false
	maxRedirects := c.opts.MaxRedirects
	hc := *c.hc
	hc.CheckRedirect = func(next *http.Request, via []*http.Request) error {
		if maxRedirects < 0 || len(via) > maxRedirects {
			return fmt.Errorf("stopped after %d redirects", len(via)-1)
		}
		if err := checkScheme(next.URL); err != nil {
			return fmt.Errorf("redirect to %s: %w", next.URL.Redacted(), err)
		}
		redirected = true
		if r := next.Response; r == nil || (r.StatusCode != http.StatusMovedPermanently && r.StatusCode != http.StatusPermanentRedirect) {
			permanent = false
		}
		return nil // net/http carries the conditional headers to the next hop
	}
	resp, err := hc.Do(hreq)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", name, redactErr(err, u))
	}
	defer resp.Body.Close()
	out := &Response{
		URL:          resp.Request.URL.String(),
		Status:       resp.StatusCode,
		ContentType:  resp.Header.Get("Content-Type"),
		ETag:         resp.Header.Get("ETag"),
		LastModified: resp.Header.Get("Last-Modified"),
		Header:       resp.Header,
	}
	if redirected && permanent {
		out.Moved = out.URL
	}
	switch {
	case resp.StatusCode == http.StatusNotModified:
		return out, nil
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
		return nil, fmt.Errorf("fetch %s: %w", name, &StatusError{Code: resp.StatusCode, Status: resp.Status, Header: resp.Header})
	}
	if resp.ContentLength > c.opts.MaxBodyBytes {
		return nil, fmt.Errorf("fetch %s: content length %d exceeds limit of %d bytes: %w", name, resp.ContentLength, c.opts.MaxBodyBytes, ErrTooLarge)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.opts.MaxBodyBytes+1))
	if err != nil {
		return nil, fmt.Errorf("fetch %s: read body: %w", name, redactErr(err, u))
	}
	if int64(len(body)) > c.opts.MaxBodyBytes {
		return nil, fmt.Errorf("fetch %s: body cut at limit of %d bytes: %w", name, c.opts.MaxBodyBytes, ErrTooLarge)
	}
	out.Body = body
	return out, nil
}

// redactErr keeps a *url.Error (which names the full URL, password
// included) out of the message: its inner error is what matters.
func redactErr(err error, u *url.URL) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
