package train

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/tensorgl/tensorgl/nn"
	"github.com/tensorgl/tensorgl/tensor"
)

// Judge measures images with a trained classifier (LeNet from
// examples/cnn), as the Inception network measures natural images for the
// Inception Score and the Fréchet Inception Distance.
type Judge struct {
	model     *nn.Sequential
	shape     []int
	mean, std []float32 // the normalisation the classifier was trained with
}

// LoadJudge reads a LeNet checkpoint written by examples/cnn for images of
// shape with classes classes, trained on pixels normalised by mean and std
// per channel (the training set's ChannelStats, as Main uses).
func LoadJudge(path string, shape []int, classes int, mean, std []float32) (*Judge, error) {
	m := LeNet(shape, classes, tensor.NewGenerator(0)).(*nn.Sequential)
	if err := nn.Load(path, m); err != nil {
		return nil, fmt.Errorf("judge: %w", err)
	}
	m.Train(false)
	return &Judge{model: m, shape: shape, mean: mean, std: std}, nil
}

// Assess returns, for n images with pixels in [0, 1] (sample-major in pix),
// the judge's class probabilities and its penultimate features (the input
// of its last linear layer), one row per image, in float64.
func (j *Judge) Assess(pix []float32, n int) (probs, feats [][]float64, err error) {
	size := len(pix) / max(n, 1)
	if n < 1 || size*n != len(pix) {
		return nil, nil, fmt.Errorf("judge: %d values for %d images", len(pix), n)
	}
	plane := size / j.shape[0]
	body := nn.NewSequential(j.model.Layers[:len(j.model.Layers)-1]...)
	head := j.model.Layers[len(j.model.Layers)-1]
	norm := make([]float32, 0, evalBatch*size)
	for lo := 0; lo < n && err == nil; lo += evalBatch {
		hi := min(n, lo+evalBatch)
		norm = norm[:0]
		for k, v := range pix[lo*size : hi*size] {
			c := k % size / plane
			norm = append(norm, (v-j.mean[c])/j.std[c])
		}
		tensor.NoGrad(func(s *tensor.Scope) {
			f := body.Forward(s.FromSlice(norm, append([]int{hi - lo}, j.shape...)...))
			var fs, ps []float32
			if fs, err = readAll(f); err != nil {
				return
			}
			if ps, err = readAll(head.Forward(f).Softmax(-1)); err != nil {
				return
			}
			feats = append(feats, rows(fs, hi-lo)...)
			probs = append(probs, rows(ps, hi-lo)...)
		})
	}
	return probs, feats, err
}

func readAll(t *tensor.Tensor) ([]float32, error) {
	out := make([]float32, t.NumEl())
	return out, t.ReadTo(out)
}

// rows splits v into n float64 rows.
func rows(v []float32, n int) [][]float64 {
	w := len(v) / n
	out := make([][]float64, n)
	for i := range out {
		out[i] = make([]float64, w)
		for k := range w {
			out[i][k] = float64(v[i*w+k])
		}
	}
	return out
}

// InceptionScore is exp(E_x KL(p(y|x) ‖ p(y))) over the rows of probs
// (Salimans et al., 2016), p(y) their mean: 1 when every image gets the
// same prediction, the number of classes when each is classified with
// certainty and the classes are equally frequent. Computed over all rows
// at once, not averaged over splits.
func InceptionScore(probs [][]float64) float64 {
	marginal := make([]float64, len(probs[0]))
	for _, p := range probs {
		for c, v := range p {
			marginal[c] += v / float64(len(probs))
		}
	}
	var kl float64
	for _, p := range probs {
		for c, v := range p {
			if v > 0 {
				kl += v * math.Log(v/marginal[c])
			}
		}
	}
	return math.Exp(kl / float64(len(probs)))
}

// FrechetDistance is the Fréchet distance between Gaussians fitted to the
// rows of a and b (Heusel et al., 2017):
// ‖μa − μb‖² + Tr(Σa + Σb − 2(Σa Σb)^½). Tr((Σa Σb)^½) is the sum of the
// square roots of the eigenvalues of the symmetric Σa^½ Σb Σa^½, which
// has the same spectrum.
func FrechetDistance(a, b [][]float64) (float64, error) {
	ma, ca, err := gaussian(a)
	if err != nil {
		return 0, err
	}
	mb, cb, err := gaussian(b)
	if err != nil {
		return 0, err
	}
	d := 0.0
	for i := range ma {
		d += (ma[i] - mb[i]) * (ma[i] - mb[i])
	}
	rootA, err := sqrtSym(ca)
	if err != nil {
		return 0, err
	}
	var m mat.Dense
	m.Mul(rootA, cb)
	m.Mul(&m, rootA)
	n := len(ma)
	sym := mat.NewSymDense(n, nil)
	for i := range n {
		for j := i; j < n; j++ {
			sym.SetSym(i, j, (m.At(i, j)+m.At(j, i))/2)
		}
	}
	var eig mat.EigenSym
	if !eig.Factorize(sym, false) {
		return 0, fmt.Errorf("frechet distance: eigendecomposition failed")
	}
	tr := 0.0
	for _, v := range eig.Values(nil) {
		tr += math.Sqrt(max(v, 0)) // NOTE: rounding makes zero eigenvalues slightly negative
	}
	return d + mat.Trace(ca) + mat.Trace(cb) - 2*tr, nil
}

// gaussian returns the mean and the covariance (divided by n−1) of the
// rows of x.
func gaussian(x [][]float64) ([]float64, *mat.SymDense, error) {
	if len(x) < 2 {
		return nil, nil, fmt.Errorf("frechet distance: %d samples, want at least 2", len(x))
	}
	n := len(x[0])
	mean := make([]float64, n)
	for _, r := range x {
		for i, v := range r {
			mean[i] += v / float64(len(x))
		}
	}
	cov := mat.NewSymDense(n, nil)
	for i := range n {
		for j := i; j < n; j++ {
			s := 0.0
			for _, r := range x {
				s += (r[i] - mean[i]) * (r[j] - mean[j])
			}
			cov.SetSym(i, j, s/float64(len(x)-1))
		}
	}
	return mean, cov, nil
}

// sqrtSym returns the symmetric square root of a positive semi-definite
// matrix.
func sqrtSym(s *mat.SymDense) (*mat.Dense, error) {
	var eig mat.EigenSym
	if !eig.Factorize(s, true) {
		return nil, fmt.Errorf("frechet distance: eigendecomposition failed")
	}
	var v mat.Dense
	eig.VectorsTo(&v)
	vals := eig.Values(nil)
	n := len(vals)
	d := mat.NewDiagDense(n, nil)
	for i, x := range vals {
		d.SetDiag(i, math.Sqrt(max(x, 0)))
	}
	var r mat.Dense
	r.Mul(&v, d)
	r.Mul(&r, v.T())
	return &r, nil
}
