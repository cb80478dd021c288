package kernels

// Epilogue is applied by SgemmEpilogue and Conv2d to each element of C once
// its sum is complete:
//
//	v = (c + residual + bias)·scale;  c = Act(v), or v·Act′ from ActOut (Grad)
//
// in the order the separate element-wise kernels would apply them, so
// fusing changes no result.
type Epilogue struct {
	// Residual, Scale and ActOut are laid out as C (same row stride),
	// from C's first element; nil adds nothing, multiplies by nothing, or
	// applies Act itself.
	Residual []float32
	Scale    []float32
	ActOut   []float32
	// Bias is indexed by C's column, or by its row when BiasRows; nil
	// adds nothing.
	Bias     []float32
	BiasRows bool
	// Act, with parameter Slope (LeakyRelu), is applied when HasAct and
	// ActOut is nil. With ActOut, Grad (the derivative op of Act, taking
	// the value and Act's output) is applied instead.
	Act    UnaryOp
	Grad   BinaryOp
	Slope  float32
	HasAct bool
}

// fromRow returns e for the part of C from row i on (ldc its row stride).
func (e *Epilogue) fromRow(i, ldc int) Epilogue {
	r := *e
	if r.Residual != nil {
		r.Residual = r.Residual[i*ldc:]
	}
	if r.ActOut != nil {
		r.ActOut = r.ActOut[i*ldc:]
	}
	if r.Scale != nil {
		r.Scale = r.Scale[i*ldc:]
	}
	if r.Bias != nil && r.BiasRows {
		r.Bias = r.Bias[i:]
	}
	return r
}

// none reports whether e changes nothing.
func (e *Epilogue) none() bool {
	return e == nil || (e.Residual == nil && e.Bias == nil && e.Scale == nil && !e.HasAct)
}

// apply finishes the rows×cols block of C at row i0 and column j0; c holds
// the block's first row, and ldc is C's row stride, by which Residual and
// ActOut are indexed too. Each operation runs along a row in vector code;
// a block of whole rows without a column bias is one span.
func (e *Epilogue) apply(c []float32, ldc, i0, rows, j0, cols int) {
	if e.Bias == nil && cols == ldc { // then j0 is 0
		rows, cols = 1, rows*cols
	}
	for i := range rows {
		row := c[i*ldc:][:cols]
		at := (i0+i)*ldc + j0
		if n := e.addAct(row, at); n > 0 {
			if row, at = row[n:], at+n; len(row) == 0 {
				continue
			}
		}
		if e.Residual != nil {
			binarySpan(Add, 0, row, row, e.Residual[at:at+len(row)])
		}
		switch {
		case e.Bias == nil:
		case e.BiasRows:
			b := e.Bias[i0+i]
			if e.HasAct && e.ActOut == nil && e.Act == Relu && e.Scale == nil {
				biasRelu(row, row, b) // the bias and ReLU in one vector pass
				continue
			}
			for j := range row {
				row[j] += b
			}
		default:
			binarySpan(Add, 0, row, row, e.Bias[j0:j0+cols]) // row is whole: addAct passes where there is a bias
		}
		if e.Scale != nil {
			binarySpan(Mul, 0, row, row, e.Scale[at:at+len(row)])
		}
		switch {
		case !e.HasAct:
		case e.ActOut != nil:
			binarySpan(e.Grad, e.Slope, row, row, e.ActOut[at:at+len(row)])
		default:
			unarySpan(e.Act, e.Slope, 0, row, row)
		}
	}
}

// addAct adds the residual and applies tanh, or the residual and tanh's
// gradient, in one pass over the longest prefix of row (at C's element at)
// that a vector kernel handles, where e has no bias: the recurrences'
// epilogues, forward and backward. It returns that prefix's length (0:
// none); apply finishes the rest as it does any row, to the same bits.
func (e *Epilogue) addAct(row []float32, at int) int {
	if e.Residual == nil || e.Bias != nil || e.Scale != nil || !e.HasAct {
		return 0
	}
	res := e.Residual[at : at+len(row)]
	switch {
	case e.ActOut == nil && e.Act == Tanh:
		return addTanhVec(row, row, res)
	case e.ActOut != nil && e.Grad == TanhGrad:
		return addTanhGradVec(row, row, res, e.ActOut[at:at+len(row)])
	}
	return 0
}
