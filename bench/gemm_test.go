package bench

import (
	"fmt"
	"math/rand/v2"
	"os"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"

	"github.com/tensorgl/tensorgl/device"
	"github.com/tensorgl/tensorgl/kernels"
)

// BenchmarkSgemm times C = A·B on square float32 matrices with tensorgl's
// kernel and, at 512, with gonum's BLAS (Go, with assembly vector loops) on
// the same data.
func BenchmarkSgemm(b *testing.B) {
	type impl struct {
		name  string
		sizes []int
		gemm  func(n int, a, bm, c []float32)
	}
	impls := []impl{
		{"tensorgl", []int{128, 256, 512, 1024}, func(n int, a, bm, c []float32) {
			kernels.Sgemm(false, false, n, n, n, 1, a, n, bm, n, 0, c, n)
		}},
		{"gonum", []int{512}, func(n int, a, bm, c []float32) {
			gonum.Implementation{}.Sgemm(blas.NoTrans, blas.NoTrans, n, n, n, 1, a, n, bm, n, 0, c, n)
		}},
	}
	// Both implementations multiply the same matrices of each size.
	rng := rand.New(rand.NewPCG(1, 2))
	operands := map[int][2][]float32{}
	for _, im := range impls {
		for _, n := range im.sizes {
			if _, ok := operands[n]; !ok {
				operands[n] = [2][]float32{randMatrix(rng, n), randMatrix(rng, n)}
			}
			b.Run(fmt.Sprintf("%s/%d", im.name, n), func(b *testing.B) {
				a, bm, c := operands[n][0], operands[n][1], make([]float32, n*n)
				im.gemm(n, a, bm, c) // warm the pools and caches
				b.ResetTimer()
				for range b.N {
					im.gemm(n, a, bm, c)
				}
				b.ReportMetric(2*float64(n)*float64(n)*float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

func randMatrix(rng *rand.Rand, n int) []float32 {
	m := make([]float32, n*n)
	for i := range m {
		m[i] = rng.Float32()*2 - 1
	}
	return m
}

// hugeEnv names the environment variable that has BenchmarkMatMul multiply
// 8192×8192 matrices on the CPU too.
const hugeEnv = "TENSORGL_BENCH_HUGE"

// BenchmarkMatMul times square products C = A·B on every device, as
// BenchmarkMatMul/<device>/<n>x<n>x<n>, in GFLOP/s: 256³ to 4096³, and
// 8192³ (1.1 TFLOP a call, 768 MiB of operands) on a GPU, or on the CPU
// when $TENSORGL_BENCH_HUGE is set. A software renderer runs 256³ only.
func BenchmarkMatMul(b *testing.B) {
	devs, note := openDevices()
	b.Log(note)
	for _, d := range devs {
		b.Run(d.label, func(b *testing.B) {
			for _, n := range []int{256, 512, 1024, 2048, 4096, 8192} {
				switch {
				case d.soft && n > 256:
					continue
				case n == 8192 && d.label == "cpu" && os.Getenv(hugeEnv) == "":
					b.Logf("8192³ skipped on the CPU: set %s=1 to run it", hugeEnv)
					continue
				}
				c := matMulCase(fmt.Sprintf("%dx%dx%d", n, n, n), false, device.MatMulParams{Batch: 1, M: n, N: n, K: n}, 0)
				b.Run(c.size, func(b *testing.B) { runKernel(b, d.dev, c) })
			}
		})
	}
}
