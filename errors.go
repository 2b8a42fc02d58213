package semsearch

import (
	"errors"
	"fmt"
)

// Error kinds, mapped to HTTP status codes in exactly one place (server).
const (
	EInvalid     = "invalid"     // 400
	ENotFound    = "not_found"   // 404
	EConflict    = "conflict"    // 409
	ETooLarge    = "too_large"   // 413
	EUnavailable = "unavailable" // 503
	EUpstream    = "upstream"    // 502: a remote source failed
	EInternal    = "internal"    // 500
)

// Error is an error meant for the caller: Message is safe to show.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Message }

// Errorf returns an *Error of the given kind.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the kind of err: the code of the first *Error in its
// chain, else EInternal.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrorMessage returns the caller-safe message of err, or a generic one
// for internal errors (whose details are logged, not shown).
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}
