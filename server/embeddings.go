package server

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"math"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/semsearch/semsearch"
	"github.com/semsearch/semsearch/wire"
)

// maxEmbeddingInputs bounds the inputs of one /v1/embeddings request.
const maxEmbeddingInputs = 256

// tokenCounter is implemented by embedders that know their tokenizer
// (embed/local).
type tokenCounter interface {
	CountTokens(text string) int
}

func (s *Server) embeddings(c echo.Context) error {
	var req wire.EmbeddingRequest
	if err := decodeJSON(c, &req, false); err != nil {
		return err
	}
	inputs, err := embeddingInputs(req.Input)
	if err != nil {
		return err
	}
	switch req.EncodingFormat {
	case "", "float", "base64":
	default:
		return invalidf("encoding_format must be \"float\" or \"base64\", got %q", req.EncodingFormat)
	}
	emb := s.svc.Embedder
	if emb == nil {
		return semsearch.Errorf(semsearch.EUnavailable, "no embedding model is loaded")
	}
	if req.Dimensions != 0 && req.Dimensions != emb.Dims() {
		return invalidf("dimensions %d not supported: model %s produces %d", req.Dimensions, emb.Model(), emb.Dims())
	}
	vecs, err := emb.EmbedPassages(c.Request().Context(), inputs)
	if err != nil {
		return err
	}
	if len(vecs) != len(inputs) {
		return semsearch.Errorf(semsearch.EInternal, "embedder returned %d vectors for %d inputs", len(vecs), len(inputs))
	}
	resp := wire.EmbeddingResponse{Object: "list", Model: emb.Model(), Data: make([]wire.EmbeddingDatum, len(vecs))}
	for i, v := range vecs {
		var out any = v
		if req.EncodingFormat == "base64" {
			out = encodeFloat32s(v)
		}
		resp.Data[i] = wire.EmbeddingDatum{Object: "embedding", Index: i, Embedding: out}
	}
	tokens := countTokens(emb, inputs)
	resp.Usage = wire.EmbeddingUsage{PromptTokens: tokens, TotalTokens: tokens}
	return c.JSON(http.StatusOK, resp)
}

// embeddingInputs accepts a string or a non-empty array of non-empty
// strings, at most maxEmbeddingInputs.
func embeddingInputs(raw json.RawMessage) ([]string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, invalidf("input is required: a string or an array of strings")
	}
	var inputs []string
	if raw[0] == '"' {
		var one string
		if err := json.Unmarshal(raw, &one); err != nil {
			return nil, invalidf("input: %v", err)
		}
		inputs = []string{one}
	} else if err := json.Unmarshal(raw, &inputs); err != nil {
		return nil, invalidf("input must be a string or an array of strings (token arrays are not supported)")
	}
	if len(inputs) == 0 {
		return nil, invalidf("input is empty")
	}
	if len(inputs) > maxEmbeddingInputs {
		return nil, invalidf("too many inputs: %d, at most %d per request", len(inputs), maxEmbeddingInputs)
	}
	for i, in := range inputs {
		if strings.TrimSpace(in) == "" {
			return nil, invalidf("input[%d] is empty", i)
		}
		if err := semsearch.CheckText("input", in, semsearch.MaxTextRunes); err != nil {
			return nil, err
		}
	}
	return inputs, nil
}

// encodeFloat32s is the OpenAI base64 encoding: little-endian float32s.
func encodeFloat32s(v []float32) string {
	buf := make([]byte, 4*len(v))
	for i, f := range v {
		binary.LittleEndian.PutUint32(buf[4*i:], math.Float32bits(f))
	}
	return base64.StdEncoding.EncodeToString(buf)
}

func countTokens(emb semsearch.Embedder, inputs []string) int {
	n := 0
	tc, exact := emb.(tokenCounter)
	for _, in := range inputs {
		if exact {
			n += tc.CountTokens(in)
			continue
		}
		// About 4 tokens per 3 words for English subword tokenizers.
		n += (4*len(strings.Fields(in)) + 2) / 3
	}
	return n
}
