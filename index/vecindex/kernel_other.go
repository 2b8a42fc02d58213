//go:build !amd64 || purego

package vecindex

// Only the portable kernel exists off amd64 (and with -tags purego).
func kernels() []kernel { return []kernel{goKernel} }
