//go:build !amd64

package kernels

// Only the portable kernels exist off amd64.
func available() []kernelSet { return []kernelSet{goKernels} }
