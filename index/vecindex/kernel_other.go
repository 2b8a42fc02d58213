//go:build !amd64

package vecindex

// Only the portable kernel exists off amd64.
func kernels() []kernel { return []kernel{goKernel} }
