package openai

import (
	"github.com/semsearch/semsearch"
)

// providerError is a failure of the embedding server, with a message fit
// for an operator ("embedding server at URL rejected the API key (401)").
// To API callers (semsearch.ErrorMessage) it reads as the generic
// unavailable error: server URLs and upstream messages are not theirs to
// see.
type providerError struct {
	msg       string
	cause     error
	retryable bool
	wait      retryAfter // asked for by the server, if any
}

func (e *providerError) Error() string { return e.msg }

func (e *providerError) Unwrap() []error {
	unavailable := semsearch.Errorf(semsearch.EUnavailable, "the embedding service is unavailable")
	if e.cause == nil {
		return []error{unavailable}
	}
	return []error{e.cause, unavailable}
}
