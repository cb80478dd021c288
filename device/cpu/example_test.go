package cpu_test

import (
	"fmt"

	"github.com/tensorgl/tensorgl/device"
	"github.com/tensorgl/tensorgl/device/cpu"
)

// ExampleNew adds a bias row to each row of a 2×3 matrix: the bias is
// broadcast down the rows by a stride of 0.
func ExampleNew() {
	d := cpu.New()
	defer d.Close()
	x, bias, y := d.Alloc(device.Float32, 6), d.Alloc(device.Float32, 3), d.Alloc(device.Float32, 6)
	d.Write(x, []float32{1, 2, 3, 4, 5, 6})
	d.Write(bias, []float32{10, 20, 30})
	shape := []int{2, 3}
	d.Binary(y,
		device.Strided{Buf: x, Strides: device.Contiguous(shape)},
		device.Strided{Buf: bias, Strides: []int{0, 1}},
		device.BinaryParams{Op: device.Add, Shape: shape})
	out := make([]float32, 6)
	if err := d.Read(y, out); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(out)
	// Output: [11 22 33 14 25 36]
}
