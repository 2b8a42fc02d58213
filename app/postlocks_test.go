package app

import (
	"context"
	"testing"
)

func TestPostLocks_DisjointSetsDoNotWait(t *testing.T) {
	l := newPostLocks()
	ctx := context.Background()
	unlockA, err := l.lock(ctx, []string{"a", "b"})
	if err != nil {
		t.Fatal(err)
	}
	unlockC, err := l.lock(ctx, []string{"c"}) // would block forever if it waited for a/b
	if err != nil {
		t.Fatal(err)
	}
	unlockC()
	unlockA()
}

func TestPostLocks_OverlapWaitsAndHonoursContext(t *testing.T) {
	l := newPostLocks()
	unlock, err := l.lock(context.Background(), []string{"a", "b"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := l.lock(ctx, []string{"b", "z"}); err == nil {
		t.Fatal("an overlapping lock was granted while held")
	}
	got := make(chan struct{})
	go func() {
		u, err := l.lock(context.Background(), []string{"z", "a", "a"})
		if err != nil {
			t.Error(err)
		}
		close(got)
		u()
	}()
	unlock()
	<-got                                                      // granted once released
	u, err := l.lock(context.Background(), []string{"a", "z"}) // waits for the goroutine's unlock
	if err != nil {
		t.Fatal(err)
	}
	u()
	if len(l.held) != 0 {
		t.Errorf("locks left held: %v", l.held)
	}
}
