package kernels

// Epilogue is applied by SgemmEpilogue and Conv2d to each element of C once
// its sum is complete: c = Act(c + bias), in the order the separate bias
// and activation kernels would apply them, so fusing changes no result.
type Epilogue struct {
	// Bias is indexed by C's column, or by its row when BiasRows; nil
	// adds nothing.
	Bias     []float32
	BiasRows bool
	// Act, with parameter Slope (LeakyRelu), is applied when HasAct.
	Act    UnaryOp
	Slope  float32
	HasAct bool
}

// none reports whether e changes nothing.
func (e *Epilogue) none() bool { return e == nil || (e.Bias == nil && !e.HasAct) }

// apply finishes the rows×cols block of C at row i0 and column j0; c holds
// the block's first row (row stride ldc).
func (e *Epilogue) apply(c []float32, ldc, i0, rows, j0, cols int) {
	for i := range rows {
		row := c[i*ldc:][:cols]
		switch {
		case e.Bias == nil:
		case e.BiasRows:
			b := e.Bias[i0+i]
			for j := range row {
				row[j] += b
			}
		default:
			for j, b := range e.Bias[j0 : j0+cols] {
				row[j] += b
			}
		}
		if e.HasAct {
			unarySpan(e.Act, e.Slope, 0, row, row)
		}
	}
}
