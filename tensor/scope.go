package tensor

import "sync"

// A scope collects the storages allocated while it is the innermost open
// Tidy, so that they can be returned to the device pool when it closes.
type scope struct {
	storages []*storage
	kept     map[*storage]bool
}

var (
	scopeMu sync.Mutex
	scopes  []*scope
)

func trackStorage(st *storage) {
	scopeMu.Lock()
	if n := len(scopes); n > 0 {
		s := scopes[n-1]
		s.storages = append(s.storages, st)
	}
	scopeMu.Unlock()
}

// Tidy runs fn and then releases the storage of every tensor created while
// it ran, except those passed to Keep (and gradients of leaf tensors and
// optimizer state, which the package keeps itself). Kept tensors move to the
// enclosing Tidy, if any. Scopes are process-wide: tensors created by other
// goroutines while fn runs belong to it too.
func Tidy(fn func()) {
	s := &scope{kept: map[*storage]bool{}}
	scopeMu.Lock()
	scopes = append(scopes, s)
	scopeMu.Unlock()
	defer func() {
		scopeMu.Lock()
		for i := len(scopes) - 1; i >= 0; i-- {
			if scopes[i] == s {
				scopes = append(scopes[:i], scopes[i+1:]...)
				break
			}
		}
		var outer *scope
		if n := len(scopes); n > 0 {
			outer = scopes[n-1]
		}
		scopeMu.Unlock()
		for _, st := range s.storages {
			switch {
			case st.persistent:
			case !s.kept[st]:
				st.release()
			case outer != nil:
				scopeMu.Lock()
				outer.storages = append(outer.storages, st)
				scopeMu.Unlock()
			}
		}
	}()
	fn()
}

// Keep exempts the tensors' storage from release by the innermost Tidy.
func Keep(ts ...*Tensor) {
	scopeMu.Lock()
	defer scopeMu.Unlock()
	if n := len(scopes); n > 0 {
		for _, t := range ts {
			if t != nil {
				scopes[n-1].kept[t.st] = true
			}
		}
	}
}

// Persist exempts the tensors' storage from every Tidy, now and later: for
// long-lived state such as parameters, gradients and optimizer buffers
// created inside a step. Release still frees it.
func Persist(ts ...*Tensor) {
	scopeMu.Lock()
	defer scopeMu.Unlock()
	for _, t := range ts {
		if t != nil {
			t.st.persistent = true
		}
	}
}
