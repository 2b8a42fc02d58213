package openapitest

import (
	"bytes"
	"encoding/json"
)

// jsonDecode decodes one JSON value with numbers kept exact.
func jsonDecode(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return dec.Decode(v)
}
