// Package ingest turns any blog source — a file, a directory, an http(s)
// URL, an OPML subscription list or stdin — into clean semsearch.Posts.
// Formats are detected from content: RSS/RDF/Atom/JSON Feed (gofeed), HTML
// article pages (readability extraction plus <meta>/OpenGraph/JSON-LD),
// HTML and plain-text blog listings (one post per entry), Markdown with
// YAML/TOML front matter, and plain text.
package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/ingest/fetch"
)

// Options configures an Ingester; zero fields take the defaults noted.
type Options struct {
	Timeout      time.Duration // per fetch; default 20s
	MaxBodyBytes int64         // per fetched body or file; default 20 MiB
	MaxRedirects int           // default 5
	UserAgent    string        // default "semsearch/0.1 (+self-hosted blog search)"
	AllowPrivate bool          // lift the SSRF guard (tests, --allow-private)
	FollowFeeds  bool          // an HTML page advertising a feed: ingest the feed instead
	// RemoteOnly refuses local paths and stdin, for sources named by an
	// untrusted caller (the HTTP API): only http(s) URLs are loaded.
	RemoteOnly bool
}

// SourceResult is the outcome for one source (one file of a directory, one
// feed of an OPML list).
type SourceResult struct {
	Source string           // file path or URL
	Posts  []semsearch.Post // empty when Err != nil: nothing half-parsed
	Feeds  []string         // feeds advertised by an HTML page (auto-discovery)
	// Skipped says why a source that parsed yields no posts on purpose
	// ("draft"); Posts is then empty and Err nil.
	Skipped string
	Err     error
}

// Ingester loads sources. It is safe for concurrent use.
type Ingester struct {
	opts   Options
	client *fetch.Client
}

// maxOPMLDepth bounds OPML lists that name other OPML lists.
const maxOPMLDepth = 2

// New returns an Ingester with opts, defaults filled in.
func New(opts Options) *Ingester {
	if opts.Timeout <= 0 {
		opts.Timeout = fetch.DefaultTimeout
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = fetch.DefaultMaxBodyBytes
	}
	if opts.MaxRedirects == 0 {
		opts.MaxRedirects = fetch.DefaultMaxRedirects
	}
	if opts.UserAgent == "" {
		opts.UserAgent = fetch.DefaultUserAgent
	}
	return &Ingester{opts: opts, client: fetch.New(fetch.Options{
		Timeout:      opts.Timeout,
		MaxBodyBytes: opts.MaxBodyBytes,
		MaxRedirects: opts.MaxRedirects,
		UserAgent:    opts.UserAgent,
		AllowPrivate: opts.AllowPrivate,
	})}
}

// Load expands one user-given source and parses it. A directory (walked
// recursively in lexical order, hidden entries skipped) or an OPML list
// yields one SourceResult per file / feed; "-" reads stdin. Errors are per
// result and wrapped with the source name; Load itself never fails. A
// Markdown draft (ErrDraft) comes back Skipped, whether a walk found it or
// it was named: it is left out, as a static site generator leaves it out.
//
// With FollowFeeds, an HTML page that advertises feeds is replaced by its
// first feed: the result's Source is then the feed URL and Feeds lists all
// advertised feeds. Anything found inside a remote source (OPML entries,
// advertised feeds) must itself be an http(s) URL: a remote document can
// never make the Ingester read local files.
func (in *Ingester) Load(ctx context.Context, src string, stdin io.Reader) []SourceResult {
	if in.opts.RemoteOnly && !isURL(src) {
		return []SourceResult{failed(src, errors.New("only http(s) URLs are accepted here"))}
	}
	switch {
	case src == "-":
		if stdin == nil {
			return []SourceResult{failed(src, errors.New("no stdin"))}
		}
		data, err := readBounded(stdin, in.opts.MaxBodyBytes)
		if err != nil {
			return []SourceResult{failed(src, err)}
		}
		return in.loadData(ctx, src, data, "", "", 0)
	case isURL(src):
		return in.loadURL(ctx, src, 0)
	}
	fi, err := os.Stat(src)
	if err != nil {
		return []SourceResult{failed(src, err)}
	}
	if fi.IsDir() {
		return in.loadDir(ctx, src)
	}
	return in.loadFile(ctx, src, "", 0)
}

func failed(src string, err error) SourceResult {
	return SourceResult{Source: src, Err: fmt.Errorf("ingest %s: %w", src, err)}
}

func isURL(s string) bool {
	ls := strings.ToLower(s)
	return strings.HasPrefix(ls, "http://") || strings.HasPrefix(ls, "https://")
}

func (in *Ingester) loadURL(ctx context.Context, src string, depth int) []SourceResult {
	if err := ctx.Err(); err != nil {
		return []SourceResult{failed(src, err)}
	}
	resp, err := in.client.Get(ctx, src)
	if err != nil {
		return []SourceResult{failed(src, err)}
	}
	return in.loadData(ctx, src, resp.Body, resp.URL, "", depth)
}

func (in *Ingester) loadDir(ctx context.Context, root string) []SourceResult {
	var out []SourceResult
	// WalkDir visits entries in lexical order, which keeps results stable.
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			out = append(out, failed(path, err))
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		if path != root && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() || !d.Type().IsRegular() {
			return nil
		}
		out = append(out, in.loadFile(ctx, path, root, 0)...)
		return nil
	})
	if err != nil {
		out = append(out, failed(root, err))
	}
	return out
}

// loadFile parses one local file. walkRoot is set when the file was found
// by walking a directory: an OPML list's local feeds under it are then
// skipped, since the walk ingests them itself.
func (in *Ingester) loadFile(ctx context.Context, path, walkRoot string, depth int) []SourceResult {
	f, err := os.Open(path)
	if err != nil {
		return []SourceResult{failed(path, err)}
	}
	defer f.Close()
	data, err := readBounded(f, in.opts.MaxBodyBytes)
	if err != nil {
		return []SourceResult{failed(path, err)}
	}
	if binary(path, data) {
		return []SourceResult{failed(path, errors.New("not a text file (binary content), skipped"))}
	}
	return in.loadData(ctx, path, data, fileURL(path), walkRoot, depth)
}

// loadData parses data that came from src; base is its URL (http or file)
// or empty for stdin.
func (in *Ingester) loadData(ctx context.Context, src string, data []byte, base, walkRoot string, depth int) []SourceResult {
	if Detect(data) == FormatOPML {
		return in.loadOPML(ctx, src, data, base, walkRoot, depth)
	}
	posts, feeds, err := parse(data, base)
	if isURL(base) {
		feeds = remoteOnly(feeds)
	}
	if in.opts.FollowFeeds && len(feeds) > 0 && Detect(data) == FormatHTML && depth < maxOPMLDepth {
		res := in.loadSource(ctx, feeds[0], depth+1)
		for i := range res {
			res[i].Feeds = feeds
		}
		return res
	}
	switch {
	case errors.Is(err, ErrDraft):
		return []SourceResult{{Source: src, Skipped: "draft"}}
	case err != nil:
		r := failed(src, err)
		r.Feeds = feeds
		return []SourceResult{r}
	}
	return []SourceResult{{Source: src, Posts: posts, Feeds: feeds}}
}

func (in *Ingester) loadOPML(ctx context.Context, src string, data []byte, base, walkRoot string, depth int) []SourceResult {
	if depth >= maxOPMLDepth {
		return []SourceResult{failed(src, errors.New("opml nested too deeply"))}
	}
	feeds, err := parseOPML(data)
	if err != nil {
		return []SourceResult{failed(src, err)}
	}
	// Feeds load concurrently (remote ones dominate the time), each into
	// its own slot, so results keep document order. A feed's failure is its
	// own result and stops no other; once ctx ends the rest fail at once.
	slots := make([][]SourceResult, len(feeds))
	var g errgroup.Group
	g.SetLimit(opmlConcurrency)
	for i, f := range feeds {
		target, err := opmlTarget(f.URL, base)
		switch {
		case err != nil:
			slots[i] = []SourceResult{failed(f.URL, err)}
			continue
		case !isURL(target) && walkRoot != "" && within(walkRoot, target):
			continue // the directory walk ingests it
		}
		g.Go(func() error {
			if err := ctx.Err(); err != nil {
				slots[i] = []SourceResult{failed(target, err)}
				return nil
			}
			slots[i] = in.loadSource(ctx, target, depth+1)
			return nil
		})
	}
	_ = g.Wait() // every error is in its slot
	var out []SourceResult
	for _, s := range slots {
		out = append(out, s...)
	}
	return out
}

// opmlConcurrency bounds the feeds of one OPML list fetched at once.
const opmlConcurrency = 4

// opmlTarget resolves an OPML entry against the list's own location: an
// http(s) URL, or for a local list also a local path. A remote list may
// only name http(s) feeds.
func opmlTarget(ref, base string) (string, error) {
	u := resolveURL(ref, base)
	switch {
	case isURL(u):
		return u, nil
	case isURL(base):
		return "", errors.New("a remote subscription list may only name http(s) feeds")
	case strings.HasPrefix(u, "file:"):
		return filePath(u), nil
	case strings.Contains(ref, "://"):
		return "", errors.New("only http(s) URLs and local paths are supported")
	}
	return filepath.Clean(ref), nil
}

// remoteOnly keeps the http(s) URLs of urls.
func remoteOnly(urls []string) []string {
	var out []string
	for _, u := range urls {
		if isURL(u) {
			out = append(out, u)
		}
	}
	return out
}

// loadSource loads a URL or a local file found inside another source.
func (in *Ingester) loadSource(ctx context.Context, target string, depth int) []SourceResult {
	if isURL(target) {
		return in.loadURL(ctx, target, depth)
	}
	if strings.HasPrefix(target, "file:") {
		target = filePath(target)
	}
	return in.loadFile(ctx, target, "", depth)
}

// readBounded reads r up to limit bytes; more is an error.
func readBounded(r io.Reader, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("larger than the limit of %d bytes: %w", limit, fetch.ErrTooLarge)
	}
	return data, nil
}

var binaryExt = map[string]bool{
	".png": true, ".jpg": true, ".jpeg": true, ".gif": true, ".webp": true, ".ico": true,
	".pdf": true, ".zip": true, ".gz": true, ".tgz": true, ".bz2": true, ".xz": true, ".zst": true,
	".woff": true, ".woff2": true, ".ttf": true, ".otf": true, ".mp3": true, ".mp4": true,
	".so": true, ".exe": true, ".bin": true, ".db": true, ".sqlite": true, ".gob": true,
}

// binary reports non-text content: a known binary extension or a NUL byte
// in the first 8 KiB.
func binary(path string, data []byte) bool {
	return binaryExt[strings.ToLower(filepath.Ext(path))] || bytes.IndexByte(head(data, 8<<10), 0) >= 0
}

func fileURL(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return ""
	}
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String()
}

func filePath(fileURL string) string {
	u, err := url.Parse(fileURL)
	if err != nil {
		return fileURL
	}
	return filepath.FromSlash(u.Path)
}

func within(root, path string) bool {
	ar, err1 := filepath.Abs(root)
	ap, err2 := filepath.Abs(path)
	if err1 != nil || err2 != nil {
		return false
	}
	rel, err := filepath.Rel(ar, ap)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}
