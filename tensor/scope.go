package tensor

import (
	"sync"
	"sync/atomic"
)

// A Scope owns the device memory of the tensors created in it and returns
// it to the device's pool when it closes (as tf.tidy does), and says whether
// operations in it are recorded for autograd. Scopes are values that belong
// to one computation, not to the process: Tidy and NoGrad open one and pass
// it to their function, and any number of goroutines may each run their own
// scopes on one device without touching each other's tensors.
//
// Go has no goroutine-local state, so a new tensor finds its scope through
// the data it is computed from: the result of an operation joins the
// innermost scope among its inputs' (descending into a nested scope opened
// from there and still open, such as a NoGrad inside a training step or the
// scope of a running Backward). Tensors made from host data or random
// numbers (FromSlice, Zeros, RandN, …) belong to no scope until Own adopts
// them; so do parameters, which live until Release or until the garbage
// collector finds them. A training step therefore starts from inputs the
// step's scope owns:
//
//	tensor.Tidy(func(s *tensor.Scope) {
//		x, y := s.FromSlice(pixels, 64, 1, 28, 28), s.FromInts(labels)
//		loss := nn.CrossEntropyLoss(net.Forward(x), y, nn.CrossEntropyOpts{})
//		…
//	})
//
// A Scope's methods, like the tensors it owns, are meant for the goroutine
// that runs its function; other goroutines may read its tensors while it is
// open, through their own scope's Use (see the package's Goroutines
// section). The nil *Scope is valid: Own and Keep on it do nothing.
type Scope struct {
	parent *Scope
	depth  int
	noGrad bool

	mu    sync.Mutex
	child *Scope // the nested scope open now, if any
	// storages is everything that joined, including what later moved
	// out: a list from storageLists, nil before the first join.
	storages *[]*storage
	closed   bool
	anomaly  atomic.Bool // see DetectAnomaly; read by every op of the scope, without the lock
	backward bool        // Backward's own scope: its rules' results are checked as one
}

// Tidy runs fn with a new scope and then returns to the device pool the
// storage of every tensor that joined it, except those passed to Keep and
// those made persistent (parameters, gradients of leaves, optimizer state).
func Tidy(fn func(s *Scope)) { runScope(nil, false, fn) }

// NoGrad is Tidy with recording switched off, as PyTorch's torch.no_grad:
// operations whose result joins the scope (or a scope nested in it) record
// no autograd graph. It does not affect other scopes or goroutines.
func NoGrad(fn func(s *Scope)) { runScope(nil, true, fn) }

// Tidy runs fn with a scope nested in s: results computed from s's tensors
// join the nested scope while it is open, and are released when it closes.
// It records for autograd unless s does not.
func (s *Scope) Tidy(fn func(s *Scope)) { runScope(s, !s.GradEnabled(), fn) }

// NoGrad runs fn with a nested scope that records no autograd graph.
func (s *Scope) NoGrad(fn func(s *Scope)) { runScope(s, true, fn) }

// GradEnabled reports whether operations whose results join s are recorded
// for autograd (true for the nil scope).
func (s *Scope) GradEnabled() bool { return s == nil || !s.noGrad }

func runScope(parent *Scope, noGrad bool, fn func(*Scope)) {
	s := openScope(parent, noGrad)
	defer s.close()
	fn(s)
}

func openScope(parent *Scope, noGrad bool) *Scope {
	s := &Scope{parent: parent, noGrad: noGrad}
	if parent != nil {
		s.depth = parent.depth + 1
		parent.mu.Lock()
		defer parent.mu.Unlock()
		if parent.closed {
			panic(&ShapeError{Op: "Tidy", Msg: "the enclosing scope is closed"})
		}
		if parent.child != nil {
			panic(&ShapeError{Op: "Tidy", Msg: "the enclosing scope already has an open nested scope; nest one scope at a time"})
		}
		parent.child = s
		s.anomaly.Store(parent.anomaly.Load())
	}
	return s
}

// close releases what still belongs to s and unlinks it from its parent.
func (s *Scope) close() {
	if s.parent != nil {
		s.parent.mu.Lock()
		s.parent.child = nil
		s.parent.mu.Unlock()
	}
	s.mu.Lock()
	s.closed = true
	storages := s.storages
	s.storages = nil
	s.mu.Unlock()
	if storages == nil {
		return
	}
	for _, st := range *storages {
		if st.scope.Load() == s && !st.persistent.Load() {
			st.release()
		}
	}
	clear(*storages)
	*storages = (*storages)[:0]
	storageLists.Put(storages)
}

// storageLists recycles the lists of scopes' storage: a training step's
// scope grew its list anew each step, a few allocations more a step.
var storageLists = sync.Pool{New: func() any { return new([]*storage) }}

// innermost returns the deepest open scope nested in s, or in its nearest
// open ancestor when s has closed (a tensor kept or persisted past it).
func (s *Scope) innermost() *Scope {
	for s != nil {
		s.mu.Lock()
		closed, c := s.closed, s.child
		s.mu.Unlock()
		switch {
		case closed:
			s = s.parent
		case c == nil:
			return s
		default:
			s = c
		}
	}
	return nil
}

// join makes st belong to s.
func (s *Scope) join(st *storage) {
	if s == nil {
		st.scope.Store(nil)
		st.guard()
		return
	}
	st.scope.Store(s)
	s.mu.Lock()
	if s.storages == nil {
		s.storages = storageLists.Get().(*[]*storage)
	}
	*s.storages = append(*s.storages, st)
	s.mu.Unlock()
}

// ScopeOf returns the scope a result computed from ts would join: the
// innermost open scope among theirs, or nil when none of them has one. Code
// that creates a tensor without inputs on behalf of others (a dropout mask,
// an initial state) adopts it with ScopeOf(x).Own(t).
func ScopeOf(ts ...*Tensor) *Scope {
	var s *Scope
	for _, t := range ts {
		if t != nil && t.scope != nil && (s == nil || t.scope.depth > s.depth) {
			s = t.scope
		}
	}
	return s.innermost()
}

// Own adopts t into s when t belongs to no scope: s releases its storage
// when it closes (views sharing that storage included), and results
// computed from t join s. t is returned for chaining. A tensor that already
// belongs to a scope, or is persistent, stays where it is: to compute from
// long-lived data in s without handing its memory over, use Use.
func (s *Scope) Own(t *Tensor) *Tensor {
	if s != nil && t != nil && t.st.scope.Load() == nil && !t.st.persistent.Load() {
		s.join(t.st)
		t.scope = s
	}
	return t
}

// Use returns a view of t whose results join s, leaving t's memory where it
// is (a data set kept on the device, a long-lived state): gradients flow
// through it to t as through any view.
func (s *Scope) Use(t *Tensor) *Tensor {
	out := t.view("Use", t.shape, t.strides, t.offset, func(g *Tensor) *Tensor { return g })
	out.scope = s
	return out
}

// FromSlice is FromSlice with the result owned by s.
func (s *Scope) FromSlice(data []float32, shape ...int) *Tensor {
	return s.Own(FromSlice(data, shape...))
}

// FromInts is FromInts with the result owned by s.
func (s *Scope) FromInts(data []int32, shape ...int) *Tensor {
	return s.Own(FromInts(data, shape...))
}

// Keep lets the tensors outlive s: each one owned by s or by a scope nested
// in it moves to s's enclosing scope, or to no scope at all (then it lives
// until Release or the garbage collector) when s has none.
func (s *Scope) Keep(ts ...*Tensor) {
	if s == nil {
		return
	}
	for _, t := range ts {
		if t == nil {
			continue
		}
		for o := t.st.scope.Load(); o != nil; o = o.parent {
			if o == s {
				s.parent.join(t.st)
				t.scope = s.parent
				break
			}
		}
	}
}

// Persist exempts the tensors' storage from every scope, now and later: for
// long-lived state such as parameters, gradients and optimizer buffers
// created inside a step. Release still frees it.
func Persist(ts ...*Tensor) {
	for _, t := range ts {
		if t != nil {
			t.st.persistent.Store(true)
			t.st.scope.Store(nil)
			t.st.guard()
			t.scope = nil
		}
	}
}
