//go:build !unix

package local

// processCPU is unknown here; the benchmark then omits chunks/cpu_s.
func processCPU() float64 { return 0 }
