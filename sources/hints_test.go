package sources

import (
	"net/http"
	"testing"
	"time"
)

func TestRetryAfter(t *testing.T) {
	tests := []struct {
		v    string
		want time.Duration
		ok   bool
	}{
		{"120", 120 * time.Second, true},
		{"0", 0, true},
		{"", 0, false},
		{"-5", 0, false},
		{"soon", 0, false},
		{t0.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{t0.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"99999999999999", 365 * 24 * time.Hour, true},
	}
	for _, tt := range tests {
		got, ok := retryAfter(http.Header{"Retry-After": {tt.v}}, t0)
		if got != tt.want || ok != tt.ok {
			t.Errorf("retryAfter(%q) = %v, %v; want %v, %v", tt.v, got, ok, tt.want, tt.ok)
		}
	}
}

func TestFreshFor(t *testing.T) {
	tests := []struct {
		name string
		h    http.Header
		want time.Duration
	}{
		{"none", http.Header{}, 0},
		{"max-age", http.Header{"Cache-Control": {"public, max-age=3600"}}, time.Hour},
		{"no-cache wins", http.Header{"Cache-Control": {"no-cache, max-age=3600"}}, 0},
		{"expires against date", http.Header{"Expires": {t0.Add(2 * time.Hour).Format(http.TimeFormat)}, "Date": {t0.Add(time.Hour).Format(http.TimeFormat)}}, time.Hour},
		{"expires against now", http.Header{"Expires": {t0.Add(30 * time.Minute).Format(http.TimeFormat)}}, 30 * time.Minute},
		{"expired", http.Header{"Expires": {"0"}}, 0},
		{"max-age over expires", http.Header{"Cache-Control": {"max-age=60"}, "Expires": {t0.Add(time.Hour).Format(http.TimeFormat)}}, time.Minute},
	}
	for _, tt := range tests {
		if got := freshFor(tt.h, t0); got != tt.want {
			t.Errorf("%s: freshFor = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestFeedTTL(t *testing.T) {
	tests := []struct {
		name, feed string
		want       time.Duration
	}{
		{"ttl", `<rss><channel><title>x</title><ttl>90</ttl><item><ttl>5</ttl></item></channel></rss>`, 90 * time.Minute},
		{"sy daily twice", `<rss xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"><channel><sy:updatePeriod>daily</sy:updatePeriod><sy:updateFrequency>2</sy:updateFrequency></channel></rss>`, 12 * time.Hour},
		{"sy hourly", `<rss><channel><sy:updatePeriod> hourly </sy:updatePeriod></channel></rss>`, time.Hour},
		{"ttl in an item only", `<rss><channel><item><ttl>5</ttl></item></channel></rss>`, 0},
		{"atom", `<feed xmlns="http://www.w3.org/2005/Atom"><entry/></feed>`, 0},
		{"garbage", `{"version":"https://jsonfeed.org/version/1"}`, 0},
		{"absurd", `<rss><channel><ttl>99999999999</ttl></channel></rss>`, 0},
	}
	for _, tt := range tests {
		if got := feedTTL([]byte(tt.feed)); got != tt.want {
			t.Errorf("%s: feedTTL = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func FuzzHints(f *testing.F) {
	f.Add(`<rss><channel><ttl>90</ttl></channel></rss>`, "120", "max-age=60")
	f.Add(`<rss><channel><sy:updatePeriod>weekly</sy:updatePeriod><sy:updateFrequency>0</sy:updateFrequency>`, "Wed, 21 Oct 2015 07:28:00 GMT", "no-store")
	f.Fuzz(func(t *testing.T, feed, retry, cache string) {
		if d := feedTTL([]byte(feed)); d < 0 {
			t.Fatalf("feedTTL = %v", d)
		}
		h := http.Header{"Retry-After": {retry}, "Cache-Control": {cache}, "Expires": {retry}}
		if d, _ := retryAfter(h, t0); d < 0 {
			t.Fatalf("retryAfter = %v", d)
		}
		if d := freshFor(h, t0); d < 0 {
			t.Fatalf("freshFor = %v", d)
		}
		scrub("https://"+cache+"@"+retry+"/?"+feed, "https://"+cache+"@"+retry+"/?"+feed)
	})
}
