package app

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/answer"
	"github.com/semsearch/semsearch/internal/fakeembed"
	"github.com/semsearch/semsearch/querylog"
)

// TestApp_AskLogsQuestions: with the query log on, every question asked is
// logged (question, answered, confidence, best posts), and Gaps groups
// the ones without an answer.
func TestApp_AskLogsQuestions(t *testing.T) {
	fake := fakeembed.New()
	defer fake.Close()
	ctx := context.Background()
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	dir := filepath.Join(t.TempDir(), "data")
	a, err := Open(ctx, Config{
		DataDir: dir, EmbedURL: fake.URL + "/v1", EmbedModel: "fake", EmbedDims: fakeembed.Dims,
		QueryLog: true, Answer: answer.Options{Now: func() time.Time { return now }},
		// Abstain always: every question is a gap.
		QueryLogRetention: querylog.Retention{MaxEntries: 100},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	a.answerer = answer.New(a.searcher, a.store, a.raw, answer.Options{
		Now: a.now, Calibration: answer.Calibration{Bias: -10, Slope: 1, Threshold: 0.9},
	})
	if _, err := a.IngestPosts(ctx, "test", []semsearch.Post{versionedPost(1, 1)}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"quasar telescopes", "Quasar  telescopes", "quasar telescopes?"} {
		ans, err := a.Ask(ctx, semsearch.Query{Text: q, K: 3})
		if err != nil {
			t.Fatal(err)
		}
		if ans.Answered {
			t.Fatalf("%q answered despite the threshold", q)
		}
	}
	logged, err := querylog.Read(querylog.Path(dir), time.Time{})
	if err != nil || len(logged) != 3 || !logged[0].Time.Equal(now) || len(logged[0].Posts) != 1 {
		t.Fatalf("logged %+v (%v)", logged, err)
	}
	gs, err := a.Gaps(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(gs) == 0 || gs[0].Count < 2 || gs[0].Closest[0].ID != "https://example.com/posts/1" {
		t.Errorf("gaps %+v", gs)
	}
}
