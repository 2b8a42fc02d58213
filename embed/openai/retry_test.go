package openai

import (
	"testing"
	"time"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		in   string
		want retryAfter
	}{
		{"", retryAfter{}},
		{"0", retryAfter{0, true}},
		{"7", retryAfter{7 * time.Second, true}},
		{" 2 ", retryAfter{2 * time.Second, true}},
		{"-1", retryAfter{}},
		{"soon", retryAfter{}},
		{"Fri, 02 Jan 2026 03:04:15 GMT", retryAfter{10 * time.Second, true}},
		{"Fri, 02 Jan 2026 03:00:00 GMT", retryAfter{0, true}}, // in the past
		{"99999999999", retryAfter{24 * time.Hour, true}},
	}
	for _, tt := range tests {
		if got := parseRetryAfter(tt.in, now); got != tt.want {
			t.Errorf("parseRetryAfter(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestBackoff(t *testing.T) {
	cfg := Config{RetryBaseDelay: 100 * time.Millisecond, MaxRetryWait: time.Second}
	for attempt, base := range []time.Duration{100, 200, 400, 800, 1000, 1000} {
		base *= time.Millisecond
		for range 50 {
			d := backoff(cfg, attempt, retryAfter{})
			if d < base/2 || d > base {
				t.Fatalf("attempt %d: wait %s outside [%s, %s]", attempt, d, base/2, base)
			}
		}
	}
	if d := backoff(cfg, 100, retryAfter{}); d > time.Second {
		t.Errorf("attempt 100: wait %s, want capped at 1s", d)
	}
	if d := backoff(cfg, 0, retryAfter{3 * time.Second, true}); d != time.Second {
		t.Errorf("Retry-After 3s: wait %s, want capped at MaxRetryWait 1s", d)
	}
	if d := backoff(cfg, 3, retryAfter{0, true}); d != 0 {
		t.Errorf("Retry-After 0: wait %s, want 0", d)
	}
}
