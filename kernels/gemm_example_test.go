package kernels_test

import (
	"fmt"

	"github.com/tensorgl/tensorgl/kernels"
)

// C = A·Bᵀ for a 2×3 A and a 2×3 B, so C is 2×2.
func ExampleSgemm() {
	a := []float32{
		1, 2, 3,
		4, 5, 6,
	}
	b := []float32{
		1, 0, 1,
		0, 1, 0,
	}
	c := make([]float32, 4)
	kernels.Sgemm(false, true, 2, 2, 3, 1, a, 3, b, 3, 0, c, 2)
	fmt.Println(c)
	// Output: [4 2 10 5]
}
