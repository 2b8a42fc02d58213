package semsearch

import (
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	tests := []struct {
		in       string
		endOfDay bool
		want     time.Time
		ok       bool
	}{
		{"", false, time.Time{}, true},
		{"2024-03-01", false, time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), true},
		{"2024-03-01", true, time.Date(2024, 3, 1, 23, 59, 59, 999999999, time.UTC), true},
		{"2024-03-01T10:20:30Z", false, time.Date(2024, 3, 1, 10, 20, 30, 0, time.UTC), true},
		{"2024-03-01T10:20:30.5+02:00", false, time.Date(2024, 3, 1, 8, 20, 30, 5e8, time.UTC), true},
		{"0000-01-01T0:00:00Z", false, time.Time{}, false}, // time.Parse alone accepts the one-digit hour
		{"2024-3-1", false, time.Time{}, false},
		{"yesterday", false, time.Time{}, false},
	}
	for _, tt := range tests {
		got, err := ParseDate(tt.in, tt.endOfDay)
		if (err == nil) != tt.ok || (tt.ok && !got.Equal(tt.want)) {
			t.Errorf("ParseDate(%q, %v) = %v, %v; want %v, ok %v", tt.in, tt.endOfDay, got, err, tt.want, tt.ok)
		}
	}
}
