package device

import (
	"math"
	"math/bits"
	"testing"
)

func TestCheckedNumElements(t *testing.T) {
	half := 1 << (bits.UintSize / 2) // half·half overflows an int
	for _, c := range []struct {
		shape []int
		n     int
		ok    bool
	}{
		{nil, 1, true},
		{[]int{2, 3}, 6, true},
		{[]int{5, 0, 7}, 0, true},
		{[]int{2, -1}, 0, false},
		{[]int{half, half}, 0, false},
		{[]int{3, 1 << (bits.UintSize - 2)}, 0, false},
		{[]int{0, half, half}, 0, false}, // its strides overflow
		{[]int{math.MaxInt / 4}, math.MaxInt / 4, true},
		{[]int{math.MaxInt/4 + 1}, 0, false},
	} {
		if n, ok := CheckedNumElements(c.shape); n != c.n || ok != c.ok {
			t.Errorf("CheckedNumElements(%v) = %d, %v; want %d, %v", c.shape, n, ok, c.n, c.ok)
		}
	}
}

// TestOutputSizesFloor: a window larger than the (padded) input gives an
// output size below 1 even when a large stride would round a truncated
// negative quotient up to 0 (PyTorch's formula floors).
func TestOutputSizesFloor(t *testing.T) {
	c := Conv2dParams{N: 1, C: 1, H: 3, W: 3, K: 1, R: 5, S: 5, StrideH: 3, StrideW: 3, DilH: 1, DilW: 1, Groups: 1}
	if c.OutH() != 0 || c.OutW() != 0 {
		t.Errorf("conv 5x5 stride 3 on 3x3: out %dx%d, want 0x0", c.OutH(), c.OutW())
	}
	p := Pool2dParams{N: 1, C: 1, H: 3, W: 3, KH: 4, KW: 4, StrideH: 4, StrideW: 4}
	if p.OutH() != 0 || p.OutW() != 0 {
		t.Errorf("pool 4x4 stride 4 on 3x3: out %dx%d, want 0x0", p.OutH(), p.OutW())
	}
	p = Pool2dParams{N: 1, C: 1, H: 7, W: 7, KH: 3, KW: 3, StrideH: 2, StrideW: 2}
	if p.OutH() != 3 {
		t.Errorf("pool 3x3 stride 2 on 7x7: out %d, want 3", p.OutH())
	}
	for a := -7; a <= 7; a++ {
		if got, want := floorDiv(a, 3), int(math.Floor(float64(a)/3)); got != want {
			t.Errorf("floorDiv(%d, 3) = %d, want %d", a, got, want)
		}
	}
}
