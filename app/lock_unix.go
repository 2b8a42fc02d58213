//go:build unix

package app

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"github.com/semsearch/semsearch"
)

// lockFile is the data dir's lock: every open App holds it shared and
// Reindex holds it exclusive. A reindex swaps the database file; a server or
// ingest still holding the old file would go on writing to it, and what it
// wrote would be lost. The kernel drops the lock when a process dies, so a
// crash never leaves it stale.
const lockFile = ".lock"

type dirLock struct{ f *os.File }

func lockDir(dir string, exclusive bool) (*dirLock, error) {
	path := filepath.Join(dir, lockFile)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open lock %s: %w", path, err)
	}
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	if err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB); err != nil {
		f.Close()
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if exclusive {
			return nil, semsearch.Errorf(semsearch.EConflict, "%s is in use by another semsearch process (a running serve or ingest): stop it, then reindex", dir)
		}
		return nil, semsearch.Errorf(semsearch.EConflict, "%s is being reindexed by another semsearch process: try again when it has finished", dir)
	}
	return &dirLock{f: f}, nil
}

func (l *dirLock) unlock() error {
	if l.f == nil { // no directory (a cluster backend)
		return nil
	}
	return l.f.Close() // closing the descriptor releases the flock
}
