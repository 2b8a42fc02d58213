package app

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/answer"
	"github.com/semsearch/semsearch/internal/fakeembed"
	"github.com/semsearch/semsearch/phrase"
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

// TestApp_AskPhrases: with a chat endpoint configured, an answered
// question gets a phrasing that cites its sentences; a failing endpoint
// leaves the quoted answer as it is; an unanswered one asks nothing.
func TestApp_AskPhrases(t *testing.T) {
	fake := fakeembed.New()
	defer fake.Close()
	var calls atomic.Int32
	status := atomic.Int32{}
	status.Store(http.StatusOK)
	chat := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		io.Copy(io.Discard, r.Body)
		if s := int(status.Load()); s != http.StatusOK {
			http.Error(w, `{"error":{"message":"down"}}`, s)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"choices":[{"index":0,"message":{"role":"assistant","content":"Quasars are far away [1]."}}]}`)
	}))
	defer chat.Close()
	ctx := context.Background()
	a, err := Open(ctx, Config{
		DataDir: filepath.Join(t.TempDir(), "data"), EmbedURL: fake.URL + "/v1", EmbedModel: "fake", EmbedDims: fakeembed.Dims,
		Chat: phrase.Config{BaseURL: chat.URL + "/v1", Model: "tiny-chat"},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if _, err := a.IngestPosts(ctx, "test", []semsearch.Post{versionedPost(1, 1)}); err != nil {
		t.Fatal(err)
	}
	answerWith := func(c answer.Calibration) {
		a.answerer = answer.New(a.searcher, a.store, a.raw, answer.Options{Now: a.now, Calibration: c})
	}
	always, never := answer.Calibration{Bias: 10, Slope: 1, Threshold: 0.1}, answer.Calibration{Bias: -10, Slope: 1, Threshold: 0.9}
	tests := []struct {
		name      string
		cal       answer.Calibration
		status    int
		wantText  string
		wantCalls int32
	}{
		{"phrased", always, http.StatusOK, "Quasars are far away [1].", 1},
		{"endpoint down: quoted answer only", always, http.StatusServiceUnavailable, "", 1},
		{"unanswered: no request", never, http.StatusOK, "", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			answerWith(tc.cal)
			status.Store(int32(tc.status))
			before := calls.Load()
			ans, err := a.Ask(ctx, semsearch.Query{Text: "quasar telescopes", K: 3})
			if err != nil {
				t.Fatal(err)
			}
			if got := calls.Load() - before; got != tc.wantCalls {
				t.Errorf("%d chat requests, want %d", got, tc.wantCalls)
			}
			if tc.wantText == "" {
				if ans.Phrased != nil {
					t.Errorf("phrased %+v", ans.Phrased)
				}
			} else if ans.Phrased == nil || ans.Phrased.Text != tc.wantText || ans.Phrased.Model != "tiny-chat" {
				t.Errorf("phrased %+v, want %q by tiny-chat", ans.Phrased, tc.wantText)
			}
			if tc.cal == always && (!ans.Answered || len(ans.Sentences) == 0) {
				t.Errorf("the quoted answer is gone: %+v", ans)
			}
		})
	}
}

// A chat endpoint without a model name is refused at Open, not at the
// first question.
func TestOpen_RefusesChatWithoutModel(t *testing.T) {
	fake := fakeembed.New()
	defer fake.Close()
	_, err := Open(context.Background(), Config{
		DataDir: filepath.Join(t.TempDir(), "data"), EmbedURL: fake.URL + "/v1", EmbedModel: "fake", EmbedDims: fakeembed.Dims,
		Chat: phrase.Config{BaseURL: "http://127.0.0.1:1/v1"},
	})
	if err == nil || !strings.Contains(err.Error(), "no model name") {
		t.Fatalf("Open: %v", err)
	}
}
