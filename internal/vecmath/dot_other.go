//go:build !amd64 || purego

package vecmath

// Only the portable version exists off amd64 (and with -tags purego).
func kernels() []dotKernel { return []dotKernel{goKernel} }
