package tensor

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/tensorgl/tensorgl/device"
)

// String prints the tensor as PyTorch does, e.g.
//
//	tensor([[1.0000, 2.5000],
//	        [3.0000, 4.0000]], requires_grad=True)
//
// It reads the data back from the device.
func (t *Tensor) String() string {
	if t.st.released() {
		return fmt.Sprintf("tensor(<released> shape=%v)", t.shape)
	}
	var vals []float64
	isInt := t.DType() == device.Int32
	if isInt {
		for _, v := range t.Ints() {
			vals = append(vals, float64(v))
		}
	} else {
		for _, v := range t.Data() {
			vals = append(vals, float64(v))
		}
	}
	f := chooseFormat(vals, isInt)
	strs := make([]string, len(vals))
	width := 0
	for i, v := range vals {
		strs[i] = f(v)
		width = max(width, len(strs[i]))
	}
	var b strings.Builder
	b.WriteString("tensor(")
	if len(t.shape) == 0 {
		b.WriteString(strs[0])
	} else {
		pos := 0
		writeNested(&b, t.shape, strs, width, &pos, len("tensor("))
	}
	if isInt {
		b.WriteString(", dtype=int32")
	}
	if name := t.st.dev.Info().Name; name != "cpu" {
		fmt.Fprintf(&b, ", device='%s'", name)
	}
	switch {
	case t.node != nil:
		fmt.Fprintf(&b, ", grad_fn=<%sBackward>", t.node.op)
	case t.requiresGrad:
		b.WriteString(", requires_grad=True")
	}
	b.WriteString(")")
	return b.String()
}

func writeNested(b *strings.Builder, shape []int, strs []string, width int, pos *int, indent int) {
	b.WriteByte('[')
	if len(shape) == 1 {
		for i := range shape[0] {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(b, "%*s", width, strs[*pos])
			*pos++
		}
		b.WriteByte(']')
		return
	}
	for i := range shape[0] {
		if i > 0 {
			b.WriteString(",")
			b.WriteString(strings.Repeat("\n", len(shape)-1))
			b.WriteString(strings.Repeat(" ", indent+1))
		}
		writeNested(b, shape[1:], strs, width, pos, indent+1)
	}
	b.WriteByte(']')
}

// chooseFormat picks PyTorch's printing mode: integers as "3." when every
// value is whole, scientific notation for very large or very spread
// values, else four decimals.
func chooseFormat(vals []float64, isInt bool) func(float64) string {
	if isInt {
		return func(v float64) string { return strconv.FormatInt(int64(v), 10) }
	}
	whole := true
	lo, hi := math.Inf(1), 0.0
	for _, v := range vals {
		if math.IsInf(v, 0) || math.IsNaN(v) {
			continue
		}
		if v != math.Trunc(v) {
			whole = false
		}
		if a := math.Abs(v); a != 0 {
			lo, hi = min(lo, a), max(hi, a)
		}
	}
	special := func(v float64) (string, bool) {
		switch {
		case math.IsNaN(v):
			return "nan", true
		case math.IsInf(v, 1):
			return "inf", true
		case math.IsInf(v, -1):
			return "-inf", true
		}
		return "", false
	}
	if whole && hi < 1e8 {
		return func(v float64) string {
			if s, ok := special(v); ok {
				return s
			}
			return strconv.FormatFloat(v, 'f', 0, 64) + "."
		}
	}
	if hi > 1e8 || (lo > 0 && hi/lo > 1000) || (hi > 0 && hi < 1e-4) {
		return func(v float64) string {
			if s, ok := special(v); ok {
				return s
			}
			return strconv.FormatFloat(v, 'e', 4, 64)
		}
	}
	return func(v float64) string {
		if s, ok := special(v); ok {
			return s
		}
		return strconv.FormatFloat(v, 'f', 4, 64)
	}
}
