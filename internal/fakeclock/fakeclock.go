// Package fakeclock is a manually driven clock for tests of code that
// schedules by an injected clock (package sources and its crawler): time
// moves only when the test says so, so no test sleeps.
package fakeclock

import (
	"sort"
	"sync"
	"time"
)

// Clock is a fake clock. Its zero value is not usable; call New.
type Clock struct {
	mu      sync.Mutex
	cond    *sync.Cond
	now     time.Time
	waiters []waiter
	auto    bool
	slept   time.Duration
	nextID  int
}

type waiter struct {
	at time.Time
	ch chan time.Time
	id int
}

// New returns a clock standing at now.
func New(now time.Time) *Clock {
	c := &Clock{now: now}
	c.cond = sync.NewCond(&c.mu)
	return c
}

// NewAuto returns a clock at now whose After moves time forward by the
// duration asked and fires at once: waits cost nothing and add up in Slept.
// For code that paces itself (a crawler's politeness delay).
func NewAuto(now time.Time) *Clock {
	c := New(now)
	c.auto = true
	return c
}

// Now returns the fake time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Timer is a fake timer: its channel receives the fake time once the clock
// has been advanced past its deadline.
type Timer struct {
	c  *Clock
	ch chan time.Time
	id int
}

// C is the channel the timer fires on.
func (t *Timer) C() <-chan time.Time { return t.ch }

// Stop cancels the timer; it reports whether the timer was still pending.
func (t *Timer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	for i, w := range t.c.waiters {
		if w.id == t.id {
			t.c.waiters = append(t.c.waiters[:i], t.c.waiters[i+1:]...)
			t.c.cond.Broadcast()
			return true
		}
	}
	return false
}

// Timer is NewTimer in the shape the clock interfaces of the code under
// test declare: the channel and a stop function.
func (c *Clock) Timer(d time.Duration) (<-chan time.Time, func() bool) {
	t := c.NewTimer(d)
	return t.C(), t.Stop
}

// NewTimer returns a timer that fires once the clock has been advanced by
// d; d <= 0 fires at once. On an auto clock it moves time forward by d and
// fires at once.
func (c *Clock) NewTimer(d time.Duration) *Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.nextID++
	t := &Timer{c: c, ch: make(chan time.Time, 1), id: c.nextID}
	switch {
	case d <= 0:
		t.ch <- c.now
	case c.auto:
		c.now = c.now.Add(d)
		c.slept += d
		t.ch <- c.now
		c.fireLocked()
	default:
		c.waiters = append(c.waiters, waiter{at: c.now.Add(d), ch: t.ch, id: t.id})
		c.cond.Broadcast()
	}
	return t
}

// Advance moves the clock forward by d and fires every wait that is due.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.fireLocked()
}

// Set moves the clock to t (never backwards) and fires what is due.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.After(c.now) {
		c.now = t
	}
	c.fireLocked()
}

func (c *Clock) fireLocked() {
	sort.SliceStable(c.waiters, func(i, j int) bool { return c.waiters[i].at.Before(c.waiters[j].at) })
	keep := c.waiters[:0]
	for _, w := range c.waiters {
		if !w.at.After(c.now) {
			w.ch <- c.now
			continue
		}
		keep = append(keep, w)
	}
	c.waiters = keep
	c.cond.Broadcast()
}

// BlockUntil waits until at least n waits are pending on the clock: the
// code under test has reached its next sleep. It waits on a condition
// variable, never by sleeping.
func (c *Clock) BlockUntil(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(c.waiters) < n {
		c.cond.Wait()
	}
}

// WaitFor waits until ok holds for the deadlines of the pending waits
// (earliest first). It is checked whenever a wait is added, fired or
// stopped; it waits on a condition variable, never by sleeping.
func (c *Clock) WaitFor(ok func(pending []time.Time) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for !ok(c.pendingLocked()) {
		c.cond.Wait()
	}
}

func (c *Clock) pendingLocked() []time.Time {
	out := make([]time.Time, len(c.waiters))
	for i, w := range c.waiters {
		out[i] = w.at
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	return out
}

// Pending returns the deadlines of the pending waits, earliest first.
func (c *Clock) Pending() []time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.pendingLocked()
}

// Slept is the total time After moved an auto clock forward.
func (c *Clock) Slept() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.slept
}
