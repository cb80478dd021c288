package train

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"

	"github.com/tensorgl/tensorgl/data"
	"github.com/tensorgl/tensorgl/nn"
	"github.com/tensorgl/tensorgl/nn/interpret"
	"github.com/tensorgl/tensorgl/tensor"
)

// explainCount is how many test images -explain draws; explainSteps the
// integrated-gradients path steps.
const (
	explainCount = 8
	explainSteps = 32
	explainZoom  = 4 // screen pixels per image pixel, each way
)

// Explanation is what writeExplain drew and how well the integrated
// gradients met completeness.
type Explanation struct {
	Path string
	// Labels and Predicted are the true and predicted class per image.
	Labels, Predicted []int
	// Gap is the largest |Σ attributions − (score(x) − score(baseline))|
	// over the images, and Spread the largest |score(x) − score(baseline)|
	// it is measured against.
	Gap, Spread float64
	// GradCAM says whether a fourth panel shows Grad-CAM (models with a
	// convolution only).
	GradCAM bool
}

// writeExplain draws, for the first explainCount test images, one row of
// three panels: the image (channel mean, grey), the saliency |∂score/∂x|
// of the predicted class (white to red, scaled per image) and its
// integrated gradients from the all-zero normalised input, i.e. the
// training set's mean intensity (red where a pixel raised the score, blue
// where it lowered it, scaled per image). Maps sum over channels. For a
// Sequential with a convolution, a fourth panel overlays in red on the
// image the Grad-CAM map of its last convolution (with the activations
// after it), upsampled bilinearly and scaled per image.
func writeExplain(path string, model nn.Module, test *data.Loader) (*Explanation, error) {
	model.Train(false)
	defer model.Train(true)
	var b *data.Batch
	for bb := range test.Epoch(0) {
		b = bb
		break
	}
	if b == nil {
		return nil, fmt.Errorf("explain: the test set is empty")
	}
	n := min(explainCount, b.Shape[0])
	per := len(b.X) / b.Shape[0]
	x := tensor.FromSlice(b.X[:n*per], append([]int{n}, b.Shape[1:]...)...)
	defer x.Release()
	var logits []float32
	tensor.NoGrad(func(s *tensor.Scope) { logits = model.Forward(s.Use(x)).Data() })
	classes := len(logits) / n
	ex := &Explanation{Path: path}
	for i := range n {
		best := 0
		for c, v := range logits[i*classes : (i+1)*classes] {
			if v > logits[i*classes+best] {
				best = c
			}
		}
		ex.Predicted = append(ex.Predicted, best)
		ex.Labels = append(ex.Labels, int(b.Y[i]))
	}
	base := tensor.ZerosLike(x)
	defer base.Release()
	sal, err := interpret.Saliency(model, x, ex.Predicted)
	if err != nil {
		return nil, err
	}
	defer sal.Release()
	ig, err := interpret.IntegratedGradients(model, x, base, ex.Predicted, explainSteps)
	if err != nil {
		return nil, err
	}
	defer ig.Release()
	s0, err := interpret.Scores(model, base, ex.Predicted)
	if err != nil {
		return nil, err
	}
	c, h, w := b.Shape[1], b.Shape[2], b.Shape[3]
	var cams [][]float64
	if features, head, ok := gradCAMSplit(model); ok {
		cam, err := interpret.GradCAM(features, head, x, ex.Predicted)
		if err != nil {
			return nil, err
		}
		ch, cw, cv := cam.Size(1), cam.Size(2), cam.Data()
		cam.Release()
		for i := range n {
			cams = append(cams, upsample(cv[i*ch*cw:(i+1)*ch*cw], ch, cw, h, w))
		}
		ex.GradCAM = true
	}
	xs, ss, gs := x.Data(), sal.Data(), ig.Data()
	for i := range n {
		var sum float64
		for _, v := range gs[i*per : (i+1)*per] {
			sum += float64(v)
		}
		d := float64(logits[i*classes+ex.Predicted[i]] - s0[i])
		ex.Gap = max(ex.Gap, math.Abs(sum-d))
		ex.Spread = max(ex.Spread, math.Abs(d))
	}
	zw, zh := w*explainZoom, h*explainZoom
	cols := 3
	if cams != nil {
		cols = 4
	}
	img := image.NewRGBA(image.Rect(0, 0, cols*(zw+gridGap)+gridGap, n*(zh+gridGap)+gridGap))
	// set paints image pixel (x, y) of panel col in row i.
	set := func(col, i, x, y int, c color.RGBA) {
		x0, y0 := gridGap+col*(zw+gridGap)+x*explainZoom, gridGap+i*(zh+gridGap)+y*explainZoom
		for dy := range explainZoom {
			for dx := range explainZoom {
				img.SetRGBA(x0+dx, y0+dy, c)
			}
		}
	}
	for i := range img.Pix {
		img.Pix[i] = 64
		if i%4 == 3 {
			img.Pix[i] = 255
		}
	}
	for i := range n {
		img0, sm, am := channelSum(xs, i, c, h, w), channelSum(ss, i, c, h, w), channelSum(gs, i, c, h, w)
		lo, hi := extent(img0)
		_, smax := extent(sm)
		amin, amax := extent(am)
		amag := max(-amin, amax)
		for y := range h {
			for xx := range w {
				k := y*w + xx
				g := uint8(255 * scale(img0[k]-lo, hi-lo))
				set(0, i, xx, y, color.RGBA{g, g, g, 255})
				v := uint8(255 - 255*scale(sm[k], smax))
				set(1, i, xx, y, color.RGBA{255, v, v, 255})
				a := am[k]
				fade := uint8(255 - 255*scale(math.Abs(a), amag))
				col := color.RGBA{255, fade, fade, 255}
				if a < 0 {
					col = color.RGBA{fade, fade, 255, 255}
				}
				set(2, i, xx, y, col)
				if cams != nil {
					_, top := extent(cams[i])
					v := scale(cams[i][k], top)
					set(3, i, xx, y, color.RGBA{uint8(float64(g) + (255-float64(g))*v), uint8(float64(g) * (1 - v)), uint8(float64(g) * (1 - v)), 255})
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("explain %s: %w", path, err)
	}
	return ex, writeFileAtomic(path, buf.Bytes())
}

// channelSum returns image i of v [n, c, h, w] summed over channels, as
// float64 [h·w] (the mean for the picture itself differs only in scale).
func channelSum(v []float32, i, c, h, w int) []float64 {
	out := make([]float64, h*w)
	for ch := range c {
		for k, x := range v[(i*c+ch)*h*w : (i*c+ch+1)*h*w] {
			out[k] += float64(x)
		}
	}
	return out
}

func extent(v []float64) (lo, hi float64) {
	lo, hi = v[0], v[0]
	for _, x := range v {
		lo, hi = min(lo, x), max(hi, x)
	}
	return lo, hi
}

// scale maps v in [0, top] to [0, 1]; everything is 0 when top is not
// positive.
func scale(v, top float64) float64 {
	if !(top > 0) {
		return 0
	}
	return min(max(v/top, 0), 1)
}

// gradCAMSplit splits a Sequential after its last Conv2d and the
// element-wise activations that follow it, the layer Grad-CAM explains;
// ok is false for other models.
func gradCAMSplit(m nn.Module) (features, head nn.Module, ok bool) {
	s, isSeq := m.(*nn.Sequential)
	if !isSeq {
		return nil, nil, false
	}
	end := 0
	for i, l := range s.Layers {
		if _, conv := l.(*nn.Conv2d); conv {
			end = i + 1
		}
	}
	if end == 0 {
		return nil, nil, false
	}
	for end < len(s.Layers) && isActivation(s.Layers[end]) {
		end++
	}
	return nn.NewSequential(s.Layers[:end]...), nn.NewSequential(s.Layers[end:]...), true
}

func isActivation(m nn.Module) bool {
	switch m.(type) {
	case *nn.ReLU, *nn.LeakyReLU, *nn.Sigmoid, *nn.Tanh, *nn.GELU:
		return true
	}
	return false
}

// upsample resizes the map v [h, w] to [oh, ow] bilinearly with
// PyTorch's align_corners=False (pixel centres aligned), clamping at the
// edges.
func upsample(v []float32, h, w, oh, ow int) []float64 {
	out := make([]float64, oh*ow)
	at := func(o, n, on int) (int, int, float64) {
		f := max((float64(o)+0.5)*float64(n)/float64(on)-0.5, 0)
		i := min(int(f), n-1)
		return i, min(i+1, n-1), f - float64(i)
	}
	for y := range oh {
		y0, y1, fy := at(y, h, oh)
		for x := range ow {
			x0, x1, fx := at(x, w, ow)
			top := float64(v[y0*w+x0])*(1-fx) + float64(v[y0*w+x1])*fx
			bot := float64(v[y1*w+x0])*(1-fx) + float64(v[y1*w+x1])*fx
			out[y*ow+x] = top*(1-fy) + bot*fy
		}
	}
	return out
}
