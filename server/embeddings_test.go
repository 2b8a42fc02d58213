package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/semsearch/semsearch/server"
	"github.com/semsearch/semsearch/server/servertest"
	"github.com/semsearch/semsearch/wire"

	"github.com/semsearch/semsearch/internal/testenv"
)

var testInputs = []string{"Writes are not durable until fsync returns.", "Ünïcode ✓ and emoji 🚀", "third"}

func openAIClient(ts *httptest.Server) *openai.Client {
	cfg := openai.DefaultConfig("unused-key")
	cfg.BaseURL = ts.URL + "/v1"
	cfg.HTTPClient = ts.Client()
	return openai.NewClientWithConfig(cfg)
}

func closeEnough(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Abs(float64(a[i]-b[i])) > 1e-6 {
			return false
		}
	}
	return true
}

// TestEmbeddings_GoOpenAI calls /v1/embeddings with the go-openai client
// over a real connection, in both encodings, and checks the vectors are
// exactly what the embedder produced.
func TestEmbeddings_GoOpenAI(t *testing.T) {
	h := newHarness(t, server.Config{})
	ts := httptest.NewServer(h.srv.Handler())
	defer ts.Close()
	client := openAIClient(ts)
	emb := servertest.Embedder{N: 8}
	for _, format := range []openai.EmbeddingEncodingFormat{"", openai.EmbeddingEncodingFormatFloat, openai.EmbeddingEncodingFormatBase64} {
		t.Run("format="+string(format), func(t *testing.T) {
			resp, err := client.CreateEmbeddings(t.Context(), openai.EmbeddingRequestStrings{
				Input: testInputs, Model: "whatever-the-client-asks", EncodingFormat: format,
			})
			if err != nil {
				t.Fatal(err)
			}
			if resp.Object != "list" || string(resp.Model) != "fake-embed-v1" || len(resp.Data) != len(testInputs) {
				t.Fatalf("response object %q model %q, %d data", resp.Object, resp.Model, len(resp.Data))
			}
			for i, d := range resp.Data {
				if d.Index != i || d.Object != "embedding" {
					t.Errorf("data[%d] index %d object %q", i, d.Index, d.Object)
				}
				if !closeEnough(d.Embedding, emb.Vector(testInputs[i])) {
					t.Errorf("data[%d] = %v, want %v", i, d.Embedding, emb.Vector(testInputs[i]))
				}
			}
			if resp.Usage.PromptTokens <= 0 || resp.Usage.TotalTokens != resp.Usage.PromptTokens {
				t.Errorf("usage %+v", resp.Usage)
			}
		})
	}
	t.Run("single string", func(t *testing.T) {
		resp, err := client.CreateEmbeddings(t.Context(), openai.EmbeddingRequest{Input: "just one", Model: "m"})
		if err != nil {
			t.Fatal(err)
		}
		if len(resp.Data) != 1 || !closeEnough(resp.Data[0].Embedding, emb.Vector("just one")) {
			t.Errorf("data %+v", resp.Data)
		}
	})
	t.Run("dimensions mismatch", func(t *testing.T) {
		_, err := client.CreateEmbeddings(t.Context(), openai.EmbeddingRequest{Input: "x", Model: "m", Dimensions: 4})
		var apiErr *openai.APIError
		if !errors.As(err, &apiErr) || apiErr.HTTPStatusCode != 400 || !strings.Contains(apiErr.Message, "dimensions") {
			t.Errorf("err %v, want a 400 APIError about dimensions", err)
		}
	})
	t.Run("matching dimensions", func(t *testing.T) {
		if _, err := client.CreateEmbeddings(t.Context(), openai.EmbeddingRequest{Input: "x", Model: "m", Dimensions: 8}); err != nil {
			t.Error(err)
		}
	})
}

func TestEmbeddings_Validation(t *testing.T) {
	h := newHarness(t, server.Config{})
	many, _ := json.Marshal(make([]string, 257))
	manyOK, _ := json.Marshal(strings.Split(strings.Repeat("w,", 255)+"w", ","))
	tests := []struct {
		name   string
		body   string
		status int
	}{
		{"string", `{"input":"a","model":"m"}`, 200},
		{"256 inputs", `{"input":` + string(manyOK) + `}`, 200},
		{"extra fields ignored", `{"input":"a","model":"m","user":"u","something_new":1}`, 200},
		{"missing input", `{"model":"m"}`, 400},
		{"null input", `{"input":null}`, 400},
		{"empty string", `{"input":""}`, 400},
		{"empty array", `{"input":[]}`, 400},
		{"empty element", `{"input":["a",""]}`, 400},
		{"token array", `{"input":[1,2,3]}`, 400},
		{"token arrays", `{"input":[[1,2],[3]]}`, 400},
		{"257 inputs", `{"input":` + string(many) + `}`, 400},
		{"bad format", `{"input":"a","encoding_format":"int8"}`, 400},
		{"dimensions", `{"input":"a","dimensions":1536}`, 400},
		{"not json", `input=a`, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := h.do(t, http.MethodPost, "/v1/embeddings", tt.body)
			wantStatus(t, rec, tt.status)
			if tt.status != 200 {
				if e := errorOf(t, rec); e.Code != "invalid" {
					t.Errorf("code %q", e.Code)
				}
				return
			}
			resp := decode[wire.EmbeddingResponse](t, rec)
			if resp.Object != "list" || len(resp.Data) == 0 {
				t.Errorf("response %s", rec.Body.String())
			}
		})
	}
}

// TestEmbeddings_PythonOpenAI runs testdata/openai_client_test.py, which
// uses the official openai Python package against the server.
func TestEmbeddings_PythonOpenAI(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err == nil {
		err = exec.Command(python, "-c", "import openai").Run()
	}
	testenv.Need(t, err == nil, "python3 with the openai package (pip install openai): %v", err)
	h := newHarness(t, server.Config{})
	var mu sync.Mutex
	formats := map[string]int{} // encoding_format values the client sent
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var req struct {
			EncodingFormat *string `json:"encoding_format"`
		}
		if json.Unmarshal(body, &req) == nil && req.EncodingFormat != nil {
			mu.Lock()
			formats[*req.EncodingFormat]++
			mu.Unlock()
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		h.srv.Handler().ServeHTTP(w, r)
	}))
	defer ts.Close()

	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, filepath.Join("testdata", "openai_client_test.py"))
	inputs, _ := json.Marshal(testInputs)
	cmd.Env = append(os.Environ(),
		"SEMSEARCH_URL="+ts.URL+"/v1",
		"SEMSEARCH_INPUTS="+string(inputs),
		"OPENAI_API_KEY=unused",
	)
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("python client failed: %v\n%s", err, ee.Stderr)
		}
		t.Fatal(err)
	}
	var got struct {
		Model  string                 `json:"model"`
		Float  [][]float32            `json:"float"`
		Base64 [][]float32            `json:"base64"`
		Usage  map[string]int         `json:"usage"`
		Errors map[string]json.Number `json:"errors"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("python output %q: %v", out, err)
	}
	emb := servertest.Embedder{N: 8}
	if got.Model != "fake-embed-v1" {
		t.Errorf("model %q", got.Model)
	}
	for i, in := range testInputs {
		want := emb.Vector(in)
		if i >= len(got.Float) || !closeEnough(got.Float[i], want) {
			t.Errorf("float[%d] = %v, want %v", i, got.Float, want)
		}
		if i >= len(got.Base64) || !closeEnough(got.Base64[i], want) {
			t.Errorf("base64[%d] = %v, want %v", i, got.Base64, want)
		}
	}
	if got.Usage["prompt_tokens"] <= 0 {
		t.Errorf("usage %v", got.Usage)
	}
	mu.Lock()
	if formats["base64"] == 0 || formats["float"] == 0 {
		t.Errorf("encodings requested by the python client: %v, want both float and base64 exercised", formats)
	}
	mu.Unlock()
	if got.Errors["dimensions"] != "400" {
		t.Errorf("dimensions mismatch: python client saw status %v, want 400", got.Errors["dimensions"])
	}
}

// FuzzEmbeddingsBody: any body gets a 200 with one vector per input, or a
// 400 in the error shape; never a panic or a 500.
func FuzzEmbeddingsBody(f *testing.F) {
	h := newHarness(f, server.Config{})
	for _, s := range []string{`{"input":"a"}`, `{"input":["a","b"],"encoding_format":"base64"}`, `{"input":[1,2]}`, `{"input":null}`, `{"input":"a","dimensions":8}`, `[`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		if body == "" {
			return
		}
		rec := h.do(t, http.MethodPost, "/v1/embeddings", body)
		switch rec.Code {
		case 200:
			var req struct {
				Input json.RawMessage `json:"input"`
			}
			_ = json.Unmarshal([]byte(body), &req)
			resp := decode[wire.EmbeddingResponse](t, rec)
			want := 1
			var many []string
			if json.Unmarshal(req.Input, &many) == nil {
				want = len(many)
			}
			if len(resp.Data) != want {
				t.Fatalf("%d vectors for %d inputs: %s", len(resp.Data), want, body)
			}
		case 400:
			errorOf(t, rec)
		default:
			t.Fatalf("status %d for %q: %s", rec.Code, body, rec.Body.String())
		}
	})
}
