//go:build cgo && !nogl

package gl

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/go-gl/gl/v4.3-core/gl"
	"github.com/tensorgl/tensorgl/device"
)

// openOrSkip opens a GL device, skipping the test only when this machine
// cannot make a GL 4.3 context at all and TENSORGL_REQUIRE_GL is unset (CI
// sets it, so the GL suite cannot be skipped silently there).
func openOrSkip(t *testing.T) *Device {
	t.Helper()
	d, err := Open()
	if errors.Is(err, device.ErrUnavailable) && os.Getenv("TENSORGL_REQUIRE_GL") == "" {
		t.Skipf("no OpenGL 4.3 context on this machine: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("GL device: %s, %s", d.Info().Renderer, d.Info().Version)
	// internal/testdevices.RendererEnv (not imported: it imports this
	// package): the renderer a run must be on, such as make test-zink's.
	if want := os.Getenv("TENSORGL_TEST_RENDERER"); want != "" && !strings.Contains(d.Info().Renderer, want) {
		d.Close()
		t.Fatalf("TENSORGL_TEST_RENDERER=%s, but the device opened on %s", want, d.Info().Renderer)
	}
	return d
}

// TestLargeDispatch runs kernels whose grids exceed the work-group-count
// limit, so they must be split into several dispatches.
func TestLargeDispatch(t *testing.T) {
	d := openOrSkip(t)
	defer d.Close()
	limit := d.Info().Limits.MaxWorkGroupCount[0]
	if limit > 1<<20 {
		t.Skipf("work-group-count limit %d too large to exceed cheaply", limit)
	}
	n := limit*elemLocal + 1000
	x := d.Alloc(device.Float32, n)
	y := d.Alloc(device.Float32, n)
	defer d.Free(x)
	defer d.Free(y)
	src := make([]float32, n)
	for i := range src {
		src[i] = float32(i % 1000)
	}
	d.Write(x, src)
	before := d.Stats().Dispatches
	d.Unary(y, device.Strided{Buf: x, Strides: []int{1}}, device.UnaryParams{Op: device.Affine, A: 2, B: 1, Shape: []int{n}})
	got := make([]float32, n)
	if err := d.Read(y, got); err != nil {
		t.Fatal(err)
	}
	if k := d.Stats().Dispatches - before; k < 2 {
		t.Errorf("%d elements in groups of %d with limit %d ran as %d dispatch(es), want ≥ 2", n, elemLocal, limit, k)
	}
	for i, v := range got {
		if want := 2*src[i] + 1; v != want {
			t.Fatalf("element %d of %d: got %v, want %v", i, n, v, want)
		}
	}

	// One work group per output row: more rows than the limit.
	rows := limit + 7
	d.Reduce(y, x, device.ReduceAxis(device.Sum, rows, 2, 1))
	sums := make([]float32, rows)
	if err := d.Read(y, sums); err != nil {
		t.Fatal(err)
	}
	for r, v := range sums {
		if want := src[2*r] + src[2*r+1]; v != want {
			t.Fatalf("row %d of %d: sum %v, want %v", r, rows, v, want)
		}
	}
}

// TestConcurrent drives one device from several goroutines (run with -race).
func TestConcurrent(t *testing.T) {
	d := openOrSkip(t)
	defer d.Close()
	const workers, rounds, n = 4, 20, 257
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			x := d.Alloc(device.Float32, n)
			y := d.Alloc(device.Float32, n)
			defer d.Free(x)
			defer d.Free(y)
			src := make([]float32, n)
			got := make([]float32, n)
			for r := range rounds {
				for i := range src {
					src[i] = float32(w*1000 + r*10 + i)
				}
				d.Write(x, src)
				d.Binary(y, device.Strided{Buf: x, Strides: []int{1}}, device.Strided{Buf: x, Strides: []int{1}},
					device.BinaryParams{Op: device.Add, Shape: []int{n}})
				if err := d.Read(y, got); err != nil {
					errs <- err
					return
				}
				for i := range got {
					if got[i] != 2*src[i] {
						errs <- fmt.Errorf("worker %d round %d element %d: got %v, want %v", w, r, i, got[i], 2*src[i])
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestShaderCompileError: a variant that does not compile must come back as
// an error naming the variant and carrying the driver's info log, and the
// device must keep working.
func TestShaderCompileError(t *testing.T) {
	d := openOrSkip(t)
	defer d.Close()
	b := d.Alloc(device.Float32, 4)
	defer d.Free(b)
	d.Unary(b, device.Strided{Buf: b, Strides: []int{1}}, device.UnaryParams{Op: device.UnaryOp(99), Shape: []int{4}})
	err := d.Sync()
	if err == nil {
		t.Fatal("Sync after a kernel with an unknown op returned nil")
	}
	for _, want := range []string{"elementwise[MODE_UNARY OP=99", "unknown unary OP"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if err := d.Sync(); err != nil {
		t.Errorf("second Sync: %v, want the error reported once", err)
	}
	d.Fill(b, 0, 4, 3)
	got := make([]float32, 4)
	if err := d.Read(b, got); err != nil || got[3] != 3 {
		t.Errorf("after the compile error: Read = %v, %v; want [3 3 3 3], nil", got, err)
	}
}

// TestStorageBlockLimit: a program that uses more storage blocks than the
// device's limit fails with an error naming it and the counts, also when it
// was compiled under a higher limit, and runs again once the limit allows it.
func TestStorageBlockLimit(t *testing.T) {
	d := openOrSkip(t)
	defer d.Close()
	x, y := d.Alloc(device.Float32, 4), d.Alloc(device.Float32, 4)
	defer d.Free(x)
	defer d.Free(y)
	d.Fill(x, 0, 4, 2)
	add := func() error {
		d.Binary(y, device.Strided{Buf: x, Strides: []int{1}}, device.Strided{Buf: x, Strides: []int{1}},
			device.BinaryParams{Op: device.Add, Shape: []int{4}})
		return d.Sync()
	}
	if err := add(); err != nil {
		t.Fatal(err)
	}
	limit := d.info.Limits.MaxStorageBlocks
	d.info.Limits.MaxStorageBlocks = 2
	err := add()
	d.info.Limits.MaxStorageBlocks = limit
	if err == nil {
		t.Fatal("an Add (3 storage blocks) under a limit of 2 returned no error")
	}
	for _, want := range []string{"elementwise[", "uses 3 storage blocks, more than the 2"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	d.Fill(y, 0, 4, 0)
	got := make([]float32, 4)
	if err := add(); err != nil {
		t.Fatal(err)
	}
	if err := d.Read(y, got); err != nil || got[3] != 4 {
		t.Errorf("under the device's limit again: Read = %v, %v; want [4 4 4 4], nil", got, err)
	}
}

// TestStatsSteadyState: repeating the same sequence of allocations reuses
// pooled buffers and allocates no new GL buffers.
func TestStatsSteadyState(t *testing.T) {
	d := openOrSkip(t)
	defer d.Close()
	step := func() {
		a := d.Alloc(device.Float32, 6*5)
		b := d.Alloc(device.Float32, 5*7)
		c := d.Alloc(device.Float32, 6*7)
		d.Fill(a, 0, 30, 1)
		d.Fill(b, 0, 35, 2)
		d.MatMul(c, a, b, device.Epilogue{}, device.MatMulParams{Batch: 1, M: 6, N: 7, K: 5, Alpha: 1})
		got := make([]float32, 42)
		if err := d.Read(c, got); err != nil || got[41] != 10 {
			t.Fatalf("matmul: %v, %v; want all 10", got, err)
		}
		for _, x := range []device.Buffer{a, b, c} {
			d.Free(x)
		}
	}
	step()
	first := d.Stats()
	step()
	second := d.Stats()
	if second.BuffersAllocated != first.BuffersAllocated {
		t.Errorf("second run allocated %d new buffers, want 0", second.BuffersAllocated-first.BuffersAllocated)
	}
	if second.BuffersReused-first.BuffersReused != 3 {
		t.Errorf("second run reused %d buffers, want 3", second.BuffersReused-first.BuffersReused)
	}
	if second.BytesInUse != 0 || second.Uploads != 0 || second.Downloads != 2 || second.Dispatches != 6 {
		t.Errorf("stats %+v: want 0 bytes in use, 0 uploads, 2 downloads, 6 dispatches", second)
	}
}

// TestGLFW opens the device through a hidden GLFW window; it needs an X
// server (CI runs it under Xvfb).
func TestGLFW(t *testing.T) {
	if os.Getenv("DISPLAY") == "" {
		t.Skip("DISPLAY not set: no X server for a GLFW window")
	}
	t.Setenv(ContextEnv, "glfw")
	d, err := Open()
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	t.Logf("GLFW context: %s, %s", d.Info().Renderer, d.Info().Version)
	b := d.Alloc(device.Float32, 3)
	d.Fill(b, 0, 3, float32(math.Pi))
	got := make([]float32, 3)
	if err := d.Read(b, got); err != nil || got[2] != float32(math.Pi) {
		t.Errorf("Read = %v, %v; want π ×3", got, err)
	}
}

// BenchmarkMatMul reports the tiled GEMM's rate on square matrices,
// excluding transfers.
func BenchmarkMatMul(b *testing.B) {
	d, err := Open()
	if err != nil {
		b.Skip(err)
	}
	defer d.Close()
	const n = 256
	x, y, z := d.Alloc(device.Float32, n*n), d.Alloc(device.Float32, n*n), d.Alloc(device.Float32, n*n)
	d.Fill(x, 0, n*n, 1)
	d.Fill(y, 0, n*n, 0.5)
	p := device.MatMulParams{Batch: 1, M: n, N: n, K: n, Alpha: 1}
	d.MatMul(z, x, y, device.Epilogue{}, p)
	if err := d.Sync(); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		d.MatMul(z, x, y, device.Epilogue{}, p)
	}
	if err := d.Sync(); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(2*n*n*n*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// TestSplitGEMMGrids: the tiled GEMM kernels (matmul, convolution) give
// bit-identical results with the other tiling (each output still sums over
// k in order) and with grids split one work group per dispatch along every
// axis, at sizes spanning several tiles.
func TestSplitGEMMGrids(t *testing.T) {
	whole := openOrSkip(t)
	defer whole.Close()
	split := openOrSkip(t)
	defer split.Close()
	split.groupCap = [3]int{1, 1, 1}
	split.tiles = softwareTiles
	if split.Info().Software {
		split.tiles = hardwareTiles
	}
	// Splitting K changes the order of each sum; TestSplitK covers it.
	whole.splitTarget, split.splitTarget = 0, 0

	mm := device.MatMulParams{Batch: 2, M: 150, N: 131, K: 37, Alpha: 1, StrideA: 150 * 37, StrideB: 37 * 131, StrideC: 150 * 131}
	cv := device.Conv2dParams{N: 2, C: 3, H: 17, W: 15, K: 70, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1, DilH: 1, DilW: 1, Groups: 1}
	xn, wn, yn := cv.N*cv.C*cv.H*cv.W, cv.K*cv.C*cv.R*cv.S, cv.N*cv.K*cv.OutH()*cv.OutW()
	run := func(d *Device) []float32 {
		in := func(n int, seed uint64) device.Buffer {
			b := d.Alloc(device.Float32, n)
			d.Random(b, device.RandomParams{Dist: device.Normal, A: 0, B: 1, Seed: seed})
			return b
		}
		a, b, c := in(2*150*37, 1), in(2*37*131, 2), d.Alloc(device.Float32, 2*150*131)
		d.MatMul(c, a, b, device.Epilogue{}, mm)
		x, w, y := in(xn, 3), in(wn, 4), d.Alloc(device.Float32, yn)
		d.Conv2d(y, x, w, device.Epilogue{}, cv)
		dx, dw := d.Alloc(device.Float32, xn), d.Alloc(device.Float32, wn)
		d.Conv2dBackwardInput(dx, y, w, device.Epilogue{}, cv)
		d.Conv2dBackwardWeight(dw, nil, x, y, cv)
		out := make([]float32, 0, 2*150*131+yn+xn+wn)
		for _, r := range []struct {
			b device.Buffer
			n int
		}{{c, 2 * 150 * 131}, {y, yn}, {dx, xn}, {dw, wn}} {
			v := make([]float32, r.n)
			if err := d.Read(r.b, v); err != nil {
				t.Fatal(err)
			}
			out = append(out, v...)
		}
		return out
	}
	before := split.Stats().Dispatches
	want, got := run(whole), run(split)
	if n := split.Stats().Dispatches - before; n < 100 {
		t.Errorf("split device ran %d dispatches, want one per work group (≥ 100)", n)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("element %d: split grid gives %v, whole grid %v", i, got[i], want[i])
		}
	}
}

// TestSplitK: products with few output tiles and a long K run as K slices
// plus an ordered sum (two dispatches), under both tilings, and match a
// float64 reference: MatMul with transposes, offsets, batch strides and β,
// and each convolution pass, one of them grouped and strided.
func TestSplitK(t *testing.T) {
	d := openOrSkip(t)
	defer d.Close()
	d.splitTarget = hardwareSplitTarget // split these shapes on any machine
	d.convDirect = false                // the convolutions' few channels as implicit GEMMs too
	// hardwareTiles take their small tiles for these products; plain,
	// 128×128.
	for _, tiles := range []gemmTiles{softwareTiles, *softwareTiles.thin, hardwareTiles, hardwareTiles.plain(), *hardwareTiles.thin} {
		d.tiles = tiles
		t.Run(fmt.Sprintf("tiles%dx%d", tiles.m, tiles.n), func(t *testing.T) { testSplitK(t, d) })
	}
}

func testSplitK(t *testing.T, d *Device) {
	rng := uint64(7)
	rand := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			rng = rng*6364136223846793005 + 1442695040888963407
			v[i] = float32(int64(rng>>40)%2001-1000) / 250 // [-4, 4]
		}
		return v
	}
	upload := func(v []float32) device.Buffer {
		b := d.Alloc(device.Float32, len(v))
		d.Write(b, v)
		return b
	}
	// check runs op, which must take two dispatches (split), and compares
	// out with want to 1e-5 of Σ|terms| per element (float32 sums of up to
	// a few thousand products).
	check := func(name string, out device.Buffer, want, scale []float64, op func()) {
		t.Helper()
		before := d.Stats().Dispatches
		op()
		got := make([]float32, len(want))
		if err := d.Read(out, got); err != nil {
			t.Fatal(err)
		}
		if n := d.Stats().Dispatches - before; n != 2 {
			t.Errorf("%s: %d dispatches, want 2 (K split, then summed)", name, n)
		}
		for i := range want {
			if e := math.Abs(float64(got[i]) - want[i]); !(e <= 1e-5*scale[i]+1e-30) {
				t.Fatalf("%s: element %d = %v, want %v (error %.3g, tolerance %.3g)", name, i, got[i], want[i], e, 1e-5*scale[i])
			}
		}
	}

	// MatMul: batch 2, C[b] = 0.5·Aᵀ·Bᵀ + 2·C[b], M 3, N 5, K 2000, offsets.
	const bt, m, n, k, off = 2, 3, 5, 2000, 7
	p := device.MatMulParams{Batch: bt, M: m, N: n, K: k, TransA: true, TransB: true, Alpha: 0.5, Beta: 2,
		OffA: off, OffB: 2 * off, OffC: 3 * off, StrideA: m*k + 1, StrideB: k*n + 2, StrideC: m*n + 3}
	av, bv, cv := rand(off+bt*(m*k+1)), rand(2*off+bt*(k*n+2)), rand(3*off+bt*(m*n+3))
	a, b, c := upload(av), upload(bv), upload(cv)
	want, scale := make([]float64, len(cv)), make([]float64, len(cv))
	for i, x := range cv {
		want[i], scale[i] = float64(x), 0
	}
	for z := range bt {
		for i := range m {
			for j := range n {
				ci := p.OffC + z*p.StrideC + i*n + j
				var s, sa float64
				for l := range k {
					x := float64(av[p.OffA+z*p.StrideA+l*m+i]) * float64(bv[p.OffB+z*p.StrideB+j*k+l])
					s += x
					sa += math.Abs(x)
				}
				want[ci] = 0.5*s + 2*float64(cv[ci])
				scale[ci] = 0.5*sa + 2*math.Abs(float64(cv[ci]))
			}
		}
	}
	check("MatMul", c, want, scale, func() { d.MatMul(c, a, b, device.Epilogue{}, p) })

	// Convolutions. xAt is x with zero padding; dot accumulates a term.
	type conv struct {
		name string
		p    device.Conv2dParams
	}
	for _, cc := range []conv{
		// Forward: M = K = 2, N = P = 4, K = C·R·S = 576.
		{"Conv2d", device.Conv2dParams{N: 1, C: 64, H: 4, W: 4, K: 2, R: 3, S: 3, StrideH: 1, StrideW: 1, DilH: 1, DilW: 1, Groups: 1}},
		// Backward input: M = C = 1, N = H·W = 4, K = K·R·S = 576.
		{"Conv2dBackwardInput", device.Conv2dParams{N: 1, C: 1, H: 2, W: 2, K: 64, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1, DilH: 1, DilW: 1, Groups: 1}},
		// Backward weight, LeNet's first layer at batch 8: K 6, C·R·S 25, N·P 6272.
		{"Conv2dBackwardWeight", device.Conv2dParams{N: 8, C: 1, H: 28, W: 28, K: 6, R: 5, S: 5, StrideH: 1, StrideW: 1, PadH: 2, PadW: 2, DilH: 1, DilW: 1, Groups: 1}},
		// Backward weight, grouped, strided, dilated.
		{"Conv2dBackwardWeight/groups", device.Conv2dParams{N: 5, C: 4, H: 23, W: 19, K: 6, R: 3, S: 2, StrideH: 2, StrideW: 1, PadH: 1, PadW: 0, DilH: 1, DilW: 2, Groups: 2}},
	} {
		q := cc.p
		oh, ow, g := q.OutH(), q.OutW(), q.Groups
		cg, kg := q.C/g, q.K/g
		xv, wv, yv := rand(q.N*q.C*q.H*q.W), rand(q.K*cg*q.R*q.S), rand(q.N*q.K*oh*ow)
		xi := func(n, c, ih, iw int) int { return ((n*q.C+c)*q.H+ih)*q.W + iw }
		wi := func(k, c, r, s int) int { return ((k*cg+c)*q.R+r)*q.S + s }
		yi := func(n, k, h, w int) int { return ((n*q.K+k)*oh+h)*ow + w }
		var outLen int
		switch {
		case strings.HasPrefix(cc.name, "Conv2dBackwardWeight"):
			outLen = len(wv)
		case cc.name == "Conv2dBackwardInput":
			outLen = len(xv)
		default:
			outLen = len(yv)
		}
		want, scale := make([]float64, outLen), make([]float64, outLen)
		// Every (n, k, oh, ow, c, r, s) tap links x, w and y once; each pass
		// sums the taps that reach its output.
		for nn := range q.N {
			for kk := range q.K {
				gr := kk / kg
				for h := range oh {
					for w := range ow {
						for c := range cg {
							for r := range q.R {
								for s := range q.S {
									ih, iw := h*q.StrideH-q.PadH+r*q.DilH, w*q.StrideW-q.PadW+s*q.DilW
									if ih < 0 || ih >= q.H || iw < 0 || iw >= q.W {
										continue
									}
									xo, wo, yo := xi(nn, gr*cg+c, ih, iw), wi(kk, c, r, s), yi(nn, kk, h, w)
									var o int
									var term float64
									switch {
									case strings.HasPrefix(cc.name, "Conv2dBackwardWeight"):
										o, term = wo, float64(yv[yo])*float64(xv[xo])
									case cc.name == "Conv2dBackwardInput":
										o, term = xo, float64(yv[yo])*float64(wv[wo])
									default:
										o, term = yo, float64(xv[xo])*float64(wv[wo])
									}
									want[o] += term
									scale[o] += math.Abs(term)
								}
							}
						}
					}
				}
			}
		}
		x, w, y := upload(xv), upload(wv), upload(yv)
		out := d.Alloc(device.Float32, outLen)
		check(cc.name, out, want, scale, func() {
			switch {
			case strings.HasPrefix(cc.name, "Conv2dBackwardWeight"):
				d.Conv2dBackwardWeight(out, nil, x, y, q)
			case cc.name == "Conv2dBackwardInput":
				d.Conv2dBackwardInput(out, y, w, device.Epilogue{}, q)
			default:
				d.Conv2d(out, x, w, device.Epilogue{}, q)
			}
		})
	}
}

// TestDeferredErrors: a GL error or a panic on the GL thread comes back from
// the next Sync or Read, once, naming the command; the device keeps working.
func TestDeferredErrors(t *testing.T) {
	d := openOrSkip(t)
	defer d.Close()
	d.enqueue("bad enum", func() { gl.BindBufferBase(0xdead, 0, 0) })
	err := d.Sync()
	if err == nil || !strings.Contains(err.Error(), "GL_INVALID_ENUM") || !strings.Contains(err.Error(), "bad enum") {
		t.Errorf("Sync after an invalid enum = %v, want GL_INVALID_ENUM naming the command", err)
	}
	b := d.Alloc(device.Float32, 2)
	defer d.Free(b)
	d.enqueue("exploding", func() { panic("boom") })
	if err := d.Read(b, make([]float32, 2)); err == nil || !strings.Contains(err.Error(), "exploding: boom") {
		t.Errorf("Read after a panicking command = %v, want the panic", err)
	}
	if err := d.Sync(); err != nil {
		t.Errorf("Sync with nothing wrong = %v", err)
	}
	if err := d.Read(b, make([]int32, 2)); err == nil || !strings.Contains(err.Error(), "want []float32") {
		t.Errorf("Read into the wrong slice type = %v, want an error naming the type", err)
	}
}

func TestCollapse(t *testing.T) {
	for _, c := range []struct {
		shape, a, b  []int
		want, wa, wb []int
	}{
		{[]int{2, 3, 4}, []int{12, 4, 1}, []int{12, 4, 1}, []int{24}, []int{1}, []int{1}},
		{[]int{2, 3, 4}, []int{12, 4, 1}, []int{0, 0, 1}, []int{6, 4}, []int{4, 1}, []int{0, 1}},
		{[]int{2, 3, 4}, []int{12, 4, 1}, []int{0, 1, 0}, []int{2, 3, 4}, []int{12, 4, 1}, []int{0, 1, 0}},
		{[]int{2, 1, 4}, []int{4, 99, 1}, []int{1, 7, 2}, []int{2, 4}, []int{4, 1}, []int{1, 2}},
		{[]int{3, 4}, []int{1, 3}, []int{4, 1}, []int{3, 4}, []int{1, 3}, []int{4, 1}},
		{[]int{5, 2}, []int{0, 0}, []int{2, 1}, []int{10}, []int{0}, []int{1}},
		{[]int{1, 1}, []int{1, 1}, []int{1, 1}, []int{}, []int{}, []int{}},
	} {
		j := collapse(c.shape, device.Strided{Strides: c.a}, device.Strided{Strides: c.b})
		got, ga, gb := j.shape[:j.rank], j.ops[0].st[:j.rank], j.ops[1].st[:j.rank]
		if !slices.Equal(got, c.want) || !slices.Equal(ga, c.wa) || !slices.Equal(gb, c.wb) || j.nops != 2 {
			t.Errorf("collapse(%v, %v, %v) = %v, %v, %v; want %v, %v, %v",
				c.shape, c.a, c.b, got, ga, gb, c.want, c.wa, c.wb)
		}
	}
}

// TestSplitKChoice: the split covers K exactly once in whole tile steps,
// splits only products that leave the device mostly idle, and never splits
// a short K.
func TestSplitKChoice(t *testing.T) {
	for _, c := range []struct {
		name           string
		t              gemmTiles
		target         int
		batch, m, n, k int
		wantSplit      bool
	}{
		{"lenet-dw1", *hardwareTiles.thin, hardwareSplitTarget, 1, 6, 25, 64 * 28 * 28, true},
		{"lenet-dw2", *hardwareTiles.thin, hardwareSplitTarget, 1, 16, 150, 64 * 10 * 10, true},
		{"512-cube", hardwareTiles, hardwareSplitTarget, 1, 512, 512, 512, true},
		{"resnet-dx-256-groups", hardwareTiles, hardwareSplitTarget, 32, 64, 1024, 576, false},
		{"short-k", hardwareTiles, hardwareSplitTarget, 1, 3, 5, 127, false},
		{"never", hardwareTiles, 0, 1, 3, 5, 100000, false},
		{"llvmpipe-2-cores-lenet-dw1", *softwareTiles.thin, 4, 1, 6, 25, 64 * 28 * 28, true},
		{"llvmpipe-2-cores-mlp-forward", softwareTiles, 4, 1, 64, 128, 784, false},
		{"odd-k", softwareTiles, 64, 1, 7, 9, 1001, true},
	} {
		splits, chunk := c.t.splitK(c.target, c.batch, c.m, c.n, c.k)
		if (splits > 1) != c.wantSplit {
			t.Errorf("%s: %d splits, want split=%v", c.name, splits, c.wantSplit)
		}
		if splits == 1 {
			if chunk != c.k {
				t.Errorf("%s: one split of %d, want all of K = %d", c.name, chunk, c.k)
			}
			continue
		}
		groups := c.batch * ((c.m + c.t.m - 1) / c.t.m) * ((c.n + c.t.n - 1) / c.t.n)
		if chunk%c.t.k != 0 || (splits-1)*chunk >= c.k || splits*chunk < c.k || chunk < 8*c.t.k {
			t.Errorf("%s: %d splits of %d do not cover K = %d once in whole steps of %d (at least 8)", c.name, splits, chunk, c.k, c.t.k)
		}
		if splits*groups > 2*c.target {
			t.Errorf("%s: %d splits × %d groups, want at most about %d groups", c.name, splits, groups, c.target)
		}
	}
}

// TestScatterBuckets: ScatterAdd through buckets (six passes) gives the
// same bits as the per-element scan, for repeated and skewed indices (one
// row taking most of them), several outer slices, an index offset, and
// Inner = 1 with an inner index stride.
func TestScatterBuckets(t *testing.T) {
	d := openOrSkip(t)
	defer d.Close()
	rng := uint64(11)
	next := func(n int) int {
		rng = rng*6364136223846793005 + 1442695040888963407
		return int(rng>>33) % n
	}
	for _, c := range []struct {
		name    string
		p       device.GatherParams
		off     int
		strides []int
		skew    bool
	}{
		{"embedding", device.GatherParams{Outer: 1, N: 1000, M: 2000, Inner: 4}, 0, []int{0, 1, 0}, false},
		{"outer-offset", device.GatherParams{Outer: 3, N: 7, M: 300, Inner: 5}, 9, []int{300, 1, 0}, false},
		{"skewed", device.GatherParams{Outer: 2, N: 50, M: 700, Inner: 3}, 0, []int{700, 1, 0}, true},
		{"inner1", device.GatherParams{Outer: 2, N: 600, M: 257, Inner: 1}, 1, []int{257, 1, 5}, false},
	} {
		p := c.p
		idx := make([]int32, c.off+(p.Outer-1)*c.strides[0]+(p.M-1)*c.strides[1]+(p.Inner-1)*c.strides[2]+1)
		for i := range idx {
			idx[i] = int32(next(p.N))
			if c.skew && next(10) < 8 {
				idx[i] = 3
			}
		}
		src := make([]float32, p.Outer*p.M*p.Inner)
		for i := range src {
			src[i] = float32(next(20001)-10000) / 997
		}
		dst0 := make([]float32, p.Outer*p.N*p.Inner)
		for i := range dst0 {
			dst0[i] = float32(next(2001)-1000) / 1000
		}
		run := func(minM int) ([]float32, int64) {
			d.scatterBucketMinM, d.scatterScanMax = minM, 0
			ib := d.Alloc(device.Int32, len(idx))
			d.Write(ib, idx)
			sb, db := d.Alloc(device.Float32, len(src)), d.Alloc(device.Float32, len(dst0))
			d.Write(sb, src)
			d.Write(db, dst0)
			before := d.Stats().Dispatches
			d.ScatterAdd(db, sb, device.Strided{Buf: ib, Offset: c.off, Strides: c.strides}, p)
			got := make([]float32, len(dst0))
			if err := d.Read(db, got); err != nil {
				t.Fatal(err)
			}
			n := d.Stats().Dispatches - before
			for _, b := range []device.Buffer{ib, sb, db} {
				d.Free(b)
			}
			return got, n
		}
		want, nScan := run(1 << 30)
		got, nBuckets := run(0)
		if nScan != 1 || nBuckets != 6 {
			t.Errorf("%s: %d dispatches scanning, %d with buckets; want 1 and 6", c.name, nScan, nBuckets)
		}
		for i := range want {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("%s: element %d = %v with buckets, %v scanning", c.name, i, got[i], want[i])
			}
		}
	}
}

// TestScatterChoice: a scatter of more than defaultScatterBucketMinM
// indices is bucketed (six dispatches) on a software renderer; on hardware
// only where scanning would read more than hardwareScatterScanMax indices,
// else scanned (one): a position embedding's gradient scanned, a token
// embedding's bucketed.
func TestScatterChoice(t *testing.T) {
	d := openOrSkip(t)
	defer d.Close()
	if want := 0; d.softDefaults && d.scatterScanMax != want {
		t.Errorf("a software renderer scans up to %d index reads, want %d", d.scatterScanMax, want)
	}
	for _, c := range []struct {
		name   string
		p      device.GatherParams
		sw, hw int64
	}{
		{"positions", device.GatherParams{Outer: 1, N: 64, M: 64, Inner: 256}, 6, 1},
		{"tokens", device.GatherParams{Outer: 1, N: 256, M: 4096, Inner: 256}, 6, 6},
		{"pick", device.GatherParams{Outer: 4096, N: 256, M: 1, Inner: 1}, 1, 1},
	} {
		p := c.p
		ib := d.Alloc(device.Int32, p.M)
		d.Write(ib, make([]int32, p.M))
		sb, db := d.Alloc(device.Float32, p.Outer*p.M*p.Inner), d.Alloc(device.Float32, p.Outer*p.N*p.Inner)
		for _, hw := range []bool{false, true} {
			d.scatterScanMax = 0
			want := c.sw
			if hw {
				d.scatterScanMax, want = hardwareScatterScanMax, c.hw
			}
			before := d.Stats().Dispatches
			d.ScatterAdd(db, sb, device.Strided{Buf: ib, Strides: []int{0, 1, 0}}, p)
			if err := d.Sync(); err != nil {
				t.Fatal(err)
			}
			if n := d.Stats().Dispatches - before; n != want {
				t.Errorf("%s (hardware %v): %d dispatches, want %d", c.name, hw, n, want)
			}
		}
		for _, b := range []device.Buffer{ib, sb, db} {
			d.Free(b)
		}
	}
}

// TestOptimDispatches checks that an optimizer step binds as many tensors
// per dispatch as the storage-block limit allows: ⌈tensors/slots⌉
// dispatches, slots = ⌊blocks/buffers per tensor⌋ (at most maxOptimSlots),
// at this context's limit and at GL 4.3's minimum of 8.
func TestOptimDispatches(t *testing.T) {
	d := openOrSkip(t)
	defer d.Close()
	const tensors, n = 13, 5
	bufs := make([]device.Buffer, 4*tensors)
	for i := range bufs {
		bufs[i] = d.Alloc(device.Float32, n)
		d.Fill(bufs[i], 0, n, 1)
		defer d.Free(bufs[i])
	}
	sgd := make([]device.SGDTensor, tensors)
	adam := make([]device.AdamTensor, tensors)
	for i := range tensors {
		b := bufs[4*i : 4*i+4]
		sgd[i] = device.SGDTensor{Param: b[0], Grad: b[1], Buf: b[2], N: n, FirstStep: true}
		adam[i] = device.AdamTensor{Param: b[0], Grad: b[1], M: b[2], V: b[3], N: n, Step: 1}
	}
	for _, blocks := range []int{d.info.Limits.MaxStorageBlocks, 8} {
		d.info.Limits.MaxStorageBlocks = blocks
		for _, c := range []struct {
			name      string
			perTensor int // storage blocks
			step      func()
		}{
			{"sgd", 2, func() { d.SGDStep(sgd, device.SGDParams{LR: 0.1}) }},
			{"sgd-momentum", 3, func() { d.SGDStep(sgd, device.SGDParams{LR: 0.1, Momentum: 0.9}) }},
			{"adam", 4, func() { d.AdamStep(adam, device.AdamParams{LR: 0.1, Beta1: 0.9, Beta2: 0.99}) }},
		} {
			if err := d.Sync(); err != nil { // counts the fills
				t.Fatal(err)
			}
			before := d.Stats().Dispatches
			c.step()
			if err := d.Sync(); err != nil {
				t.Fatalf("%s with %d storage blocks: %v", c.name, blocks, err)
			}
			slots := min(blocks/c.perTensor, maxOptimSlots)
			if got, want := d.Stats().Dispatches-before, int64((tensors+slots-1)/slots); got != want {
				t.Errorf("%s of %d tensors with %d storage blocks: %d dispatches, want %d", c.name, tensors, blocks, got, want)
			}
		}
	}
}

// TestVecTilesSameBits: the GEMM core reading its tiles as vec4, double-
// buffering them, or both, gives the scalar core's results to the bit,
// with the software, hardware and thin tilings (thin tiles stay scalar
// under vec4) and one of more rows than invocations, for a product whose
// sides are no multiple of any tile and whose K takes several steps; and
// so do A's row sums (Epilogue.BiasGrad), which every tiling adds in K
// order, within the "accumulate" tolerance of float64 sums.
func TestVecTilesSameBits(t *testing.T) {
	d := openOrSkip(t)
	defer d.Close()
	const m, n, k = 70, 131, 45
	rng := rand.New(rand.NewPCG(7, 1))
	av, bv := make([]float32, m*k), make([]float32, k*n)
	for i := range av {
		av[i] = float32(rng.NormFloat64())
	}
	for i := range bv {
		bv[i] = float32(rng.NormFloat64())
	}
	a, b, c, rs := d.Alloc(device.Float32, m*k), d.Alloc(device.Float32, k*n), d.Alloc(device.Float32, m*n), d.Alloc(device.Float32, m)
	defer d.Free(a)
	defer d.Free(b)
	defer d.Free(c)
	defer d.Free(rs)
	d.Write(a, av)
	d.Write(b, bv)
	sums, bounds := make([]float64, m), make([]float64, m)
	for i := range m {
		abs := 0.0
		for _, v := range av[i*k : (i+1)*k] {
			sums[i] += float64(v)
			abs += math.Abs(float64(v))
		}
		bounds[i] = device.ToleranceOf("accumulate").Bound(float64(k+2)*abs, 0)
	}
	nans := make([]float32, m)
	for i := range nans {
		nans[i] = float32(math.NaN())
	}
	run := func(tiles gemmTiles) []float32 {
		d.tiles = tiles
		d.Write(rs, nans) // none left from the run before
		d.MatMul(c, a, b, device.Epilogue{BiasGrad: rs}, device.MatMulParams{Batch: 1, M: m, N: n, K: k, Alpha: 1})
		out := make([]float32, m*n+m) // C, then the row sums
		if err := d.Read(c, out[:m*n]); err != nil {
			t.Fatal(err)
		}
		if err := d.Read(rs, out[m*n:]); err != nil {
			t.Fatal(err)
		}
		for i, v := range out[m*n:] {
			if e := math.Abs(float64(v) - sums[i]); !(e <= bounds[i]) {
				t.Fatalf("tiles %+v: row sum %d = %v, want %v ± %.3g", tiles, i, v, sums[i], bounds[i])
			}
		}
		return out
	}
	tall := gemmTiles{m: 128, n: 32, k: 8, lx: 8, ly: 8} // 128 rows, 64 invocations
	for _, tiles := range []gemmTiles{softwareTiles, hardwareTiles, *hardwareTiles.thin, *hardwareTiles.small, tall} {
		tiles = tiles.plain()
		tiles.vec, tiles.db, tiles.gvec = false, false, false
		want := run(tiles)
		for _, mode := range []string{"vec4", "db", "vec4,db", "gvec4", "vec4,db,gvec4", "pad", "gvec4,pad", "db,pad", "vec4,db,gvec4,unroll"} {
			other, err := tiles.withGEMMEnv(mode)
			if err != nil {
				t.Fatal(err)
			}
			got := run(other)
			for i := range want {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("tiles %dx%d, %s: C[%d] (past %d: row sums) = %v, %v with scalar tiles", tiles.m, tiles.n, mode, i, m*n, got[i], want[i])
				}
			}
		}
	}
	if _, err := hardwareTiles.withGEMMEnv("vec8"); err == nil || !strings.Contains(err.Error(), `TENSORGL_GL_GEMM="vec8": want scalar`) {
		t.Errorf("withGEMMEnv(vec8): %v", err)
	}
}

// TestPickFor: products of at most thin.m rows take the thin tiling;
// MatMuls of at most small.m rows or small.n columns, or to which the wide
// tiling gives fewer than smallGroups work groups, the small one, other
// families never; and GEMMEnv, set, gives the tiles
// exactly the choices it lists.
func TestPickFor(t *testing.T) {
	small, thin := *hardwareTiles.small, *hardwareTiles.thin
	for _, c := range []struct {
		family      string
		batch, m, n int
		want        gemmTiles
	}{
		{"matmul", 1, 64, 120, small},  // LeNet's first FC layer: 1 group of 128×128
		{"matmul", 1, 10, 84, thin},    // few rows: thin first
		{"matmul", 1, 512, 384, small}, // 4·3 = 12 groups
		{"matmul", 1, 512, 512, hardwareTiles.plain()},
		{"matmul", 16, 128, 128, hardwareTiles.plain()}, // 16 groups
		{"matmul", 16, 64, 2048, small},                 // 256 groups, each half full
		{"matmul", 16, 512, 32, small},
		{"conv", 1, 64, 120, hardwareTiles.plain()},
		{"rnnstep", 1, 64, 512, hardwareTiles.plain()},
	} {
		got := hardwareTiles.pickFor(c.family, c.batch, c.m, c.n).plain()
		if got != c.want.plain() {
			t.Errorf("%s %d×%d×%d: %v, want %v", c.family, c.batch, c.m, c.n, got, c.want)
		}
		if got := softwareTiles.pickFor(c.family, c.batch, c.m, c.n); c.m > softwareTiles.thin.m && got.m != softwareTiles.m {
			t.Errorf("llvmpipe's tiles for %s %d×%d×%d: %v, want its wide ones (no small tiling)", c.family, c.batch, c.m, c.n, got)
		}
	}
	padded := gemmTiles{m: 64, n: 64, k: 8, lx: 16, ly: 16, pad: true}
	if !slices.Contains(padded.defs(), "PAD_SMEM") || slices.Contains(padded.withVec().defs(), "PAD_SMEM") {
		t.Errorf("defines %v, as vec4 %v: want PAD_SMEM for the scalar tiles only", padded.defs(), padded.withVec().defs())
	}
	if !hardwareTiles.gvec || hardwareTiles.vec || hardwareTiles.db {
		t.Errorf("hardware tiles %v: want scalar shared memory and vec4 loads", hardwareTiles)
	}
	for v, want := range map[string][4]bool{"": {false, false, true, true}, "scalar": {}, "db": {false, true, false, false},
		"vec4,gvec4": {true, false, true, false}, "gvec4,small": {false, false, true, true}, "pad": {}, "unroll": {}} {
		got, err := hardwareTiles.withGEMMEnv(v)
		if err != nil || [4]bool{got.vec, got.db, got.gvec, got.small != nil} != want || got.thin != hardwareTiles.thin ||
			got.small != nil && got.small != hardwareTiles.small || got.pad != (v == "pad") || got.unroll != (v == "unroll") {
			t.Errorf("%s=%q: %v (%v), want vec4, db, gvec4, small %v and the thin tiling kept", GEMMEnv, v, got, err, want)
		}
	}
}

// TestSplitFusedSameBits: split products summed in their own dispatch
// (SplitFuseEnv) give the two passes' results to the bit, in one dispatch
// each: MatMul with a bias and activation, with A's row sums, batched and
// transposed, and a convolution's weight gradient with its bias gradient,
// under the device's tiles and a GPU's.
func TestSplitFusedSameBits(t *testing.T) {
	d := openOrSkip(t)
	defer d.Close()
	if d.info.Limits.MaxStorageBlocks <= ticketBinding {
		t.Skipf("%d storage blocks: the fused split needs %d", d.info.Limits.MaxStorageBlocks, ticketBinding+1)
	}
	d.splitTarget = hardwareSplitTarget
	// The inputs, written anew from seed before each run: the run counted
	// reads other inputs than the one before it, whose partial sums the
	// pooled scratch may still hold.
	var inputs []device.Buffer
	upload := func(n int) device.Buffer {
		b := d.Alloc(device.Float32, n)
		inputs = append(inputs, b)
		return b
	}
	fill := func(seed uint64) {
		rng := rand.New(rand.NewPCG(seed, 9))
		for _, b := range inputs {
			v := make([]float32, b.Len())
			for i := range v {
				v[i] = float32(rng.NormFloat64())
			}
			d.Write(b, v)
		}
	}
	read := func(b device.Buffer) []float32 {
		v := make([]float32, b.Len())
		if err := d.Read(b, v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	cv := device.Conv2dParams{N: 9, C: 3, H: 30, W: 31, K: 5, R: 5, S: 5, StrideH: 1, StrideW: 1, DilH: 1, DilW: 1, Groups: 1}
	a, b, bias := upload(2*20*3000), upload(2*3000*70), upload(70)
	x, dy := upload(cv.N*cv.C*cv.H*cv.W), upload(cv.N*cv.K*cv.OutH()*cv.OutW())
	cases := []struct {
		name string
		outs []int // the sizes of the outputs
		run  func(outs []device.Buffer)
	}{
		{"matmul bias relu batch 2", []int{2 * 20 * 70}, func(o []device.Buffer) {
			d.MatMul(o[0], a, b, device.Epilogue{Bias: bias, Act: device.ActRelu},
				device.MatMulParams{Batch: 2, M: 20, N: 70, K: 3000, Alpha: 1, StrideA: 20 * 3000, StrideB: 3000 * 70, StrideC: 20 * 70})
		}},
		{"matmul transposed row sums", []int{6 * 25, 6}, func(o []device.Buffer) {
			d.MatMul(o[0], a, b, device.Epilogue{BiasGrad: o[1]},
				device.MatMulParams{Batch: 1, M: 6, N: 25, K: 5000, TransA: true, TransB: true, Alpha: 1})
		}},
		{"conv weight and bias gradients", []int{cv.K * cv.C * cv.R * cv.S, cv.K}, func(o []device.Buffer) {
			d.Conv2dBackwardWeight(o[0], o[1], x, dy, cv)
		}},
	}
	for _, tiles := range []gemmTiles{d.tiles, hardwareTiles} {
		d.tiles = tiles
		d.convDirect = false
		for _, c := range cases {
			var want [][]float32
			for _, fused := range []bool{false, true} {
				d.splitFused = fused
				outs := make([]device.Buffer, len(c.outs))
				for i, n := range c.outs {
					outs[i] = d.Alloc(device.Float32, n)
				}
				fill(1)
				c.run(outs) // the first run of each program, the tickets' allocation
				fill(2)
				for i, o := range outs {
					d.Fill(o, 0, c.outs[i], float32(math.NaN())) // what the run to count leaves unwritten shows
				}
				if err := d.Sync(); err != nil {
					t.Fatal(err)
				}
				before := d.Stats().Dispatches
				c.run(outs)
				if err := d.Sync(); err != nil {
					t.Fatal(err)
				}
				if got, wantN := d.Stats().Dispatches-before, map[bool]int64{false: 2, true: 1}[fused]; got != wantN {
					t.Errorf("%v, %s, fused %v: %d dispatches, want %d (K split)", tiles, c.name, fused, got, wantN)
				}
				for i, o := range outs {
					got := read(o)
					d.Free(o)
					if !fused {
						want = append(want, got)
						continue
					}
					for j := range got {
						if math.Float32bits(got[j]) != math.Float32bits(want[i][j]) {
							t.Fatalf("%v, %s: output %d [%d] = %v fused, %v in two passes", tiles, c.name, i, j, got[j], want[i][j])
						}
					}
				}
			}
		}
	}
}

// TestSplitFuseEnv: SplitFuseEnv unset or 0 keeps the two passes, 1 the
// one, and any other value fails Open naming what it wants.
func TestSplitFuseEnv(t *testing.T) {
	for v, want := range map[string]bool{"": false, "0": false, "1": true} {
		t.Setenv(SplitFuseEnv, v)
		d := openOrSkip(t)
		if d.splitFused != want {
			t.Errorf("%s=%q: fused %v, want %v", SplitFuseEnv, v, d.splitFused, want)
		}
		d.Close()
	}
	t.Setenv(SplitFuseEnv, "yes")
	if _, err := Open(); err == nil || !strings.Contains(err.Error(), `TENSORGL_GL_SPLITFUSE="yes": want 0 or 1`) {
		t.Errorf("Open with %s=yes: %v", SplitFuseEnv, err)
	}
}

// TestEmptyCache: EmptyCache deletes the pooled GL buffers (a buffer created
// after it works, whatever name GL gives it) and leaves buffers in use alone.
func TestEmptyCache(t *testing.T) {
	d := openOrSkip(t)
	defer d.Close()
	kept := d.Alloc(device.Float32, 100)
	defer d.Free(kept)
	d.Fill(kept, 0, 100, 7)
	for i := range 3 {
		a := d.Alloc(device.Float32, 1000)
		d.Fill(a, 0, 1000, float32(i))
		d.Free(a)
	}
	before := d.Stats()
	if !device.EmptyCache(d) {
		t.Fatal("the GL device is not a device.CacheEmptier")
	}
	if s := d.Stats(); s.BytesPooled != 0 || before.BytesPooled == 0 {
		t.Errorf("pooled bytes %d before EmptyCache, %d after; want some, then 0", before.BytesPooled, s.BytesPooled)
	}
	b := d.Alloc(device.Float32, 1000)
	defer d.Free(b)
	d.Fill(b, 0, 1000, 3)
	if s := d.Stats().Sub(before); s.BuffersAllocated != 1 {
		t.Errorf("Alloc after EmptyCache: %d new buffers, want 1", s.BuffersAllocated)
	}
	got := make([]float32, 1000)
	if err := d.Read(b, got); err != nil || got[0] != 3 || got[999] != 3 {
		t.Errorf("new buffer after EmptyCache reads %v…%v, %v; want 3", got[0], got[999], err)
	}
	if err := d.Read(kept, got[:100]); err != nil || got[0] != 7 || got[99] != 7 {
		t.Errorf("buffer in use across EmptyCache reads %v…%v, %v; want 7", got[0], got[99], err)
	}
}

// TestReadStaged: ReadEnv's values, an error naming what was expected for
// any other, and Reads through the staging buffer: of float32 and int32
// buffers, written from the host and by a kernel, of sizes that grow the
// staging buffer, and one past stagedReadMax (read directly), each giving
// the values a direct Read gives.
func TestReadStaged(t *testing.T) {
	for _, c := range []struct {
		v    string
		want bool
	}{{"", false}, {"direct", false}, {"staged", true}} {
		t.Setenv(ReadEnv, c.v)
		if got, err := readSetting(); got != c.want || err != nil {
			t.Errorf("%s=%q: %v, %v; want %v", ReadEnv, c.v, got, err, c.want)
		}
	}
	t.Setenv(ReadEnv, "mapped")
	if _, err := readSetting(); err == nil || !strings.Contains(err.Error(), `TENSORGL_GL_READ="mapped": want direct or staged`) {
		t.Errorf("%s=mapped: error %v", ReadEnv, err)
	}
	t.Setenv(ReadEnv, "")
	d := openOrSkip(t)
	defer d.Close()
	read := func(b device.Buffer, staged bool) []float32 {
		d.stagedRead = staged
		v := make([]float32, b.Len())
		if err := d.Read(b, v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, n := range []int{1, 3, 300, 70000, stagedReadMax + 1} {
		host := make([]float32, n)
		for i := range host {
			host[i] = float32(i%1000) - 0.25
		}
		a, b := d.Alloc(device.Float32, n), d.Alloc(device.Float32, n)
		d.Write(a, host)
		d.Unary(b, device.Strided{Buf: a, Strides: []int{1}}, device.UnaryParams{Op: device.Affine, A: -1, Shape: []int{n}}) // a kernel's writes
		for _, buf := range []device.Buffer{a, b} {
			want, got := read(buf, false), read(buf, true)
			for i := range want {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("%d elements: staged [%d] = %v, direct %v", n, i, got[i], want[i])
				}
			}
		}
		if want := -host[n-1]; read(b, true)[n-1] != want {
			t.Fatalf("%d elements: the kernel's last value read staged, want %v", n, want)
		}
		d.Free(a)
		d.Free(b)
	}
	if d.stageSize < 70000 || d.stageSize > stagedReadMax {
		t.Errorf("staging buffer of %d elements, want it grown to the largest staged read (70000) and no further", d.stageSize)
	}
	ints := d.Alloc(device.Int32, 5)
	d.Write(ints, []int32{-7, 0, 1 << 30, 3, -1})
	d.stagedRead = true
	got := make([]int32, 5)
	if err := d.Read(ints, got); err != nil || got[0] != -7 || got[2] != 1<<30 || got[4] != -1 {
		t.Errorf("int32 read staged: %v, %v; want [-7 0 1073741824 3 -1]", got, err)
	}
}
