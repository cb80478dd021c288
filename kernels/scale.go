package kernels

// Scale writes src[i]·a to dst[i] for every i of dst (src must be at least
// as long; dst and src may be the same slice). Each product is rounded
// once, as Go's float32 multiplication does, on every path. It is the
// host-side arithmetic of data-parallel training (nn/ddp), where a
// scalar loop over a model's gradients cost more than copying them.
func Scale(dst, src []float32, a float32) {
	if len(dst) == 0 {
		return
	}
	scale(dst, src[:len(dst)], a)
}

// scaleGo is Scale's Go loop, and the reference of the vector kernels.
func scaleGo(d, s []float32, a float32) {
	s = s[:len(d)]
	for i, v := range s {
		d[i] = v * a
	}
}
