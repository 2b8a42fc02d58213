package storetest_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/semsearch/semsearch/index"
	"github.com/semsearch/semsearch/index/storetest"
)

func TestEmbeddedConforms(t *testing.T) {
	storetest.Run(t, func(t *testing.T, name string) storetest.Store {
		s, err := index.Open(context.Background(), filepath.Join(t.TempDir(), name), "test-model", storetest.Dims)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}
