//go:build !linux

package weaviatetest

import "errors"

func loopbackUp() error { return errors.New("network namespaces need Linux") }
