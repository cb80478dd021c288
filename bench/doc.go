// Package bench holds the benchmarks of tensorgl: kernels and whole training
// steps, backend against backend and against other Go libraries. It has no
// code of its own; run it with
//
//	go test ./bench -run '^$' -bench .
//
// Every benchmark reports a rate (GFLOP/s, samples/s) beside ns/op, so runs
// on different sizes compare directly.
package bench
