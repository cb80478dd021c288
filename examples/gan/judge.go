package main

import (
	"github.com/tensorgl/tensorgl/data"
	"github.com/tensorgl/tensorgl/internal/train"
	"github.com/tensorgl/tensorgl/tensor"
)

// judgeCount is how many images the judge scores: generated ones, real
// test images, and the real training images the Fréchet distances are
// measured from.
const judgeCount = 10000

// quality is what the judge measured.
type quality struct {
	// ISGenerated and ISTest are Inception-Score-style numbers (with the
	// judge's 10 classes, between 1 and 10) of the generated and of real
	// test images.
	ISGenerated, ISTest float64
	// FDGenerated and FDTest are the Fréchet distances of the judge's
	// penultimate features of generated and of real test images from those
	// of real training images.
	FDGenerated, FDTest float64
}

// judgeSamples scores judgeCount images drawn by the generator (in
// evaluation mode) with j, the LeNet checkpoint at path, and, for scale, as
// many real test images.
func judgeSamples(p *train.Program, m *gan, j *train.Judge, path string, trainSet, testSet *data.Dataset) (*quality, error) {
	var err error
	size := trainSet.SampleSize()
	gen := make([]float32, 0, judgeCount*size)
	noise := tensor.NewGenerator(p.Seed + 2)
	m.g.Train(false)
	defer m.g.Train(true)
	for len(gen) < judgeCount*size && err == nil {
		n := min(256, judgeCount-len(gen)/size)
		tensor.NoGrad(func(s *tensor.Scope) {
			x := m.g.Forward(s.Own(tensor.RandN(noise, n, m.noise)))
			buf := make([]float32, n*size)
			if err = x.ReadTo(buf); err == nil {
				for _, v := range buf {
					gen = append(gen, (v+1)/2) // [−1, 1] → the judge's [0, 1]
				}
			}
		})
	}
	if err != nil {
		return nil, err
	}
	assess := func(pix []float32) (probs, feats [][]float64, err error) { return j.Assess(pix, len(pix)/size) }
	pg, fg, err := assess(gen)
	if err != nil {
		return nil, err
	}
	ref := func(d *data.Dataset) []float32 { return d.X[:min(judgeCount, d.Len())*size] }
	pt, ft, err := assess(ref(testSet))
	if err != nil {
		return nil, err
	}
	_, fr, err := assess(ref(trainSet))
	if err != nil {
		return nil, err
	}
	q := &quality{ISGenerated: train.InceptionScore(pg), ISTest: train.InceptionScore(pt)}
	if q.FDGenerated, err = train.FrechetDistance(fg, fr); err != nil {
		return nil, err
	}
	if q.FDTest, err = train.FrechetDistance(ft, fr); err != nil {
		return nil, err
	}
	p.Printf("judge %s: Inception-Score-style number %.3f for %d generated images, %.3f for %d real test images; "+
		"Fréchet distance of the judge's %d penultimate features from %d real training images: %.3f generated, %.3f real test\n",
		path, q.ISGenerated, len(pg), q.ISTest, len(pt), len(fg[0]), len(fr), q.FDGenerated, q.FDTest)
	return q, nil
}
