//go:build !unix

package app

// dirLock is a no-op where flock(2) does not exist: there, do not reindex
// while a server or ingest is using the data dir.
type dirLock struct{}

func lockDir(string, bool) (*dirLock, error) { return &dirLock{}, nil }

func (*dirLock) unlock() error { return nil }
