package data

import (
	"math"
	"strings"
	"testing"
)

func TestChannelStats(t *testing.T) {
	// Two samples of shape [2 1 2]: channel 0 holds 0,1,0,1 and channel 1
	// holds .5,.5,.5,.25.
	d := &Dataset{
		Shape:   []int{2, 1, 2},
		X:       []float32{0, 1, .5, .5, 0, 1, .5, .25},
		Y:       []int32{0, 0},
		Classes: []string{"a"},
	}
	mean, std := d.ChannelStats()
	want := [][2]float64{{0.5, 0.5}, {0.4375, math.Sqrt(3*0.0625*0.0625+0.1875*0.1875) / 2}}
	for c, w := range want {
		if !(math.Abs(float64(mean[c])-w[0]) <= 1e-7) || !(math.Abs(float64(std[c])-w[1]) <= 1e-7) {
			t.Errorf("channel %d: mean %v std %v, want %v %v", c, mean[c], std[c], w[0], w[1])
		}
	}
}

func TestSubset(t *testing.T) {
	d := seqDataset(10, []int{1, 2, 2})
	s, err := d.Subset(3, 7)
	if err != nil {
		t.Fatal(err)
	}
	if s.Len() != 4 || s.Y[0] != 3 || s.X[0] != d.X[12] || len(s.X) != 16 {
		t.Errorf("Subset(3, 7) = %d samples starting with label %d, pixel %v", s.Len(), s.Y[0], s.X[0])
	}
	if _, err := d.Subset(5, 11); err == nil {
		t.Error("Subset(5, 11) of 10 samples succeeded")
	}
}

func TestDatasetCheck(t *testing.T) {
	for _, tc := range []struct {
		d      Dataset
		errHas string
	}{
		{Dataset{Shape: []int{1, 2}, X: make([]float32, 3), Y: []int32{0, 0}, Classes: []string{"a"}}, "want 4 pixel values, have 3"},
		{Dataset{Shape: []int{1, 0}, Y: []int32{0}, Classes: []string{"a"}}, "want positive sizes"},
		{Dataset{Shape: []int{1}, X: make([]float32, 2), Y: []int32{0, 2}, Classes: []string{"a", "b"}}, "label 2 at sample 1, want 0..1"},
		{Dataset{}, "empty sample shape"},
	} {
		if err := tc.d.check(); err == nil || !strings.Contains(err.Error(), tc.errHas) {
			t.Errorf("check(%+v) = %v, want %q", tc.d, err, tc.errHas)
		}
	}
}
