// Package web is the search page: static HTML, CSS and JavaScript embedded
// in the binary, with no build step. The page talks to the JSON API only
// (GET /api/search, GET /api/posts/{id}/related) and carries no inline
// script or style, so it runs under a strict Content-Security-Policy.
// widget.js is the search box for other sites: a dependency-free custom
// element that calls GET /api/search across origins (see serve --cors-origin).
package web

import (
	"embed"
	"net/http"
)

// FS holds the page's files: index.html, app.js, style.css, favicon.svg,
// and widget.js (the <semsearch-search> element other sites load).
//
//go:embed index.html app.js style.css favicon.svg widget.js
var FS embed.FS

// Handler serves "/" (index.html) and the files of FS by name; any other
// path is 404. Files are revalidated on every load (they change with the
// binary, and are small).
func Handler() http.Handler {
	files := http.FileServerFS(FS)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		switch r.URL.Path {
		case "/":
			http.ServeFileFS(w, r, FS, "index.html")
		case "/app.js", "/style.css", "/favicon.svg", "/widget.js":
			files.ServeHTTP(w, r)
		default:
			http.NotFound(w, r)
		}
	})
}
