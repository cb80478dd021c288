//go:build !amd64 || purego

package kernels

// sgemmArchs lists the micro-kernels this machine runs, fastest first, and
// sgemmBest those Sgemm picks from.
var sgemmArchs, sgemmBest = []*sgemmArch{sgemmGo}, []*sgemmArch{sgemmGo}

// packAcross8 transposes eight rows into a packed sliver; see packAcross8Go.
var packAcross8 = packAcross8Go

// packAcross6 is nil: packSliver packs six rows four and one at a time.
var packAcross6 func(dst, src []float32, ld, w, kc int)

// packAlong copies rows into a packed sliver; see packAlongGo.
var packAlong = packAlongGo
