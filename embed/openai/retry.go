package openai

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// retryAfter is a server's Retry-After: how long it asked us to wait.
type retryAfter struct {
	d  time.Duration
	ok bool
}

// parseRetryAfter reads a Retry-After value: delay seconds or an HTTP date
// (RFC 9110 §10.2.3). A date in the past means no wait.
func parseRetryAfter(v string, now time.Time) retryAfter {
	v = strings.TrimSpace(v)
	if v == "" {
		return retryAfter{}
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return retryAfter{}
		}
		return retryAfter{d: time.Duration(min(secs, int64(24*time.Hour/time.Second))) * time.Second, ok: true}
	}
	if t, err := http.ParseTime(v); err == nil {
		return retryAfter{d: max(t.Sub(now), 0), ok: true}
	}
	return retryAfter{}
}

// backoff returns the wait before retry number attempt (0-based): what the
// server asked for if it did, else RetryBaseDelay doubled per attempt with
// "equal jitter" (half fixed, half random, so concurrent clients spread
// out); both capped by MaxRetryWait.
func backoff(cfg Config, attempt int, ra retryAfter) time.Duration {
	if ra.ok {
		return min(ra.d, cfg.MaxRetryWait)
	}
	d := cfg.MaxRetryWait
	if attempt < 30 {
		d = min(cfg.RetryBaseDelay<<attempt, cfg.MaxRetryWait)
	}
	half := d / 2
	return half + rand.N(d-half+1)
}

// withRetries runs one request until it succeeds, fails for good, runs out
// of retries or ctx ends.
func (c *Client) withRetries(ctx context.Context, inputs []string) ([][]float32, error) {
	for attempt := 0; ; attempt++ {
		vecs, err := c.attempt(ctx, inputs)
		if err == nil {
			return vecs, nil
		}
		var pe *providerError
		if !errors.As(err, &pe) || !pe.retryable {
			return nil, err
		}
		if attempt >= c.cfg.MaxRetries {
			if attempt == 0 {
				return nil, err
			}
			return nil, &providerError{msg: fmt.Sprintf("%s (gave up after %d attempts)", pe.msg, attempt+1), cause: pe.cause}
		}
		wait := backoff(c.cfg, attempt, pe.wait)
		c.log.WarnContext(ctx, "embedding request failed, retrying",
			"url", c.url, "attempt", attempt+1, "wait", wait, "error", pe.msg)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("embedding request to %s: %w (while retrying after: %s)", c.url, context.Cause(ctx), pe.msg)
		case <-t.C:
		}
	}
}
