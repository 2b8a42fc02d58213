package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/chunk"
	"github.com/semsearch/semsearch/internal/fakeembed"
)

// versionMarker matches the marker word every sentence of a post version
// carries ("vmark0007"): any passage names the version it was cut from.
var versionMarker = regexp.MustCompile(`vmark\d{4}`)

// openFake opens an App in a fresh data dir on the fake HTTP embedder, with
// small chunks so that a few paragraphs already make several chunks.
func openFake(t *testing.T, embedURL string) *App {
	t.Helper()
	a, err := Open(context.Background(), Config{
		DataDir:    filepath.Join(t.TempDir(), "data"),
		EmbedURL:   embedURL,
		EmbedModel: "fake",
		EmbedDims:  fakeembed.Dims,
		Chunk:      chunk.Options{MaxTokens: 48, OverlapTokens: 8},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// versionedPost is version v of post p: 1 to 5 paragraphs (so the chunk
// count changes between versions), every sentence carrying the version's
// marker and the shared word "quasar" that every query looks for.
func versionedPost(p, v int) semsearch.Post {
	marker := fmt.Sprintf("vmark%04d", v)
	var b strings.Builder
	for para := range v%5 + 1 {
		fmt.Fprintf(&b, "## Section %d\n\n", para)
		for s := range 4 {
			fmt.Fprintf(&b, "Sentence %d of section %d mentions quasar telescopes and %s here. ", s, para, marker)
		}
		b.WriteString("\n\n")
	}
	title := fmt.Sprintf("Post %d on quasars", p)
	text := b.String()
	sum := sha256.Sum256([]byte(title + "\n" + text))
	return semsearch.Post{
		ID:          fmt.Sprintf("https://example.com/posts/%d", p),
		Title:       title,
		URL:         fmt.Sprintf("https://example.com/posts/%d", p),
		Source:      semsearch.Source{Title: "concurrency"},
		Text:        text,
		ContentHash: hex.EncodeToString(sum[:]),
	}
}

// oneVersion fails when the results mix passages of two versions of a post,
// and counts the results whose passages were checked against each other.
func oneVersion(t *testing.T, what string, results []semsearch.Result, checked *atomic.Int64) {
	t.Helper()
	for _, r := range results {
		seen := map[string]bool{}
		for _, p := range r.Passages {
			for _, m := range versionMarker.FindAllString(p.Text, -1) {
				seen[m] = true
			}
		}
		if len(seen) > 1 {
			t.Errorf("%s: post %s shows passages of several versions %v: %+v", what, r.ID, seen, r.Passages)
		}
		if len(r.Passages) > 1 && len(seen) == 1 {
			checked.Add(1)
		}
	}
}

// TestApp_ConcurrentReadersSeeWholePosts re-ingests posts whose chunk count
// changes from one version to the next, and deletes them, while searches,
// related and similar run: no reader may see a post made of chunks of two
// versions, or a version with some of its chunks missing.
func TestApp_ConcurrentReadersSeeWholePosts(t *testing.T) {
	fake := fakeembed.New()
	defer fake.Close()
	a := openFake(t, fake.URL+"/v1")
	ctx := context.Background()

	const posts = 6
	const writes = 40 // versions written per writer round
	const reads = 60  // iterations per reader
	// expected[v] is the chunk count of every post at version v.
	expected := map[string]int{}
	for v := range writes + 1 {
		n := len(chunk.Split(versionedPost(0, v), a.chunking))
		expected[fmt.Sprintf("vmark%04d", v)] = n
	}
	if expected["vmark0000"] == expected["vmark0004"] {
		t.Fatalf("versions must differ in chunk count: %v", expected)
	}
	var initial []semsearch.Post
	for p := range posts {
		initial = append(initial, versionedPost(p, 0))
	}
	if _, err := a.IngestPosts(ctx, "concurrency", initial); err != nil {
		t.Fatal(err)
	}

	start := make(chan struct{})
	var wg sync.WaitGroup
	var checked, wholeChecked atomic.Int64
	errs := make(chan error, 64)
	report := func(err error) {
		select {
		case errs <- err:
		default:
		}
	}

	// Writer: every round gives each post a new version (new chunk count).
	wg.Go(func() {
		<-start
		for v := 1; v <= writes; v++ {
			p := v % posts
			if _, err := a.IngestPosts(ctx, "concurrency", []semsearch.Post{versionedPost(p, v)}); err != nil {
				report(fmt.Errorf("ingest post %d version %d: %w", p, v, err))
				return
			}
		}
	})
	// Deleter: removes posts the writer brings back later.
	wg.Go(func() {
		<-start
		for i := range writes / 2 {
			id := versionedPost(i%posts, 0).ID
			if err := a.Delete(ctx, id); err != nil && !isNotFound(err) {
				report(fmt.Errorf("delete %s: %w", id, err))
				return
			}
		}
	})
	modes := []semsearch.Mode{semsearch.ModeLexical, semsearch.ModeHybrid, semsearch.ModeVector}
	for r := range 3 {
		wg.Go(func() {
			<-start
			for i := range reads {
				mode := modes[(r+i)%len(modes)]
				res, err := a.Search(ctx, semsearch.Query{Text: "quasar telescopes", K: 10, Mode: mode})
				if err != nil {
					report(fmt.Errorf("search %s: %w", mode, err))
					return
				}
				oneVersion(t, "search "+string(mode), res, &checked)
			}
		})
	}
	wg.Go(func() {
		<-start
		for i := range reads {
			id := versionedPost(i%posts, 0).ID
			res, err := a.Related(ctx, id, 5)
			if err != nil && !isNotFound(err) {
				report(fmt.Errorf("related %s: %w", id, err))
				return
			}
			oneVersion(t, "related", res, &checked)
			res, err = a.Similar(ctx, "quasar telescopes section", 5)
			if err != nil {
				report(fmt.Errorf("similar: %w", err))
				return
			}
			oneVersion(t, "similar", res, &checked)
		}
	})
	// Index level: a post's stored chunks are exactly one version's, all of them.
	wg.Go(func() {
		<-start
		for i := range reads * 2 {
			id := versionedPost(i%posts, 0).ID
			chunks, _, err := a.store.PostChunks(ctx, id)
			if isNotFound(err) {
				continue
			}
			if err != nil {
				report(fmt.Errorf("post chunks %s: %w", id, err))
				return
			}
			if len(chunks) == 0 {
				continue // deleted between the two reads of PostChunks
			}
			if err := wholeVersion(chunks, expected); err != nil {
				report(fmt.Errorf("post %s: %w", id, err))
				return
			}
			wholeChecked.Add(1)
		}
	})
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if checked.Load() == 0 {
		t.Error("no result had two passages to compare: the test checked nothing")
	}
	if wholeChecked.Load() == 0 {
		t.Error("no post's chunks were read while writing: the test checked nothing")
	}
	t.Logf("%d multi-passage results and %d posts' chunk sets checked", checked.Load(), wholeChecked.Load())

	if err := a.Verify(ctx); err != nil {
		t.Fatal(err)
	}
	// Every post still stored holds its last written version, whole.
	ids, err := a.PostIDs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		chunks, _, err := a.store.PostChunks(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if err := wholeVersion(chunks, expected); err != nil {
			t.Errorf("post %s after the run: %v", id, err)
		}
	}
}

// wholeVersion checks that chunks all carry one version's marker and that
// there are exactly as many as that version has.
func wholeVersion(chunks []semsearch.Chunk, expected map[string]int) error {
	seen := map[string]bool{}
	for _, c := range chunks {
		for _, m := range versionMarker.FindAllString(c.Text, -1) {
			seen[m] = true
		}
	}
	if len(seen) != 1 {
		return fmt.Errorf("%d chunks carry versions %v, want exactly one", len(chunks), seen)
	}
	for m := range seen {
		if want := expected[m]; len(chunks) != want {
			return fmt.Errorf("version %s has %d chunks stored, want %d", m, len(chunks), want)
		}
	}
	return nil
}

func isNotFound(err error) bool {
	var se *semsearch.Error
	return errors.As(err, &se) && se.Code == semsearch.ENotFound
}
