package sources

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/semsearch/semsearch"
)

// Local sources: a file is re-read when its size or modification time
// changes; a directory is re-scanned on each poll, its new and changed
// files read, and the posts of files that are gone removed (unless another
// source contributed them too).

// stamp is what marks a file as unchanged: its size and modification time.
func stamp(fi fs.FileInfo) string {
	return fmt.Sprintf("%d@%d", fi.Size(), fi.ModTime().UnixNano())
}

// readFile loads one local file into posts with the Loader.
func (p *Poller) readFile(ctx context.Context, path string) ([]semsearch.Post, error) {
	if p.deps.Loader == nil {
		return nil, errors.New("this poller reads no local files")
	}
	var posts []semsearch.Post
	var errs []error
	for _, r := range p.deps.Loader.Load(ctx, path, nil) {
		if r.Err != nil {
			errs = append(errs, r.Err)
			continue
		}
		posts = append(posts, r.Posts...)
	}
	if len(posts) == 0 && len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return posts, nil
}

// pollFile polls a single local file.
func (p *Poller) pollFile(ctx context.Context, sub semsearch.Subscription, now time.Time) (pollOut, error) {
	var out pollOut
	fi, err := os.Stat(sub.URL)
	if err != nil {
		return out, err // posts stay: the file may be being rewritten
	}
	known, err := p.deps.Registry.SourcePages(ctx, sub.ID)
	if err != nil {
		return out, err
	}
	st := stamp(fi)
	old, seen := known[sub.URL]
	if seen && old.Lastmod == st {
		out.notModified = true
		return out, nil
	}
	posts, err := p.readFile(ctx, sub.URL)
	if err != nil {
		return out, err
	}
	out.posts = posts
	out.cadence = cadence(posts, now)
	out.pages = []semsearch.SourcePage{{URL: sub.URL, Lastmod: st, PostIDs: postIDs(posts), Checked: now}}
	out.dropPosts = missing(old.PostIDs, out.pages[0].PostIDs)
	if len(posts) > 0 {
		out.title = posts[0].Source.Title
	}
	return out, nil
}

// maxDirFiles bounds one directory scan.
const maxDirFiles = 100_000

// pollDir re-scans a directory: hidden entries are skipped, as ingest does.
func (p *Poller) pollDir(ctx context.Context, sub semsearch.Subscription, now time.Time) (pollOut, error) {
	var out pollOut
	if _, err := os.Stat(sub.URL); err != nil {
		return out, err // a vanished directory is an error, not a deletion of everything
	}
	known, err := p.deps.Registry.SourcePages(ctx, sub.ID)
	if err != nil {
		return out, err
	}
	present := map[string]bool{}
	var failed []string
	files := 0
	walkErr := filepath.WalkDir(sub.URL, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			failed = append(failed, fmt.Sprintf("%s: %v", path, err))
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		if path != sub.URL && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() || !d.Type().IsRegular() {
			return nil
		}
		if files++; files > maxDirFiles {
			return fmt.Errorf("more than %d files", maxDirFiles)
		}
		present[path] = true
		fi, err := d.Info()
		if err != nil {
			failed = append(failed, fmt.Sprintf("%s: %v", path, err))
			return nil
		}
		st := stamp(fi)
		old, seen := known[path]
		if seen && old.Lastmod == st {
			return nil
		}
		posts, err := p.readFile(ctx, path)
		if err != nil {
			failed = append(failed, err.Error())
			// Remembered with its stamp: not read again until it changes.
			out.pages = append(out.pages, semsearch.SourcePage{URL: path, Lastmod: st, Checked: now})
			return nil
		}
		out.posts = append(out.posts, posts...)
		page := semsearch.SourcePage{URL: path, Lastmod: st, PostIDs: postIDs(posts), Checked: now}
		out.pages = append(out.pages, page)
		out.dropPosts = append(out.dropPosts, missing(old.PostIDs, page.PostIDs)...)
		return nil
	})
	if walkErr != nil {
		return out, fmt.Errorf("scan %s: %w", sub.URL, walkErr)
	}
	for path, page := range known {
		if !present[path] {
			out.dropPages = append(out.dropPages, path)
			out.dropPosts = append(out.dropPosts, page.PostIDs...)
		}
	}
	// A post that moved from a deleted file to another one stays.
	kept := map[string]bool{}
	for _, post := range out.posts {
		kept[post.ID] = true
	}
	out.dropPosts = slices.DeleteFunc(out.dropPosts, func(id string) bool { return kept[id] })
	if len(out.posts) == 0 && len(out.dropPosts) == 0 {
		out.notModified = true
	}
	if n := len(failed); n > 0 {
		out.partial = fmt.Sprintf("%d files failed; first: %s", n, failed[0])
	}
	return out, nil
}

// missing returns the IDs of old not in cur.
func missing(old, cur []string) []string {
	var out []string
	for _, id := range old {
		if !slices.Contains(cur, id) {
			out = append(out, id)
		}
	}
	return out
}
