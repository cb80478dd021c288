package devicetest

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/tensorgl/tensorgl/device"
)

// sentinel marks buffer elements a kernel must not touch.
const sentinel = -12345.5

func testFill(t tb, d device.Device) {
	subtest(t, "float32", func(t tb) {
		b := upload(t, d, filled(17, sentinel))
		d.Fill(b, 3, 10, -0.375)
		want := filled(17, sentinel)
		copy(want[3:13], filled(10, -0.375))
		expectEqual(t, "Fill(offset 3, n 10) of 17", download(t, d, b, 17), want)
	})
	subtest(t, "whole", func(t tb) {
		b := alloc(t, d, device.Float32, 1001)
		d.Fill(b, 0, 1001, 1e30)
		expectEqual(t, "Fill of all 1001", download(t, d, b, 1001), filled(1001, 1e30))
	})
	subtest(t, "one", func(t tb) {
		b := upload(t, d, filled(3, sentinel))
		d.Fill(b, 2, 1, 7)
		expectEqual(t, "Fill(offset 2, n 1) of 3", download(t, d, b, 3), []float32{sentinel, sentinel, 7})
	})
	subtest(t, "int32", func(t tb) {
		b := uploadInt(t, d, []int32{9, 9, 9, 9, 9, 9, 9})
		d.Fill(b, 1, 3, -7)
		d.Fill(b, 4, 2, 1234567)
		expectInts(t, "Fill of an int32 buffer", downloadInt(t, d, b, 7), []int32{9, -7, -7, -7, 1234567, 1234567, 9})
	})
}

func testCopy(t tb, d device.Device) {
	r := newRand(t)
	// Copy moves bits: NaN, infinities, −0 and extremes must survive.
	gen := func(r *rand.Rand) float32 {
		if r.IntN(8) == 0 {
			return specialFloats[r.IntN(len(specialFloats))]
		}
		return float32(r.NormFloat64() * math.Pow(10, float64(r.IntN(30)-15)))
	}
	for _, c := range shapeCases(r, 600) {
		subtest(t, c.name, func(t tb) {
			src := newOperand(r, c.shape, c.l, gen)
			n := device.NumElements(c.shape)
			dstOff := r.IntN(5)
			dst := upload(t, d, filled(dstOff+n+3, sentinel))
			d.Copy(dst, dstOff, src.upload(t, d), c.shape)
			want := filled(dstOff+n+3, sentinel)
			copy(want[dstOff:], src.values(c.shape))
			expectEqual(t, fmt.Sprintf("Copy of shape %v, src %v, to dst offset %d", c.shape, src, dstOff), download(t, d, dst, len(want)), want)
		})
	}
	subtest(t, "int32", func(t tb) {
		shape := []int{3, 5, 4}
		src := newOperand(r, shape, layouts[len(layouts)-1], func(*rand.Rand) float32 { return 0 })
		ints := make([]int32, len(src.data))
		for i := range ints {
			ints[i] = int32(r.Uint32()) // values far beyond float32's 24-bit mantissa
		}
		buf := uploadInt(t, d, ints)
		dst := uploadInt(t, d, make([]int32, 62))
		d.Copy(dst, 2, device.Strided{Buf: buf, Offset: src.offset, Strides: src.strides}, shape)
		want := make([]int32, 62)
		for i, a := range addresses(shape, src.offset, src.strides) {
			want[2+i] = ints[a]
		}
		expectInts(t, fmt.Sprintf("Copy of int32 shape %v, src %v", shape, src), downloadInt(t, d, dst, 62), want)
	})
}

func testWhere(t tb, d device.Device) {
	r := newRand(t)
	conds := []float32{0, float32(math.Copysign(0, -1)), 1, -2, 0.5}
	genCond := func(r *rand.Rand) float32 { return conds[r.IntN(len(conds))] }
	genVal := func(r *rand.Rand) float32 { return float32(r.NormFloat64() * 100) }
	for _, c := range shapeCases(r, 500) {
		subtest(t, c.name, func(t tb) {
			shape := c.shape
			cond, x, y := newOperand(r, shape, c.l, genCond), newOperand(r, shape, c.l, genVal), newOperand(r, shape, c.l, genVal)
			n := device.NumElements(shape)
			dst := alloc(t, d, device.Float32, n)
			d.Where(dst, cond.upload(t, d), x.upload(t, d), y.upload(t, d), shape)
			c, xv, yv := cond.values(shape), x.values(shape), y.values(shape)
			want := make([]float32, n)
			for i := range want {
				if c[i] != 0 {
					want[i] = xv[i]
				} else {
					want[i] = yv[i]
				}
			}
			expectEqual(t, fmt.Sprintf("Where over %v, cond %v, x %v, y %v", shape, cond, x, y), download(t, d, dst, n), want)
		})
	}
	subtest(t, "int32Cond", func(t tb) {
		shape := []int{4, 6}
		cond := []int32{0, 1, -1, 0, math.MaxInt32, math.MinInt32, 2, 0}
		x, y := draw(r, 24, genVal), draw(r, 6, genVal)
		dst := alloc(t, d, device.Float32, 24)
		// cond (one value per row, at offset 1) and y (one row) are broadcast.
		d.Where(dst, device.Strided{Buf: uploadInt(t, d, cond), Offset: 1, Strides: []int{1, 0}},
			device.Strided{Buf: upload(t, d, x), Strides: []int{6, 1}}, device.Strided{Buf: upload(t, d, y), Strides: []int{0, 1}}, shape)
		want := make([]float32, 24)
		for i := range 4 {
			for j := range 6 {
				want[i*6+j] = y[j]
				if cond[1+i] != 0 {
					want[i*6+j] = x[i*6+j]
				}
			}
		}
		expectEqual(t, "Where with an Int32 condition", download(t, d, dst, 24), want)
	})
}
