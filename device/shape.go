package device

import "math"

// CheckedNumElements returns the number of elements of shape and whether
// it is valid: no negative dimension, and the product of the non-zero
// dimensions (which contiguous strides reach, even when another dimension
// is 0) times the 4 bytes of an element within an int.
func CheckedNumElements(shape []int) (int, bool) {
	n, zero := 1, false
	for _, d := range shape {
		switch {
		case d < 0:
			return 0, false
		case d == 0:
			zero = true
		case n > math.MaxInt/4/d:
			return 0, false
		default:
			n *= d
		}
	}
	if zero {
		return 0, true
	}
	return n, true
}

// floorDiv is a/b rounded towards −∞ (b > 0), as output sizes need when the
// window is larger than the padded input and the numerator is negative.
func floorDiv(a, b int) int {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}
