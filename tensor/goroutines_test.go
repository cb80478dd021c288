package tensor

import (
	"slices"
	"sync"
	"testing"
)

// TestSharedReadThroughUse: a goroutine reading a tensor that another
// goroutine's open scope owns, through its own scope's Use, keeps its
// results: they join its scope (not the owner's, which closes first, and
// whose NoGrad is open while the reader computes), so they record as the
// reader's scope records and survive the owner's close (x itself does
// not: the reader's Backward, which reads it, runs before), in either
// operand order.
func TestSharedReadThroughUse(t *testing.T) {
	shared := make(chan *Tensor)
	computed, closed := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		Tidy(func(s *Scope) {
			x := s.FromSlice([]float32{1, 2, 3, 4}, 4)
			s.NoGrad(func(*Scope) {
				shared <- x
				<-computed
			})
		})
		close(closed)
	}()
	var got [2][]float32
	var records [2]bool
	var grad []float32
	go func() {
		defer wg.Done()
		v := FromSlice([]float32{10, 20, 30, 40}, 4).SetRequiresGrad(true)
		x := <-shared
		Tidy(func(s *Scope) {
			xs := s.Use(x)
			r := [2]*Tensor{xs.Mul(v), v.Mul(xs)}
			for i := range r {
				records[i] = r[i].RequiresGrad()
			}
			r[0].Add(r[1]).Sum().Backward() // reads x: before its owner closes
			close(computed)
			<-closed
			for i := range r {
				got[i] = r[i].Data()
			}
			grad = v.Grad().Data()
		})
	}()
	wg.Wait()
	want := []float32{10, 40, 90, 160}
	for i := range got {
		if !slices.Equal(got[i], want) || !records[i] {
			t.Errorf("operand order %d: %v (recorded %v), want %v, recorded", i, got[i], records[i], want)
		}
	}
	if !slices.Equal(grad, []float32{2, 4, 6, 8}) {
		t.Errorf("gradient %v, want [2 4 6 8]", grad)
	}
}
