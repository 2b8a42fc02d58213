//go:build !unix

package vecindex

import "time"

// cpuTime is unknown here: the benchmarks then report 0 CPU.
func cpuTime() time.Duration { return 0 }
