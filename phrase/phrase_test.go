package phrase

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/semsearch/semsearch"
)

var quotes = []semsearch.AnswerSentence{
	{Text: "Writes are not durable until fsync returns.", Title: "Fsync and you"},
	{Text: "Rename is atomic on POSIX file systems.", Title: "Atomic files"},
}

// chatServer answers /v1/chat/completions with reply (or status, when not
// 200) and records the requests it got.
func chatServer(t *testing.T, status int, reply string, got *[]map[string]any) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/chat/completions" || r.Method != http.MethodPost {
			http.NotFound(w, r)
			return
		}
		var body map[string]any
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			t.Errorf("request body: %v", err)
		}
		if got != nil {
			*got = append(*got, body)
		}
		if status != http.StatusOK {
			http.Error(w, `{"error":{"message":"model overloaded","type":"server_error"}}`, status)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"id": "c1", "object": "chat.completion", "model": body["model"],
			"choices": []any{map[string]any{"index": 0, "finish_reason": "stop",
				"message": map[string]any{"role": "assistant", "content": reply}}},
		})
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestPhrase(t *testing.T) {
	tests := []struct {
		name  string
		reply string
		want  string
	}{
		{"cites the quotes", " Only after fsync returns [1]; rename is atomic [2]. ", "Only after fsync returns [1]; rename is atomic [2]."},
		{"declines", "NO ANSWER", ""},
		{"declines in lower case, with a reason", "no answer. The quotes are about files.", ""},
		{"cites nothing", "Writes are durable after fsync.", ""},
		{"cites a quote that does not exist", "After fsync [1][7].", "After fsync [1]."},
		{"cites only quotes that do not exist", "After fsync [3].", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var reqs []map[string]any
			srv := chatServer(t, http.StatusOK, tc.reply, &reqs)
			p, err := New(Config{BaseURL: srv.URL + "/v1/", Model: "tiny-chat", APIKey: "k"})
			if err != nil {
				t.Fatal(err)
			}
			got, err := p.Phrase(context.Background(), "is a write durable?", quotes)
			if err != nil || got != tc.want {
				t.Fatalf("Phrase = %q, %v; want %q", got, err, tc.want)
			}
			if len(reqs) != 1 {
				t.Fatalf("%d requests", len(reqs))
			}
			req := reqs[0]
			msgs, _ := json.Marshal(req["messages"])
			for _, want := range []string{"[1] (from \\\"Fsync and you\\\") Writes are not durable", "[2] (from \\\"Atomic files\\\")", "Question: is a write durable?", "NO ANSWER"} {
				if !strings.Contains(string(msgs), want) {
					t.Errorf("messages %s lack %s", msgs, want)
				}
			}
			if req["model"] != "tiny-chat" || req["max_tokens"] != float64(DefaultMaxTokens) {
				t.Errorf("request %v", req)
			}
		})
	}
}

func TestPhrase_LongReplyIsCut(t *testing.T) {
	srv := chatServer(t, http.StatusOK, "[1] "+strings.Repeat("é", 3*maxRunes), nil)
	p, _ := New(Config{BaseURL: srv.URL + "/v1", Model: "m"})
	got, err := p.Phrase(context.Background(), "q", quotes)
	if err != nil || utf8.RuneCountInString(got) != maxRunes+1 || !strings.HasSuffix(got, "…") {
		t.Fatalf("%d runes, %v", utf8.RuneCountInString(got), err)
	}
}

func TestPhrase_Failures(t *testing.T) {
	t.Run("server error", func(t *testing.T) {
		srv := chatServer(t, http.StatusInternalServerError, "", nil)
		p, _ := New(Config{BaseURL: "http://user:secret@" + strings.TrimPrefix(srv.URL, "http://") + "/v1", Model: "m"})
		_, err := p.Phrase(context.Background(), "q", quotes)
		if err == nil || !strings.Contains(err.Error(), "phrase the answer with m") || strings.Contains(err.Error(), "secret") {
			t.Fatalf("error %v", err)
		}
	})
	t.Run("slow server", func(t *testing.T) {
		// The handler holds the request until the client gives up (it
		// reads the body first: only then does the server notice a client
		// that hangs up) or the test ends.
		done := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			select {
			case <-r.Context().Done():
			case <-done:
			}
		}))
		defer srv.Close()
		defer close(done)
		p, _ := New(Config{BaseURL: srv.URL + "/v1", Model: "m", Timeout: 50 * time.Millisecond})
		_, err := p.Phrase(context.Background(), "q", quotes)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("error %v, want the deadline", err)
		}
	})
	t.Run("huge reply", func(t *testing.T) {
		srv := chatServer(t, http.StatusOK, "[1] "+strings.Repeat("x", 2*maxReplyBytes), nil)
		p, _ := New(Config{BaseURL: srv.URL + "/v1", Model: "m"})
		var tooBig *http.MaxBytesError
		if got, err := p.Phrase(context.Background(), "q", quotes); !errors.As(err, &tooBig) || got != "" {
			t.Fatalf("%d bytes, error %v; want the body limit", len(got), err)
		}
	})
	t.Run("no quotes: no request", func(t *testing.T) {
		var reqs []map[string]any
		srv := chatServer(t, http.StatusOK, "[1]", &reqs)
		p, _ := New(Config{BaseURL: srv.URL + "/v1", Model: "m"})
		if got, err := p.Phrase(context.Background(), "q", nil); got != "" || err != nil || len(reqs) != 0 {
			t.Fatalf("%q %v, %d requests", got, err, len(reqs))
		}
	})
}

func TestNew_Refuses(t *testing.T) {
	for _, cfg := range []Config{
		{BaseURL: "http://127.0.0.1:1/v1"},
		{BaseURL: "ftp://127.0.0.1/v1", Model: "m"},
		{BaseURL: "127.0.0.1:1", Model: "m"},
		{BaseURL: "http://127.0.0.1:1/v1", Model: "m", Timeout: -time.Second},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) accepted", cfg)
		}
	}
}

// FuzzClean: whatever a model replies, the phrasing kept is valid UTF-8,
// bounded, and cites only quotes that exist.
func FuzzClean(f *testing.F) {
	f.Add("After fsync [1][7].", 2)
	f.Add("NO ANSWER", 1)
	f.Add("[0] [1] [01] [999]\xff", 3)
	f.Fuzz(func(t *testing.T, reply string, n int) {
		n = max(0, min(n, 5))
		got := clean(reply, n)
		if !utf8.ValidString(got) || utf8.RuneCountInString(got) > maxRunes+1 {
			t.Fatalf("clean(%q) = %q", reply, got)
		}
		if got == "" {
			return
		}
		ms := citation.FindAllStringSubmatch(got, -1)
		if len(ms) == 0 {
			t.Fatalf("clean(%q, %d) = %q cites nothing", reply, n, got)
		}
		for _, m := range ms {
			if k, err := strconv.Atoi(m[1]); err != nil || k < 1 || k > n {
				t.Fatalf("clean(%q, %d) = %q cites [%s]", reply, n, got, m[1])
			}
		}
	})
}
