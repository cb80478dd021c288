// Package crossdevice holds the tests that train the same models on the CPU
// and GL backends and compare them, and that check a GL training step's
// steady state: no new buffers, no readback but the loss.
package crossdevice
