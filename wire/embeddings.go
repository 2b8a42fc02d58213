package wire

import "encoding/json"

// EmbeddingRequest is the OpenAI-compatible POST /v1/embeddings body.
// Input is a string or an array of strings (token arrays are refused: the
// server cannot know the caller's tokenizer). Model may be anything; the
// response names the model actually served. Dimensions, when set, must equal
// the served model's. EncodingFormat is "float" (default) or "base64"
// (little-endian float32).
type EmbeddingRequest struct {
	Input          json.RawMessage `json:"input"`
	Model          string          `json:"model"`
	EncodingFormat string          `json:"encoding_format"`
	Dimensions     int             `json:"dimensions"`
	User           string          `json:"user"`
}

// EmbeddingResponse is the OpenAI-compatible response body.
type EmbeddingResponse struct {
	Object string           `json:"object"` // "list"
	Data   []EmbeddingDatum `json:"data"`
	Model  string           `json:"model"`
	Usage  EmbeddingUsage   `json:"usage"`
}

// EmbeddingDatum holds one vector, as []float32 or a base64 string.
type EmbeddingDatum struct {
	Object    string `json:"object"` // "embedding"
	Index     int    `json:"index"`
	Embedding any    `json:"embedding"`
}

// EmbeddingUsage counts tokens (as the served model's tokenizer counts
// them when it can, else estimated from words).
type EmbeddingUsage struct {
	PromptTokens int `json:"prompt_tokens"`
	TotalTokens  int `json:"total_tokens"`
}
