package gl

// DefaultsEnv names the environment variable that chooses, when a device is
// opened, whose defaults its settings take: hardware (a GPU's: the GEMM
// tiles and split-K target, the recurrences fused with the Elman weights in
// registers, the LSTM and GRU steps as pairs, Winograd, batch-norm slices,
// scattered indices scanned, the GL thread polling and flushing when idle,
// the tuner's candidates) or software (llvmpipe's); unset, the renderer's
// kind (Info().Software, which it does not change). Each setting's own
// variable still overrides it. With hardware on llvmpipe or zink, tests run
// what a GPU runs: make test-zink, and bench's TestDispatchesPerStep, which
// pins a GPU's kernel counts so. Defined in every build, with the GL backend
// or without, for such callers.
const DefaultsEnv = "TENSORGL_GL_DEFAULTS"
