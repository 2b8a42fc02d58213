package app

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/internal/fakeembed"
	"github.com/semsearch/semsearch/sources"
)

// rssServer serves a three-item RSS feed with an ETag and answers 304 to a
// request that carries it.
func rssServer(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"v1"`)
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, `<rss version="2.0"><channel><title>T</title>`)
		for i := range 3 {
			fmt.Fprintf(w, `<item><guid>https://t.example/%d</guid><title>Post %d</title><description>Post %d is about marker%d.</description></item>`, i, i, i, i)
		}
		fmt.Fprint(w, `</channel></rss>`)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// Subscriptions survive a reindex with their state and their posts' links:
// the next poll is still conditional, a purge still knows its posts.
func TestApp_SubscriptionsSurviveReindex(t *testing.T) {
	ctx := context.Background()
	fake := fakeembed.New()
	defer fake.Close()
	feed := rssServer(t)
	cfg := Config{DataDir: filepath.Join(t.TempDir(), "data"), EmbedURL: fake.URL + "/v1", EmbedModel: "fake"}
	a, err := Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	res, err := a.Subscribe(ctx, []string{feed.URL}, sources.AddOptions{AllowPrivate: true})
	if err != nil || len(res) != 1 || res[0].Err != nil || res[0].New != 3 {
		t.Fatalf("subscribe: %+v, %v", res, err)
	}
	before, _ := a.Sources(ctx)
	a.Close()

	next := cfg
	next.EmbedModel = "fake-2"
	if _, err := Reindex(ctx, next, nil); err != nil {
		t.Fatal(err)
	}
	b, err := Open(ctx, next)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	after, err := b.Sources(ctx)
	if err != nil || len(after) != 1 || after[0] != before[0] {
		t.Fatalf("after reindex %+v, %v\nwant %+v", after, err, before)
	}
	polled, err := b.PollSources(ctx, true)
	if err != nil || len(polled) != 1 || polled[0].HTTPStatus != 304 {
		t.Errorf("poll after reindex: %+v, %v", polled, err)
	}
	n, err := b.RemoveSource(ctx, after[0].ID, true)
	if err != nil || n != 3 {
		t.Errorf("purge after reindex: %d, %v", n, err)
	}
	if st, _ := b.Stats(ctx); st.Posts != 0 {
		t.Errorf("%d posts left", st.Posts)
	}
	if _, err := b.FindSource(ctx, "1"); semsearch.ErrorCode(err) != semsearch.ENotFound {
		t.Errorf("removed source still found: %v", err)
	}
}
