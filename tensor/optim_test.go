package tensor

import (
	"slices"
	"testing"

	"github.com/tensorgl/tensorgl/device"
	"github.com/tensorgl/tensorgl/device/cpu"
)

// TestOptimStepsOneCall checks that a list of updates runs as one device
// kernel, that a strided gradient is read through its view, and that each
// parameter gets its own first step (SGD) and step count (Adam).
func TestOptimStepsOneCall(t *testing.T) {
	dev := DefaultDevice()
	p1, p2 := FromSlice([]float32{1, 2, 3, 4, 5, 6}, 2, 3), FromSlice([]float32{10}, 1)
	g1 := FromSlice([]float32{1, 4, 2, 5, 3, 6}, 3, 2).T() // [[1 2 3] [4 5 6]], strided
	g2 := FromSlice([]float32{-1}, 1)
	b1, b2 := FromSlice([]float32{9, 9, 9, 9, 9, 9}, 2, 3), FromSlice([]float32{2}, 1)
	if err := dev.Sync(); err != nil { // count only what follows
		t.Fatal(err)
	}
	before := dev.Stats().Dispatches
	SGDStep([]SGDUpdate{{Param: p1, Grad: g1, Buf: b1, FirstStep: true}, {Param: p2, Grad: g2, Buf: b2}},
		device.SGDParams{LR: 0.5, Momentum: 0.5})
	if err := dev.Sync(); err != nil {
		t.Fatal(err)
	}
	// One Copy for the strided gradient, one SGDStep.
	if n := dev.Stats().Dispatches - before; n != 2 {
		t.Errorf("SGDStep of two parameters ran %d kernels, want 2 (the gradient's copy and the step)", n)
	}
	// p1: buf = g, p = p − 0.5·g; p2: buf = 0.5·2 + (−1) = 0, p = 10.
	for _, c := range []struct {
		what string
		got  *Tensor
		want []float32
	}{
		{"p1", p1, []float32{0.5, 1, 1.5, 2, 2.5, 3}}, {"buf1", b1, []float32{1, 2, 3, 4, 5, 6}},
		{"p2", p2, []float32{10}}, {"buf2", b2, []float32{0}},
	} {
		if got := c.got.Data(); !slices.Equal(got, c.want) {
			t.Errorf("%s = %v, want %v", c.what, got, c.want)
		}
	}

	m1, v1, m2, v2 := ZerosLike(p1), ZerosLike(p1), ZerosLike(p2), ZerosLike(p2)
	AdamStep([]AdamUpdate{{Param: p1, Grad: g1, M: m1, V: v1, Step: 1}, {Param: p2, Grad: g2, M: m2, V: v2, Step: 2}},
		device.AdamParams{LR: 0.1, Beta1: 0.5, Beta2: 0.5})
	// Step 1: m̂ = g, v̂ = g², so p moves by LR·sign(g). Step 2 from zero
	// moments: m = −0.5, v = 0.5, m̂ = −0.5/0.75, v̂ = 0.5/0.75.
	wantP2 := float32(10 + 0.1*(0.5/0.75)/0.816496580927726)
	if got := p1.Data(); !near(got, []float32{0.4, 0.9, 1.4, 1.9, 2.4, 2.9}, 1e-6) {
		t.Errorf("p1 after Adam = %v", got)
	}
	if got := p2.Data(); !near(got, []float32{wantP2}, 1e-6) {
		t.Errorf("p2 after Adam step 2 = %v, want %v", got, wantP2)
	}
}

func TestOptimStepsReject(t *testing.T) {
	p, g, b := Zeros(2, 3), Zeros(2, 3), Zeros(2, 3)
	// longUpdates is n updates of 2×3 parameters, each with its momentum
	// buffer, sharing g as their gradient.
	longUpdates := func(n int) []SGDUpdate {
		us := make([]SGDUpdate, n)
		for i := range us {
			us[i] = SGDUpdate{Param: Zeros(2, 3), Grad: g, Buf: Zeros(2, 3)}
		}
		return us
	}
	q := Zeros(4)
	other := cpu.New()
	defer other.Close()
	sgd := device.SGDParams{LR: 1, Momentum: 0.9}
	for _, c := range []struct {
		want string
		f    func()
	}{
		{"SGDStep: update 1: grad has shape [2 3], param [4]", func() {
			SGDStep([]SGDUpdate{{Param: p, Grad: g, Buf: b}, {Param: q, Grad: g, Buf: Zeros(4)}}, sgd)
		}},
		{"SGDStep: update 0 (param [2 3]) has no momentum buffer", func() { SGDStep([]SGDUpdate{{Param: p, Grad: g}}, sgd) }},
		{"SGDStep: update 1: param [2 3] shares its storage with update 0's param", func() {
			SGDStep([]SGDUpdate{{Param: p, Grad: g}, {Param: p, Grad: g}}, device.SGDParams{LR: 1})
		}},
		{"SGDStep: update 70: momentum buffer [2 3] shares its storage with update 40's param", func() {
			// Past updateListed written operands, the check looks them up in a map.
			us := longUpdates(80)
			us[70].Buf = us[40].Param
			SGDStep(us, sgd)
		}},
		{"SGDStep: update 20: momentum buffer [2 3] shares its storage with update 3's momentum buffer", func() {
			us := longUpdates(80)
			us[20].Buf = us[3].Buf
			SGDStep(us, sgd)
		}},
		{"SGDStep: update 0: momentum buffer [2 3] shares its storage with update 0's param", func() {
			SGDStep([]SGDUpdate{{Param: p, Grad: g, Buf: p}}, sgd)
		}},
		{"SGDStep: update 0: param [3 2] must be a whole contiguous tensor", func() {
			SGDStep([]SGDUpdate{{Param: p.T(), Grad: g.T()}}, device.SGDParams{LR: 1})
		}},
		{"SGDStep: update 1: param [4] is on device cpu, update 0's param on", func() {
			SGDStep([]SGDUpdate{{Param: p, Grad: g}, {Param: q.To(other), Grad: q.To(other)}}, device.SGDParams{LR: 1})
		}},
		{"AdamStep: update 0: v is int32 [2 3], want float32", func() {
			AdamStep([]AdamUpdate{{Param: p, Grad: g, M: b, V: FromInts(make([]int32, 6), 2, 3), Step: 1}}, device.AdamParams{LR: 1})
		}},
		{"AdamStep: update 0 (param [2 3]) has no m", func() {
			AdamStep([]AdamUpdate{{Param: p, Grad: g, V: b, Step: 1}}, device.AdamParams{LR: 1})
		}},
		{"AdamStep: update 0 (param [2 3]) has step count 0, want ≥ 1", func() {
			AdamStep([]AdamUpdate{{Param: p, Grad: g, M: b, V: Zeros(2, 3)}}, device.AdamParams{LR: 1})
		}},
	} {
		mustPanic(t, c.want, c.f)
	}
}
