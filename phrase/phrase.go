// Package phrase asks an OpenAI-compatible chat endpoint (OpenAI, Ollama,
// llama.cpp server, vLLM, LocalAI...) to phrase an answer from the
// sentences package answer quoted. It is optional and off by default: the
// quoted sentences stay the answer, with their links; a phrasing is shown
// beside them, never instead, and only when it cites them.
package phrase

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	goopenai "github.com/sashabaranov/go-openai"

	"github.com/semsearch/semsearch"
)

// Defaults for the zero fields of Config.
const (
	DefaultTimeout   = 20 * time.Second
	DefaultMaxTokens = 200
)

// maxRunes caps a phrasing: a server that ignores max_tokens cannot fill
// the page.
const maxRunes = 1200

// maxReplyBytes caps the chat server's response body: past it the reply is
// an error, not read into memory.
const maxReplyBytes = 1 << 20

// Config describes the chat endpoint.
type Config struct {
	// BaseURL is the API root; requests go to BaseURL + "/chat/completions",
	// so it usually ends in "/v1" (e.g. "http://127.0.0.1:11434/v1").
	BaseURL   string
	APIKey    string        // sent as "Authorization: Bearer"; empty sends none
	Model     string        // required
	Timeout   time.Duration // bounds one phrasing; 0 means DefaultTimeout
	MaxTokens int           // of the reply; 0 means DefaultMaxTokens
	// HTTPClient sends the requests; nil means a plain client.
	HTTPClient *http.Client
}

// Phraser phrases answers. It is safe for concurrent use.
type Phraser struct {
	cfg Config
	api *goopenai.Client
	url string // BaseURL with any password redacted, for messages
}

// New validates cfg; it does no I/O.
func New(cfg Config) (*Phraser, error) {
	if strings.TrimSpace(cfg.Model) == "" {
		return nil, errors.New("chat endpoint: no model name configured")
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("chat endpoint: base URL %q is not an http(s) URL", cfg.BaseURL)
	}
	if cfg.Timeout < 0 || cfg.MaxTokens < 0 {
		return nil, errors.New("chat endpoint: negative timeout or max tokens")
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxTokens == 0 {
		cfg.MaxTokens = DefaultMaxTokens
	}
	oc := goopenai.DefaultConfig(cfg.APIKey)
	oc.BaseURL = cfg.BaseURL
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{}
	}
	oc.HTTPClient = limitedDoer{hc}
	return &Phraser{cfg: cfg, api: goopenai.NewClientWithConfig(oc), url: u.Redacted()}, nil
}

// limitedDoer sends with c and bounds every response body to
// maxReplyBytes.
type limitedDoer struct{ c *http.Client }

func (d limitedDoer) Do(req *http.Request) (*http.Response, error) {
	resp, err := d.c.Do(req)
	if resp != nil {
		resp.Body = http.MaxBytesReader(nil, resp.Body, maxReplyBytes)
	}
	return resp, err
}

// Model is the chat model's name, as the page credits it.
func (p *Phraser) Model() string { return p.cfg.Model }

// noAnswer is what the model is told to reply when the quotes do not
// answer.
const noAnswer = "NO ANSWER"

const instructions = `You answer a reader's question about blog posts using only the numbered quotes given, which come from those posts.
Reply in at most three sentences, in plain text. After each claim, cite the quotes it rests on as [1], [2].
Do not add facts that are not in the quotes. If the quotes do not answer the question, reply exactly: ` + noAnswer

// Phrase asks the model to answer question from sents (numbered from 1,
// in order) and returns its reply, or "" when it finds no answer there or
// cites none of the quotes (a reply that cites nothing is not grounded in
// them). Citations of quotes that do not exist are removed.
func (p *Phraser) Phrase(ctx context.Context, question string, sents []semsearch.AnswerSentence) (string, error) {
	if len(sents) == 0 {
		return "", nil
	}
	ctx, cancel := context.WithTimeout(ctx, p.cfg.Timeout)
	defer cancel()
	resp, err := p.api.CreateChatCompletion(ctx, goopenai.ChatCompletionRequest{
		Model:       p.cfg.Model,
		Temperature: 0,
		MaxTokens:   p.cfg.MaxTokens,
		Messages: []goopenai.ChatCompletionMessage{
			{Role: goopenai.ChatMessageRoleSystem, Content: instructions},
			{Role: goopenai.ChatMessageRoleUser, Content: prompt(question, sents)},
		},
	})
	if err != nil {
		return "", fmt.Errorf("phrase the answer with %s at %s: %w", p.cfg.Model, p.url, err)
	}
	if len(resp.Choices) == 0 {
		return "", fmt.Errorf("phrase the answer with %s at %s: the reply has no choices", p.cfg.Model, p.url)
	}
	return clean(resp.Choices[0].Message.Content, len(sents)), nil
}

// prompt lists the quotes, each with the title of its post, then the
// question.
func prompt(question string, sents []semsearch.AnswerSentence) string {
	var b strings.Builder
	b.WriteString("Quotes:\n")
	for i, s := range sents {
		fmt.Fprintf(&b, "[%d] (from %q) %s\n", i+1, s.Title, s.Text)
	}
	fmt.Fprintf(&b, "\nQuestion: %s", question)
	return b.String()
}

var citation = regexp.MustCompile(`\[(\d{1,3})\]`)

// clean trims a reply, cuts a long one at maxRunes, removes citations of
// quotes beyond n (again until none is left: removing "[7]" from "[1[7]2]"
// makes "[12]"), and returns "" for a refusal or a reply citing no quote.
func clean(reply string, n int) string {
	reply = strings.TrimSpace(strings.ToValidUTF8(reply, ""))
	if strings.HasPrefix(strings.ToUpper(reply), noAnswer) {
		return ""
	}
	if utf8.RuneCountInString(reply) > maxRunes {
		reply = string([]rune(reply)[:maxRunes]) + "…"
	}
	valid := func(m string) bool {
		k, err := strconv.Atoi(m[1 : len(m)-1])
		return err == nil && k >= 1 && k <= n
	}
	for {
		next := citation.ReplaceAllStringFunc(reply, func(m string) string {
			if valid(m) {
				return m
			}
			return ""
		})
		if next == reply {
			break
		}
		reply = next
	}
	if !citation.MatchString(reply) {
		return ""
	}
	return strings.TrimSpace(reply)
}
