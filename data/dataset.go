package data

import (
	"fmt"
	"math"
)

// A Dataset is a set of labelled samples held in host memory.
type Dataset struct {
	Name    string    // what it is, for messages, e.g. "fashion-mnist train"
	Shape   []int     // shape of one sample, channels first, e.g. [1 28 28]
	X       []float32 // Len()·prod(Shape) pixel values in [0,1], one sample after another
	Y       []int32   // one label per sample, in [0, len(Classes))
	Classes []string  // class names, indexed by label
}

// Len returns the number of samples.
func (d *Dataset) Len() int { return len(d.Y) }

// SampleSize returns the number of values in one sample, prod(Shape).
func (d *Dataset) SampleSize() int {
	n := 1
	for _, s := range d.Shape {
		n *= s
	}
	return n
}

// Subset returns samples [lo, hi) as a Dataset sharing d's memory, e.g. to
// train quickly on the first thousand images.
func (d *Dataset) Subset(lo, hi int) (*Dataset, error) {
	if lo < 0 || hi > d.Len() || lo > hi {
		return nil, fmt.Errorf("data: %s: subset [%d, %d) of %d samples", d.Name, lo, hi, d.Len())
	}
	size := d.SampleSize()
	return &Dataset{
		Name:    fmt.Sprintf("%s[%d:%d]", d.Name, lo, hi),
		Shape:   d.Shape,
		X:       d.X[lo*size : hi*size],
		Y:       d.Y[lo:hi],
		Classes: d.Classes,
	}, nil
}

// ChannelStats returns the mean and population standard deviation of the
// pixel values of each channel (the first axis of Shape), the usual inputs of
// LoaderConfig.Mean and Std.
func (d *Dataset) ChannelStats() (mean, std []float32) {
	c := d.Shape[0]
	plane := d.SampleSize() / c
	sum := make([]float64, c)
	sq := make([]float64, c)
	for i, v := range d.X {
		ch := i / plane % c
		sum[ch] += float64(v)
		sq[ch] += float64(v) * float64(v)
	}
	n := float64(d.Len() * plane)
	mean = make([]float32, c)
	std = make([]float32, c)
	for ch := range c {
		m := sum[ch] / n
		mean[ch] = float32(m)
		std[ch] = float32(math.Sqrt(max(sq[ch]/n-m*m, 0)))
	}
	return mean, std
}

// check reports an inconsistent Dataset, e.g. one assembled by hand.
func (d *Dataset) check() error {
	if len(d.Shape) == 0 {
		return fmt.Errorf("data: %s: empty sample shape", d.Name)
	}
	for _, s := range d.Shape {
		if s <= 0 {
			return fmt.Errorf("data: %s: sample shape %v, want positive sizes", d.Name, d.Shape)
		}
	}
	if want := d.Len() * d.SampleSize(); len(d.X) != want {
		return fmt.Errorf("data: %s: %d labels of shape %v want %d pixel values, have %d", d.Name, d.Len(), d.Shape, want, len(d.X))
	}
	for i, y := range d.Y {
		if y < 0 || int(y) >= len(d.Classes) {
			return fmt.Errorf("data: %s: label %d at sample %d, want 0..%d", d.Name, y, i, len(d.Classes)-1)
		}
	}
	return nil
}

// newDataset converts byte pixels and labels, already validated, into a
// Dataset.
func newDataset(name string, shape []int, pixels, labels []byte, classes []string) *Dataset {
	d := &Dataset{
		Name:    name,
		Shape:   shape,
		X:       make([]float32, len(pixels)),
		Y:       make([]int32, len(labels)),
		Classes: classes,
	}
	for i, p := range pixels {
		d.X[i] = float32(p) / 255
	}
	for i, y := range labels {
		d.Y[i] = int32(y)
	}
	return d
}

// checkLabels reports the first label byte outside [0, classes).
func checkLabels(path string, labels []byte, classes int) error {
	for i, y := range labels {
		if int(y) >= classes {
			return fmt.Errorf("data: %s: label %d at record %d, want 0..%d", path, y, i, classes-1)
		}
	}
	return nil
}
