package web_test

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/semsearch/semsearch/web"
)

func TestHandler_ServesPageAndAssets(t *testing.T) {
	h := web.Handler()
	tests := []struct {
		path, contentType, contains string
		status                      int
	}{
		{"/", "text/html", `<script src="/app.js" defer></script>`, 200},
		{"/app.js", "javascript", `"use strict"`, 200},
		{"/style.css", "text/css", ":root", 200},
		{"/favicon.svg", "image/svg+xml", "<svg", 200},
		{"/widget.js", "javascript", `customElements.define("semsearch-search"`, 200},
		{"/index.html", "", "", 404}, // one URL per page: "/"
		{"/web.go", "", "", 404},
		{"/../go.mod", "", "", 404},
	}
	for _, tt := range tests {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "http://x"+tt.path, nil))
		if rec.Code != tt.status {
			t.Errorf("%s: status %d, want %d", tt.path, rec.Code, tt.status)
			continue
		}
		if tt.status != 200 {
			continue
		}
		if ct := rec.Header().Get("Content-Type"); !strings.Contains(ct, tt.contentType) {
			t.Errorf("%s: content type %q, want %q", tt.path, ct, tt.contentType)
		}
		if !strings.Contains(rec.Body.String(), tt.contains) {
			t.Errorf("%s: body lacks %q", tt.path, tt.contains)
		}
	}
}

// TestFS_NoInlineCode keeps the page compatible with a CSP without
// 'unsafe-inline': no inline scripts, styles, or event handler attributes.
func TestFS_NoInlineCode(t *testing.T) {
	html, err := fs.ReadFile(web.FS, "index.html")
	if err != nil {
		t.Fatal(err)
	}
	page := string(html)
	for _, bad := range []*regexp.Regexp{
		regexp.MustCompile(`<script(\s[^>]*)?>\s*[^<\s]`),     // a script with a body
		regexp.MustCompile(`<script(?:\s(?:[^s>]|s[^r])*)?>`), // a script without src
		regexp.MustCompile(`<style`),
		regexp.MustCompile(`\sstyle=`),
		regexp.MustCompile(`\son[a-z]+=`),
		regexp.MustCompile(`javascript:`),
	} {
		if m := bad.FindString(page); m != "" {
			t.Errorf("index.html has inline code: %q", m)
		}
	}
	js, err := fs.ReadFile(web.FS, "app.js")
	if err != nil {
		t.Fatal(err)
	}
	// innerHTML only for the API's pre-escaped highlight.
	if n := strings.Count(string(js), ".innerHTML ="); n != 1 || !strings.Contains(string(js), "text.innerHTML = p.highlight") {
		t.Errorf("app.js assigns innerHTML %d times; only the highlight may be inserted as HTML", n)
	}
	if strings.Contains(string(js), "eval(") || strings.Contains(string(js), "new Function") {
		t.Error("app.js uses eval")
	}
}
