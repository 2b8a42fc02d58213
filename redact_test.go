package semsearch

import "testing"

func TestRedact(t *testing.T) {
	tests := map[string]string{
		"https://user:tok3n@blog.example/feed?token=abc&page=2": "https://blog.example/feed?page=2&token=REDACTED",
		"https://blog.example/feed?api_key=k&X-Amz-Signature=s": "https://blog.example/feed?X-Amz-Signature=REDACTED&api_key=REDACTED",
		"https://blog.example/feed.xml":                         "https://blog.example/feed.xml",
		"/home/me/posts":                                        "/home/me/posts",
	}
	for in, want := range tests {
		if got := RedactURL(in); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", in, got, want)
		}
	}
	if got := PublicSourceName("/home/me/posts"); got != "posts" {
		t.Errorf("PublicName = %q", got)
	}
}
