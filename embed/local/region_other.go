//go:build !unix

package local

// Without mmap, regions are ordinary heap memory.
func mapMemory(n int) ([]byte, error) { return make([]byte, n), nil }

func unmapMemory([]byte) {}
