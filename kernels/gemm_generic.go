//go:build !amd64 || purego

package kernels

// sgemmArchs lists the micro-kernels this machine runs, fastest first, and
// sgemmBest those Sgemm picks from.
var sgemmArchs, sgemmBest = []*sgemmArch{sgemmGo}, []*sgemmArch{sgemmGo}

// packAcross8 transposes eight rows into a packed sliver; see packAcross8Go.
var packAcross8 = packAcross8Go

// packAlong copies rows into a packed sliver; see packAlongGo.
var packAlong = packAlongGo
