package devicetest

import (
	"math"
	"math/rand/v2"

	"github.com/tensorgl/tensorgl/device"
)

// gatherCases cover torch.gather strides {M·Inner, Inner, 1}, IndexSelect
// {0, 1, 0} (embedding lookup, and selection along a middle axis), a label
// pick with M = 1, indices read at an offset, 1-sized axes, and more picks
// than rows so that indices repeat (which ScatterAdd must sum).
var gatherCases = []struct {
	name       string
	p          device.GatherParams
	idxOffset  int
	idxStrides []int
}{
	{"gather", device.GatherParams{Outer: 3, N: 5, M: 4, Inner: 2}, 0, []int{8, 2, 1}},
	{"indexSelect", device.GatherParams{Outer: 1, N: 11, M: 7, Inner: 6}, 0, []int{0, 1, 0}},
	{"indexSelectMiddle", device.GatherParams{Outer: 3, N: 4, M: 5, Inner: 2}, 1, []int{0, 1, 0}},
	{"pick", device.GatherParams{Outer: 6, N: 10, M: 1, Inner: 1}, 2, []int{1, 0, 0}},
	{"inner1", device.GatherParams{Outer: 4, N: 3, M: 5, Inner: 1}, 3, []int{5, 1, 0}},
	{"n1", device.GatherParams{Outer: 1, N: 1, M: 3, Inner: 4}, 0, []int{12, 4, 1}},
	{"repeat", device.GatherParams{Outer: 2, N: 3, M: 9, Inner: 3}, 0, []int{27, 3, 1}},
}

// gatherIndices returns an index buffer for p walked at offset with strides,
// every element a valid index, and the index each (o, m, i) reads.
func gatherIndices(r *rand.Rand, p device.GatherParams, offset int, strides []int) (buf []int32, at func(o, m, i int) int) {
	size := offset + (p.Outer-1)*strides[0] + (p.M-1)*strides[1] + (p.Inner-1)*strides[2] + 3
	buf = make([]int32, size)
	for i := range buf {
		buf[i] = int32(r.IntN(p.N))
	}
	return buf, func(o, m, i int) int {
		return int(buf[offset+o*strides[0]+m*strides[1]+i*strides[2]])
	}
}

func testGather(t tb, d device.Device) {
	for _, c := range gatherCases {
		subtest(t, c.name, func(t tb) {
			r := newRand(t)
			p := c.p
			src := draw(r, p.Outer*p.N*p.Inner, device.Wide(6))
			idx, at := gatherIndices(r, p, c.idxOffset, c.idxStrides)
			want := make([]float32, p.Outer*p.M*p.Inner)
			for o := range p.Outer {
				for m := range p.M {
					for i := range p.Inner {
						want[(o*p.M+m)*p.Inner+i] = src[(o*p.N+at(o, m, i))*p.Inner+i]
					}
				}
			}
			dst := upload(t, d, filled(len(want), sentinel))
			d.Gather(dst, upload(t, d, src), device.Strided{Buf: uploadInt(t, d, idx), Offset: c.idxOffset, Strides: c.idxStrides}, p)
			expectEqual(t, describe(p)+" idx strides "+describe(c.idxStrides), download(t, d, dst, len(want)), want)
		})
	}
}

func testScatterAdd(t tb, d device.Device) {
	for _, c := range gatherCases {
		subtest(t, c.name, func(t tb) {
			r := newRand(t)
			p := c.p
			src := draw(r, p.Outer*p.M*p.Inner, device.Mostly(device.Between(-1, 1), device.Wide(4)))
			dst0 := draw(r, p.Outer*p.N*p.Inner, device.Between(-1, 1))
			idx, at := gatherIndices(r, p, c.idxOffset, c.idxStrides)
			acc := newAccumulator(len(dst0))
			for j, v := range dst0 {
				acc.add(j, float64(v))
			}
			for o := range p.Outer {
				for m := range p.M {
					for i := range p.Inner {
						acc.add((o*p.N+at(o, m, i))*p.Inner+i, float64(src[(o*p.M+m)*p.Inner+i]))
					}
				}
			}
			srcBuf := upload(t, d, src)
			idxOp := device.Strided{Buf: uploadInt(t, d, idx), Offset: c.idxOffset, Strides: c.idxStrides}
			what := describe(p) + " idx strides " + describe(c.idxStrides)
			var first []float32
			for run := range 2 {
				dst := upload(t, d, dst0)
				d.ScatterAdd(dst, srcBuf, idxOp, p)
				got := download(t, d, dst, len(dst0))
				if run == 0 {
					expectClose(t, what, got, acc.sum, acc.bounds(0))
					first = got
				} else {
					expectEqual(t, "a second identical ScatterAdd (the sum order is fixed, so the bits must repeat): "+what, got, first)
				}
			}
			// Overwrite: the sums alone over a destination of NaNs (it must
			// not be read), 0 where no index points; the bits of the sums
			// added to zeros.
			sums := newAccumulator(len(dst0))
			for o := range p.Outer {
				for m := range p.M {
					for i := range p.Inner {
						sums.add((o*p.N+at(o, m, i))*p.Inner+i, float64(src[(o*p.M+m)*p.Inner+i]))
					}
				}
			}
			dst := upload(t, d, filled(len(dst0), float32(math.NaN())))
			po := p
			po.Overwrite = true
			d.ScatterAdd(dst, srcBuf, idxOp, po)
			got := download(t, d, dst, len(dst0))
			expectClose(t, "overwriting "+what, got, sums.sum, sums.bounds(0))
			zeros := upload(t, d, make([]float32, len(dst0)))
			d.ScatterAdd(zeros, srcBuf, idxOp, p)
			expectEqual(t, "overwriting, against adding to zeros: "+what, got, download(t, d, zeros, len(dst0)))
		})
	}
}
