package devicetest

import (
	"errors"
	"fmt"
	"strings"

	"github.com/tensorgl/tensorgl/device"
)

// Result is the outcome of one subtest of Check.
type Result struct {
	Name     string   // as under Run: "Unary/exp", "MatMul/transA"
	Failures []string // what went wrong; none when the subtest passed
}

// Check runs the suite of Run on d without package testing, for programs
// such as tensorgl check: the same cases, inputs, float64 references and
// tolerances. It calls report with the result of each subtest that has no
// subtests of its own (and of any other that failed outside them), in
// order, and returns how many failed. Like Run, it closes d.
func Check(d device.Device, report func(Result)) (failed int) {
	root := &checker{report: report, failed: &failed}
	runMethods(root, d)
	return failed
}

// errFatal unwinds a subtest of Check that called Fatal or Fatalf, as
// runtime.Goexit ends a test's goroutine under package testing.
var errFatal = errors.New("devicetest: subtest stopped by Fatal")

// checker is the tb of one subtest under Check.
type checker struct {
	name     string
	report   func(Result)
	failed   *int
	failures []string
	children int
	cleanups []func()
}

func (c *checker) Helper()           {}
func (c *checker) Name() string      { return c.name }
func (c *checker) Cleanup(fn func()) { c.cleanups = append(c.cleanups, fn) }
func (c *checker) Error(args ...any) {
	c.failures = append(c.failures, strings.TrimSuffix(fmt.Sprintln(args...), "\n"))
}
func (c *checker) Errorf(format string, args ...any) {
	c.failures = append(c.failures, fmt.Sprintf(format, args...))
}

func (c *checker) Fatal(args ...any) {
	c.Error(args...)
	panic(errFatal)
}

func (c *checker) Fatalf(format string, args ...any) {
	c.Errorf(format, args...)
	panic(errFatal)
}

// run runs fn as the subtest c/name, then its cleanups, and reports it. The
// name is rewritten as package testing rewrites it, so the subtest draws
// the same inputs as under Run (newRand seeds from the name).
func (c *checker) run(name string, fn func(t tb)) {
	c.children++
	sub := &checker{name: c.name + "/" + strings.ReplaceAll(name, " ", "_"), report: c.report, failed: c.failed}
	if c.name == "" {
		sub.name = "check/" + strings.ReplaceAll(name, " ", "_")
	}
	func() {
		defer func() {
			for i := len(sub.cleanups) - 1; i >= 0; i-- {
				sub.cleanups[i]()
			}
			if r := recover(); r != nil && r != errFatal {
				panic(r)
			}
		}()
		fn(sub)
	}()
	if sub.children == 0 || len(sub.failures) > 0 {
		if len(sub.failures) > 0 {
			*c.failed++
		}
		_, short, _ := strings.Cut(sub.name, "/")
		c.report(Result{Name: short, Failures: sub.failures})
	}
}
