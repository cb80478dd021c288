package data

import (
	"math"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// seqDataset returns n samples of the given shape whose label is the sample
// index and whose values are distinct: sample s, value k is (s·size+k+1)/(n·size+1).
func seqDataset(n int, shape []int) *Dataset {
	d := &Dataset{Name: "seq", Shape: shape, Y: make([]int32, n), Classes: make([]string, n)}
	size := d.SampleSize()
	d.X = make([]float32, n*size)
	for i := range d.X {
		d.X[i] = float32(i+1) / float32(n*size+1)
	}
	for s := range d.Y {
		d.Y[s] = int32(s)
	}
	return d
}

// collect copies every batch of an epoch.
func collect(l *Loader, epoch int, work time.Duration) []Batch {
	var out []Batch
	for b := range l.Epoch(epoch) {
		out = append(out, Batch{X: slices.Clone(b.X), Shape: slices.Clone(b.Shape), Y: slices.Clone(b.Y)})
		time.Sleep(work)
	}
	return out
}

func newLoader(t *testing.T, d *Dataset, cfg LoaderConfig) *Loader {
	t.Helper()
	l, err := NewLoader(d, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestLoaderCoversEpoch(t *testing.T) {
	d := seqDataset(103, []int{1, 2, 3})
	for _, dropLast := range []bool{false, true} {
		l := newLoader(t, d, LoaderConfig{BatchSize: 10, Shuffle: true, Seed: 7, DropLast: dropLast})
		wantBatches := 11
		if dropLast {
			wantBatches = 10
		}
		if l.Len() != wantBatches {
			t.Errorf("drop-last %v: Len %d, want %d", dropLast, l.Len(), wantBatches)
		}
		var orders [][]int32
		for epoch := range 3 {
			batches := collect(l, epoch, 0)
			if len(batches) != wantBatches {
				t.Fatalf("drop-last %v: %d batches, want %d", dropLast, len(batches), wantBatches)
			}
			var seen []int32
			for i, b := range batches {
				n := 10
				if i == 10 {
					n = 3
				}
				if !slices.Equal(b.Shape, []int{n, 1, 2, 3}) || len(b.Y) != n || len(b.X) != n*6 {
					t.Fatalf("batch %d: shape %v, %d labels, %d values; want %d samples", i, b.Shape, len(b.Y), len(b.X), n)
				}
				for j, y := range b.Y {
					if !slices.Equal(b.X[j*6:(j+1)*6], d.X[int(y)*6:int(y+1)*6]) {
						t.Fatalf("batch %d sample %d: values are not those of sample %d", i, j, y)
					}
				}
				seen = append(seen, b.Y...)
			}
			orders = append(orders, slices.Clone(seen))
			slices.Sort(seen)
			if dropLast {
				if len(seen) != 100 || len(slices.Compact(seen)) != 100 {
					t.Errorf("drop-last epoch %d: %d samples, want 100 distinct", epoch, len(seen))
				}
			} else if !slices.Equal(seen, d.Y) {
				t.Errorf("epoch %d does not visit every sample exactly once", epoch)
			}
		}
		if slices.Equal(orders[0], orders[1]) || slices.Equal(orders[1], orders[2]) {
			t.Errorf("drop-last %v: epochs repeat the same order", dropLast)
		}
	}
	// Without shuffling the order is the dataset's.
	l := newLoader(t, d, LoaderConfig{BatchSize: 50})
	if b := collect(l, 4, 0); b[0].Y[0] != 0 || b[2].Y[2] != 102 {
		t.Errorf("unshuffled order starts %v, ends %v", b[0].Y[:3], b[2].Y)
	}
}

func TestLoaderDeterministic(t *testing.T) {
	d := seqDataset(64, []int{2, 5, 5})
	cfg := LoaderConfig{BatchSize: 6, Shuffle: true, Seed: 42, Pad: 2, Flip: true,
		Mean: []float32{0.5, 0.25}, Std: []float32{0.2, 0.3}}
	ref := collect(newLoader(t, d, cfg), 3, 0)
	// A slow consumer and a different prefetch depth see the same batches.
	cfg.Prefetch = 1
	slow := collect(newLoader(t, d, cfg), 3, time.Millisecond)
	if !batchesEqual(ref, slow) {
		t.Error("same seed and epoch gave different batches with a slow consumer")
	}
	// Running the same loader again, and two epochs concurrently, too.
	l := newLoader(t, d, cfg)
	other := make(chan []Batch)
	go func() { other <- collect(l, 3, 0) }()
	if again := collect(l, 3, 0); !batchesEqual(ref, again) || !batchesEqual(ref, <-other) {
		t.Error("concurrent epochs of one loader differ")
	}
	cfg.Seed = 43
	if batchesEqual(ref, collect(newLoader(t, d, cfg), 3, 0)) {
		t.Error("seeds 42 and 43 gave the same batches")
	}
}

func batchesEqual(a, b []Batch) bool {
	return slices.EqualFunc(a, b, func(x, y Batch) bool {
		return slices.Equal(x.X, y.X) && slices.Equal(x.Y, y.Y) && slices.Equal(x.Shape, y.Shape)
	})
}

// reference applies crop offset (dy, dx) and flip to sample s of d, then
// normalises, in float64 — written independently of Loader.transform.
func reference(d *Dataset, s, dy, dx int, flip bool, mean, std []float32) []float64 {
	c, h, w := d.Shape[0], d.Shape[1], d.Shape[2]
	src := d.X[s*c*h*w:]
	out := make([]float64, 0, c*h*w)
	for ch := range c {
		for y := range h {
			for x := range w {
				cx := x
				if flip {
					cx = w - 1 - x
				}
				// padded image coordinates → source coordinates
				py, px := y+dy, cx+dx
				v := 0.0
				if py >= 0 && py < h && px >= 0 && px < w {
					v = float64(src[(ch*h+py)*w+px])
				}
				out = append(out, (v-float64(mean[ch]))/float64(std[ch]))
			}
		}
	}
	return out
}

func TestLoaderAugmentation(t *testing.T) {
	d := seqDataset(40, []int{3, 6, 7})
	const pad = 2
	mean, std := []float32{0.3, 0.5, 0.7}, []float32{0.25, 0.5, 2}
	l := newLoader(t, d, LoaderConfig{BatchSize: 8, Shuffle: true, Seed: 1, Pad: pad, Flip: true, Mean: mean, Std: std})
	offsets := map[[2]int]int{}
	flips := 0
	for epoch := range 5 {
		for _, b := range collect(l, epoch, 0) {
			if !slices.Equal(b.Shape[1:], []int{3, 6, 7}) {
				t.Fatalf("augmented batch shape %v", b.Shape)
			}
			size := d.SampleSize()
			for j, y := range b.Y {
				got := b.X[j*size : (j+1)*size]
				// Exactly one crop and flip explains each sample.
				found := false
				for dy := -pad; dy <= pad && !found; dy++ {
					for dx := -pad; dx <= pad && !found; dx++ {
						for _, flip := range []bool{false, true} {
							want := reference(d, int(y), dy, dx, flip, mean, std)
							if slices.EqualFunc(got, want, func(g float32, w float64) bool { return math.Abs(float64(g)-w) <= 1e-6*math.Max(1, math.Abs(w)) }) {
								offsets[[2]int{dy, dx}]++
								if flip {
									flips++
								}
								found = true
								break
							}
						}
					}
				}
				if !found {
					t.Fatalf("epoch %d: sample %d is no crop/flip of the source within ±%d pixels", epoch, y, pad)
				}
				for ch := range 3 {
					lo, hi := -mean[ch]/std[ch], (1-mean[ch])/std[ch]
					for _, v := range got[ch*42 : (ch+1)*42] {
						if v < lo-1e-6 || v > hi+1e-6 {
							t.Fatalf("value %v of channel %d outside [%v, %v]", v, ch, lo, hi)
						}
					}
				}
			}
		}
	}
	// 200 draws from 25 offsets and a fair coin: all offsets occur, and the
	// flip count is within 5 standard deviations of 100.
	if len(offsets) != 25 || flips < 65 || flips > 135 {
		t.Errorf("%d distinct offsets, %d flips in 200 samples", len(offsets), flips)
	}
}

func TestLoaderStopsOnBreak(t *testing.T) {
	d := seqDataset(100, []int{1, 4, 4})
	l := newLoader(t, d, LoaderConfig{BatchSize: 2, Prefetch: 3})
	before := runtime.NumGoroutine()
	for b := range l.Epoch(0) {
		if b.Y[0] == 10 {
			break
		}
	}
	func() {
		defer func() { recover() }()
		for range l.Epoch(1) {
			panic("body fails")
		}
	}()
	// The producer has exited before the loop statement completes. (Fewer
	// goroutines is fine: one from an earlier test may have finished.)
	if after := runtime.NumGoroutine(); after > before {
		t.Errorf("%d goroutines before the loops, %d after", before, after)
	}
}

func TestLoaderReusesBuffers(t *testing.T) {
	d := seqDataset(1000, []int{1, 8, 8})
	l := newLoader(t, d, LoaderConfig{BatchSize: 5, Shuffle: true, Pad: 1, Flip: true})
	for range l.Epoch(0) { // allocate the buffers once
	}
	allocs := testing.AllocsPerRun(5, func() {
		for range l.Epoch(1) {
		}
	})
	// 200 batches per epoch; what remains is per-epoch setup (channels,
	// goroutine, closures).
	t.Logf("%v allocations per epoch", allocs)
	if allocs > 20 {
		t.Errorf("%v allocations per 200-batch epoch, want a per-epoch constant ≤ 20", allocs)
	}
}

// TestLoaderHugeBatch checks that a batch size or prefetch as large as an
// int gives one batch of the whole set (of each shard), in buffers sized
// by the set rather than by the batch size.
func TestLoaderHugeBatch(t *testing.T) {
	d := seqDataset(10, []int{3, 4, 4})
	for _, cfg := range []LoaderConfig{
		{BatchSize: math.MaxInt / 3},
		{BatchSize: math.MaxInt},
		{BatchSize: 11, Prefetch: math.MaxInt / 3},
		{BatchSize: math.MaxInt, Prefetch: math.MaxInt, Shards: 3, Shard: 2},
	} {
		l := newLoader(t, d, cfg)
		want := 10
		if cfg.Shards == 3 {
			want = 3 // positions 2, 5, 8
		}
		if l.Len() != 1 || l.Samples() != want {
			t.Errorf("%+v: Len %d, Samples %d, want 1 batch of %d", cfg, l.Len(), l.Samples(), want)
		}
		n := 0
		for b := range l.Epoch(0) {
			n++
			if len(b.Y) != want || b.Shape[0] != want || len(b.X) != want*48 || cap(b.X) > 10*48 || cap(b.Y) > 10 {
				t.Errorf("%+v: batch of %d labels, shape %v, %d values (capacity %d), want %d samples in at most the set's memory",
					cfg, len(b.Y), b.Shape, len(b.X), cap(b.X), want)
			}
		}
		if n != 1 {
			t.Errorf("%+v: %d batches, want 1", cfg, n)
		}
	}
}

func TestNewLoaderErrors(t *testing.T) {
	img := seqDataset(10, []int{3, 4, 4})
	flat := seqDataset(10, []int{12})
	for _, tc := range []struct {
		d      *Dataset
		cfg    LoaderConfig
		errHas string
	}{
		{img, LoaderConfig{}, "batch size 0, want at least 1"},
		{img, LoaderConfig{BatchSize: 11, DropLast: true}, "10 samples make no batch of 11"},
		{img, LoaderConfig{BatchSize: math.MaxInt, DropLast: true}, "10 samples make no batch of 9223372036854775807 with drop-last"},
		{seqDataset(0, []int{3, 4, 4}), LoaderConfig{BatchSize: 2}, "the data set is empty, want at least one sample"},
		{seqDataset(0, []int{3, 4, 4}), LoaderConfig{BatchSize: 2, DropLast: true, Shards: 2}, "the data set is empty"},
		{img, LoaderConfig{BatchSize: 2, Mean: []float32{0, 0, 0}}, "both Mean and Std"},
		{img, LoaderConfig{BatchSize: 2, Mean: []float32{0}, Std: []float32{1}}, "1 means and 1 stds, want one per channel (3)"},
		{img, LoaderConfig{BatchSize: 2, Mean: []float32{0, 0, 0}, Std: []float32{1, 0, 1}}, "std 0 for channel 1"},
		{img, LoaderConfig{BatchSize: 2, Mean: []float32{0, 0, 0}, Std: []float32{1, 1, float32(math.Inf(1))}}, "std +Inf for channel 2, want a finite number > 0"},
		{img, LoaderConfig{BatchSize: 2, Mean: []float32{0, float32(math.NaN()), 0}, Std: []float32{1, 1, 1}}, "mean NaN for channel 1, want a finite number"},
		{img, LoaderConfig{BatchSize: 2, Pad: 5}, "crop padding 5, want 0..4"},
		{img, LoaderConfig{BatchSize: 2, Prefetch: -1}, "prefetch -1"},
		{flat, LoaderConfig{BatchSize: 2, Flip: true}, "need a [C H W] sample shape, have [12]"},
		{&Dataset{Name: "bad", Shape: []int{2}, X: make([]float32, 3), Y: []int32{0}, Classes: []string{"a"}}, LoaderConfig{BatchSize: 1}, "want 2 pixel values, have 3"},
	} {
		if _, err := NewLoader(tc.d, tc.cfg); err == nil || !strings.Contains(err.Error(), tc.errHas) {
			t.Errorf("NewLoader(%+v) = %v, want %q", tc.cfg, err, tc.errHas)
		}
	}
}

// BenchmarkLoader measures the loader's pipelines with an idle consumer:
// cifar, a CIFAR-style one (normalise, pad-4 crop, flip) on 3×32×32
// samples; mnist, the image examples' (normalise only) on 1×28×28 ones.
func BenchmarkLoader(b *testing.B) {
	for _, c := range []struct {
		name  string
		shape []int
		batch int
		cfg   LoaderConfig
	}{
		{"cifar", []int{3, 32, 32}, 128, LoaderConfig{Pad: 4, Flip: true}},
		{"mnist", []int{1, 28, 28}, 64, LoaderConfig{}},
	} {
		b.Run(c.name, func(b *testing.B) {
			d := seqDataset(2048, c.shape)
			cfg := c.cfg
			cfg.BatchSize, cfg.Shuffle = c.batch, true
			cfg.Mean, cfg.Std = d.ChannelStats()
			l, err := NewLoader(d, cfg)
			if err != nil {
				b.Fatal(err)
			}
			samples := 0
			for epoch := 0; b.Loop(); epoch++ {
				for bt := range l.Epoch(epoch) {
					samples += len(bt.Y)
				}
			}
			b.ReportMetric(float64(samples)/b.Elapsed().Seconds(), "samples/s")
		})
	}
}

// TestLoaderShardsCoverEpoch checks the DistributedSampler contract: for
// several shard counts, the shards' batches are disjoint, cover every epoch
// exactly once, come in equal numbers, reshuffle per epoch, and batch i of
// the shards together holds batch i of one loader with Shards times the
// batch size (with the same augmentation).
func TestLoaderShardsCoverEpoch(t *testing.T) {
	d := seqDataset(103, []int{1, 4, 4})
	for _, shards := range []int{1, 2, 3, 4, 7} {
		for _, dropLast := range []bool{false, true} {
			const batch = 5
			whole := newLoader(t, d, LoaderConfig{BatchSize: batch * shards, Shuffle: true, Seed: 9, Pad: 1, Flip: true, DropLast: dropLast})
			var ls []*Loader
			for r := range shards {
				ls = append(ls, newLoader(t, d, LoaderConfig{BatchSize: batch, Shuffle: true, Seed: 9, Pad: 1, Flip: true,
					DropLast: dropLast, Shards: shards, Shard: r}))
			}
			var firsts []int32
			for epoch := range 2 {
				count := make([]int, d.Len())
				union := map[int32][]float32{} // label → augmented values
				for r, l := range ls {
					bs := collect(l, epoch, 0)
					if len(bs) != ls[0].Len() || l.Len() != ls[0].Len() {
						t.Fatalf("%d shards, drop-last %v: shard %d has %d batches (Len %d), shard 0 %d", shards, dropLast, r, len(bs), l.Len(), ls[0].Len())
					}
					n := 0
					for _, b := range bs {
						n += len(b.Y)
						for j, y := range b.Y {
							count[y]++
							union[y] = b.X[j*16 : (j+1)*16]
						}
					}
					if n != l.Samples() {
						t.Errorf("%d shards: shard %d yielded %d samples, Samples says %d", shards, r, n, l.Samples())
					}
					if r == 0 && len(bs[0].Y) > 0 {
						firsts = append(firsts, bs[0].Y[0])
					}
				}
				covered := 0
				for s, c := range count {
					if c > 1 {
						t.Fatalf("%d shards, epoch %d: sample %d seen %d times", shards, epoch, s, c)
					}
					covered += c
				}
				want := d.Len()
				if dropLast {
					want = ls[0].Len() * batch * shards
				}
				if covered != want {
					t.Errorf("%d shards, drop-last %v, epoch %d: %d samples covered, want %d", shards, dropLast, epoch, covered, want)
				}
				// Batch i of the whole loader is the union of the shards' batches i.
				for _, b := range collect(whole, epoch, 0)[:ls[0].Len()] {
					for j, y := range b.Y {
						if got, ok := union[y]; !ok || !slices.Equal(got, b.X[j*16:(j+1)*16]) {
							t.Fatalf("%d shards, epoch %d: sample %d of a whole batch missing or augmented differently in the shards", shards, epoch, y)
						}
					}
				}
			}
			if len(firsts) == 2 && firsts[0] == firsts[1] {
				t.Errorf("%d shards: epochs 0 and 1 start with the same sample %d: no reshuffle", shards, firsts[0])
			}
		}
	}
}
