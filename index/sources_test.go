package index

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/semsearch/semsearch"
)

func addSource(t *testing.T, s *Store, url string) semsearch.Subscription {
	t.Helper()
	sub, err := s.AddSource(context.Background(), semsearch.Subscription{URL: url, Kind: semsearch.KindFeed,
		Added: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatalf("AddSource %s: %v", url, err)
	}
	return sub
}

func TestStore_SourcesRoundTrip(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openTest(t, dir)
	a := addSource(t, s, "https://a.test/feed")
	if a.ID == 0 || a.Status != semsearch.StatusNew || !a.NextCheck.Equal(a.Added) {
		t.Fatalf("added %+v", a)
	}
	if _, err := s.AddSource(ctx, semsearch.Subscription{URL: "https://a.test/feed", Kind: semsearch.KindFeed}); semsearch.ErrorCode(err) != semsearch.EConflict {
		t.Fatalf("duplicate: err = %v, want conflict", err)
	}
	put(t, s, "p1", []string{"one"}, []int{0})
	put(t, s, "p2", []string{"two"}, []int{1})

	a.ETag, a.LastModified, a.BodyHash = `"e1"`, "Mon, 02 Jan 2006 15:04:05 GMT", "h"
	a.Status, a.HTTPStatus, a.Errors, a.LastError = semsearch.StatusError, 503, 2, "http status 503"
	a.LastChecked = time.Date(2025, 1, 2, 3, 4, 5, 6e6, time.UTC)
	a.NextCheck = a.LastChecked.Add(time.Hour)
	a.Interval, a.Cadence, a.Title, a.SiteURL = 30*time.Minute, 2*time.Hour, "A", "https://a.test/"
	pages := []semsearch.SourcePage{{URL: "https://a.test/x", Lastmod: "2025-01-01", PostIDs: []string{"p1"}, Checked: a.LastChecked}}
	if err := s.SavePoll(ctx, a, []string{"p1", "p2", "missing"}, pages, nil); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s = openTest(t, dir) // the registry survives a restart
	got, err := s.Source(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := a
	want.Posts = 2 // "missing" is not a stored post: not linked
	if got != want {
		t.Errorf("after reopen\n got %+v\nwant %+v", got, want)
	}
	gotPages, err := s.SourcePages(ctx, a.ID)
	if err != nil || len(gotPages) != 1 || !slices.Equal(gotPages["https://a.test/x"].PostIDs, []string{"p1"}) {
		t.Errorf("pages = %+v, %v", gotPages, err)
	}
	if err := s.SavePoll(ctx, a, nil, nil, []string{"https://a.test/x"}); err != nil {
		t.Fatal(err)
	}
	if gotPages, _ := s.SourcePages(ctx, a.ID); len(gotPages) != 0 {
		t.Errorf("dropped page still there: %+v", gotPages)
	}
	if _, err := s.Source(ctx, 999); semsearch.ErrorCode(err) != semsearch.ENotFound {
		t.Errorf("unknown source: %v", err)
	}
	b := addSource(t, s, "https://b.test/feed")
	a.URL = b.URL // a move onto another source's URL
	if err := s.SavePoll(ctx, a, nil, nil, nil); semsearch.ErrorCode(err) != semsearch.EConflict {
		t.Errorf("move onto b: err = %v, want conflict", err)
	}
}

func TestStore_ClaimDue(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, t.TempDir())
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var subs []semsearch.Subscription
	for i, u := range []string{"https://a.test/", "https://b.test/", "https://c.test/"} {
		sub, err := s.AddSource(ctx, semsearch.Subscription{URL: u, Kind: semsearch.KindFeed, Added: t0, NextCheck: t0.Add(time.Duration(i) * time.Minute)})
		if err != nil {
			t.Fatal(err)
		}
		subs = append(subs, sub)
	}
	gone := subs[2]
	gone.Status, gone.NextCheck = semsearch.StatusGone, time.Time{}
	if err := s.SavePoll(ctx, gone, nil, nil, nil); err != nil {
		t.Fatal(err)
	}
	got, err := s.ClaimDue(ctx, t0.Add(30*time.Second), 10*time.Minute, 10)
	if err != nil || len(got) != 1 || got[0].ID != subs[0].ID {
		t.Fatalf("claim at +30s = %+v, %v; want source a", got, err)
	}
	if !got[0].NextCheck.Equal(t0.Add(30*time.Second + 10*time.Minute)) {
		t.Errorf("lease: next check %v", got[0].NextCheck)
	}
	// a is leased, c is gone: only b at +5m.
	got, err = s.ClaimDue(ctx, t0.Add(5*time.Minute), 10*time.Minute, 10)
	if err != nil || len(got) != 1 || got[0].ID != subs[1].ID {
		t.Fatalf("claim at +5m = %+v, %v; want source b", got, err)
	}
	next, ok, err := s.NextDue(ctx)
	if err != nil || !ok || !next.Equal(t0.Add(30*time.Second+10*time.Minute)) {
		t.Errorf("NextDue = %v %v %v", next, ok, err)
	}
	if got, _ := s.ClaimDue(ctx, t0.Add(24*time.Hour), time.Minute, 1); len(got) != 1 {
		t.Errorf("limit 1: %d claimed", len(got))
	}
}

// remove --purge deletes the posts only this source contributed, from every
// index, and keeps those another source also brought.
func TestStore_RemoveSourcePurge(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, t.TempDir())
	a, b := addSource(t, s, "https://a.test/feed"), addSource(t, s, "https://b.test/feed")
	for i, id := range []string{"only-a", "shared", "only-b", "unlinked"} {
		put(t, s, id, []string{"text " + id}, []int{i})
	}
	if err := s.SavePoll(ctx, a, []string{"only-a", "shared"}, nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.SavePoll(ctx, b, []string{"only-b", "shared"}, nil, nil); err != nil {
		t.Fatal(err)
	}
	n, err := s.RemoveSource(ctx, a.ID, true)
	if err != nil || n != 1 {
		t.Fatalf("RemoveSource(a, purge) = %d, %v; want 1", n, err)
	}
	ids, _ := s.PostIDs(ctx)
	if !slices.Equal(ids, []string{"only-b", "shared", "unlinked"}) {
		t.Errorf("posts after purge: %v", ids)
	}
	if _, err := s.Source(ctx, a.ID); semsearch.ErrorCode(err) != semsearch.ENotFound {
		t.Errorf("a still subscribed: %v", err)
	}
	if got, _ := s.Source(ctx, b.ID); got.Posts != 2 {
		t.Errorf("b posts = %d, want 2", got.Posts)
	}
	// Without purge the posts stay and only the subscription goes.
	if n, err := s.RemoveSource(ctx, b.ID, false); err != nil || n != 0 {
		t.Fatalf("RemoveSource(b) = %d, %v", n, err)
	}
	if ids, _ := s.PostIDs(ctx); len(ids) != 3 {
		t.Errorf("posts after plain remove: %v", ids)
	}
	if _, err := s.RemoveSource(ctx, b.ID, true); semsearch.ErrorCode(err) != semsearch.ENotFound {
		t.Errorf("remove twice: %v", err)
	}
	if err := s.Verify(ctx); err != nil {
		t.Error(err)
	}
}

func TestStore_DropPosts(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, t.TempDir())
	a, b := addSource(t, s, "/posts"), addSource(t, s, "https://b.test/feed")
	put(t, s, "f1", []string{"one"}, []int{0})
	put(t, s, "f2", []string{"two"}, []int{1})
	s.SavePoll(ctx, a, []string{"f1", "f2"}, nil, nil)
	s.SavePoll(ctx, b, []string{"f2"}, nil, nil)
	n, err := s.DropPosts(ctx, a.ID, []string{"f1", "f2"})
	if err != nil || n != 1 {
		t.Fatalf("DropPosts = %d, %v; want 1 (f2 is b's too)", n, err)
	}
	if ids, _ := s.PostIDs(ctx); !slices.Equal(ids, []string{"f2"}) {
		t.Errorf("posts: %v", ids)
	}
	if got, _ := s.Source(ctx, a.ID); got.Posts != 0 {
		t.Errorf("a still links %d posts", got.Posts)
	}
	if err := s.Verify(ctx); err != nil {
		t.Error(err)
	}
}

// A post deleted by hand (DELETE /api/posts/{id}) leaves no link behind.
func TestStore_DeletePostUnlinks(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, t.TempDir())
	a := addSource(t, s, "https://a.test/feed")
	put(t, s, "p", []string{"one"}, []int{0})
	s.SavePoll(ctx, a, []string{"p"}, nil, nil)
	if err := s.Delete(ctx, "p"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Source(ctx, a.ID); got.Posts != 0 {
		t.Errorf("posts = %d after delete", got.Posts)
	}
}

func TestStore_RegistryExportImport(t *testing.T) {
	ctx := context.Background()
	old := openTest(t, t.TempDir())
	a := addSource(t, old, "https://a.test/feed")
	put(t, old, "p", []string{"one"}, []int{0})
	a.ETag, a.Status = `"x"`, semsearch.StatusOK
	old.SavePoll(ctx, a, []string{"p"}, []semsearch.SourcePage{{URL: "u", PostIDs: []string{"p"}}}, nil)
	reg, err := old.ExportRegistry(ctx)
	if err != nil {
		t.Fatal(err)
	}
	fresh := openTest(t, t.TempDir())
	put(t, fresh, "p", []string{"one"}, []int{0})
	if err := fresh.ImportRegistry(ctx, reg); err != nil {
		t.Fatal(err)
	}
	got, err := fresh.Source(ctx, a.ID)
	want := a
	want.Posts = 1
	if err != nil || got != want {
		t.Errorf("imported %+v, %v\nwant %+v", got, err, want)
	}
	if pages, _ := fresh.SourcePages(ctx, a.ID); len(pages) != 1 {
		t.Errorf("pages %+v", pages)
	}
}

func TestStore_PostHashes(t *testing.T) {
	s := openTest(t, t.TempDir())
	put(t, s, "p", []string{"one"}, []int{0})
	var ids []string
	for i := 0; i < 1200; i++ { // more than one batch
		ids = append(ids, "nope"+string(rune('a'+i%26))+string(rune('a'+i/26)))
	}
	ids = append(ids, "p")
	got, err := s.PostHashes(context.Background(), ids)
	if err != nil || len(got) != 1 || got["p"] == "" {
		t.Errorf("PostHashes = %v, %v", got, err)
	}
}
