package ddp

import (
	"slices"
	"testing"
	"time"
)

// TestBalancerShares feeds a Balancer steps in which process 1 computes
// at a third of process 0's speed and process 2 at two thirds, and checks
// the splits: even for the first Lead steps, then, as the smoothed speeds
// settle, shares in proportion 3:1:2 (within a sample), always covering
// the batch exactly, never below a quarter of an equal share.
func TestBalancerShares(t *testing.T) {
	const size, per, lead = 3, 40, 2
	var ls []*Balancer
	for r := range size {
		l, err := newBalancer(size, r, Balance{PerProcess: per, Lead: lead})
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
	}
	perSample := []int64{100, 300, 150} // µs per sample
	cuts := func(step int) []int {
		c := []int{0}
		for _, l := range ls {
			lo, hi := l.Split(0, step)
			if lo != c[len(c)-1] {
				t.Fatalf("step %d: process %d starts at %d, the one before ends at %d", step, len(c)-1, lo, c[len(c)-1])
			}
			c = append(c, hi)
		}
		if c[size] != size*per {
			t.Fatalf("step %d: the processes take %v, not all %d samples", step, c, size*per)
		}
		return c
	}
	var c []int
	for step := range 200 {
		c = cuts(step)
		s := shares(c)
		if step < lead && !slices.Equal(s, []int{per, per, per}) {
			t.Fatalf("step %d (before any measurement): shares %v, want even", step, s)
		}
		for r, n := range s {
			if n < per/4 {
				t.Fatalf("step %d: process %d gets %d samples, below a quarter of %d", step, r, n, per)
			}
		}
		busy, samples := make([]int64, size), make([]int64, size)
		for r, n := range s {
			busy[r], samples[r] = int64(n)*perSample[r], int64(n)
		}
		if step == 0 {
			busy[0] *= 50 // start-up: ignored
		}
		for _, l := range ls {
			l.observe(busy, samples)
		}
	}
	// 120 samples at speeds 3:1:2 → 60, 20, 40; the floor of 10 each is
	// inside those.
	if s := shares(c); abs(s[0]-60) > 1 || abs(s[1]-20) > 1 || abs(s[2]-40) > 1 {
		t.Errorf("after 200 steps: shares %v, want about 60/20/40", s)
	}
	last, low, high := ls[0].Shares()
	if low[1] > last[1] || high[0] < last[0] || high[1] != per {
		t.Errorf("Shares: last %v, smallest %v, largest %v", last, low, high)
	}
}

// TestBalancerFloor: a process that hardly moves keeps a quarter of an
// equal share.
func TestBalancerFloor(t *testing.T) {
	l, err := newBalancer(2, 0, Balance{PerProcess: 64, Lead: 1})
	if err != nil {
		t.Fatal(err)
	}
	for range 100 {
		l.Split(0, 0)
		l.observe([]int64{1000, 1_000_000}, []int64{64, 64})
	}
	if lo, hi := l.Split(0, 0); lo != 0 || hi != 112 {
		t.Errorf("fast process's run [%d, %d), want [0, 112): the slow one keeps 16", lo, hi)
	}
}

// TestBalancerWaits: Split of a step not decided yet waits for the
// exchange Lead steps before it.
func TestBalancerWaits(t *testing.T) {
	l, err := newBalancer(2, 1, Balance{PerProcess: 8, Lead: 1})
	if err != nil {
		t.Fatal(err)
	}
	if lo, hi := l.Split(0, 0); lo != 8 || hi != 16 {
		t.Fatalf("first step: [%d, %d), want [8, 16)", lo, hi)
	}
	got := make(chan [2]int)
	go func() {
		lo, hi := l.Split(0, 1)
		got <- [2]int{lo, hi}
	}()
	select {
	case g := <-got:
		t.Fatalf("Split of an undecided step returned %v", g)
	case <-time.After(50 * time.Millisecond):
	}
	l.observe([]int64{100, 100}, []int64{8, 8})
	if g := <-got; g != [2]int{8, 16} {
		t.Errorf("second step: %v, want [8 16]", g)
	}
}

func TestBalanceConfig(t *testing.T) {
	for _, b := range []Balance{{PerProcess: 0, Lead: 1}, {PerProcess: 4, Lead: 0}} {
		if _, err := newBalancer(2, 0, b); err == nil {
			t.Errorf("%+v: no error", b)
		}
	}
}

func abs(x int) int { return max(x, -x) }
