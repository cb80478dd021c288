package devicetest

import (
	"math"
	"math/rand/v2"

	"github.com/tensorgl/tensorgl/device"
)

// draw returns n values from g.
func draw(r *rand.Rand, n int, g device.Domain) []float32 { return g.Draw(r, n) }

// negZero is −0.
var negZero = float32(math.Copysign(0, -1))
