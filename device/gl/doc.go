// Package gl is tensorgl's OpenGL 4.3 compute-shader backend. Importing it
// registers the device "gl" with package device.
//
// Open makes a headless EGL context (EGL_EXT_platform_device, preferring
// hardware devices, then Mesa's surfaceless platform) or, failing that, a
// hidden GLFW window; TENSORGL_GL_CONTEXT=egl|glfw forces one. Before the
// first context it sets the driver options the kernels need where the
// environment leaves them unset: ZINK_INLINE_UNIFORMS=false for Mesa's zink
// (see ZinkInlineUniformsEnv). Its settings take a GPU's defaults or a
// software renderer's by the renderer's kind, or as
// TENSORGL_GL_DEFAULTS=hardware|software says (see DefaultsEnv). The
// context lives on one goroutine locked to its OS thread, which runs a
// queue of commands: kernels return as soon as they are queued, Read and
// Sync wait, and GL errors or shader compile failures surface as the error
// of the next Read or Sync.
//
// GL entry points are resolved by go-gl's gl.Init once the context is
// current. Built without go-gl's egl tag it resolves them through libGL
// (GLVND's dispatch stubs), which on Mesa route to the EGL context current
// on the thread as well as to a GLX one, so one build serves both paths.
//
// A dispatch issues only the GL calls that change something: glUseProgram
// on a program switch, glBindBufferBase where a binding holds another
// buffer, glUniform where a program's uniform has another value. Each
// kernel declares which of its bindings it writes, and a storage barrier
// (glMemoryBarrier) precedes a dispatch only when it reads or writes a
// buffer that an earlier dispatch wrote since the last barrier, or writes
// one that an earlier dispatch read; a Read or Write of a buffer waits
// behind a buffer-update barrier only when a dispatch wrote that buffer.
// Stats counts the barriers and state calls. TENSORGL_GL_ELIDE=0 (see
// ElideEnv) issues every call and a barrier before every dispatch, for
// timing both; TENSORGL_GL_DEBUG=1 (see DebugEnv) checks glGetError after
// every command instead of only when Read, Sync or Close wait.
// TENSORGL_GL_BATCH=N (see BatchEnv) hands commands to the GL thread N at a
// time instead of one by one. On hardware the GL thread, with nothing
// queued, and a caller waiting for a Read or Sync poll for 2 ms before
// they sleep (TENSORGL_GL_SPIN, see SpinEnv: a command waited for took
// 22.7–27.6 µs with both sleeping on a 2-core VM, 0.45–2.3 polling), and the
// GL thread calls glFlush when it runs out of commands after dispatches
// (TENSORGL_GL_FLUSH, see FlushEnv), so that the GPU starts on a step's
// kernels while the host still queues the rest; on llvmpipe neither.
// TENSORGL_GL_READ=staged (see ReadEnv) reads values back through a
// buffer made for reading, after a copy on the GPU, instead of from the
// tensor's buffer (off by default until a GPU has timed it).
// TENSORGL_GL_GEMM=vec4,db,gvec4 (see GEMMEnv) reads the GEMM core's
// shared-memory tiles as vec4, double-buffers them and loads MatMul's
// operands from memory as vec4 where their layout allows, with the same
// results (llvmpipe's default; on hardware only the last, with 64×64
// tiles for MatMuls of few rows, columns or work groups, gvec4,small;
// pad pads the scalar tiles' rows against bank conflicts; unroll asks
// NVIDIA's compiler to unroll every loop of constant trip count: scalar
// tiles ran MatMul 4096³ on the H200 in 7.8 ms against 60 ms as vec4
// double-buffered ones); TENSORGL_GL_GEMM=scalar none of them.
// TENSORGL_GL_DUMP=dir (see DumpEnv) writes every program the device
// builds into dir as the driver compiled it, with an index naming the
// local memory each declares where the driver's binary holds its assembly
// as text (NVIDIA's does).
// TENSORGL_GL_TUNE=1 (see TuneEnv) picks the GEMM core's tiling per product
// by timing the candidates on the GPU the first time each layout and shape
// runs, as cudnn.benchmark does (among them direct tilings: no shared
// memory, a split K summed in registers, one dispatch a product), again
// with the same results to the bit;
// TENSORGL_GL_TUNE=log also prints each choice, and
// TENSORGL_GL_TUNE_FILE=path (see TuneFileEnv) keeps the choices in a file
// that later processes start from. Unset, a GPU the built-in table lists
// (the H200) runs the products it lists under the tilings timed there;
// TENSORGL_GL_TUNE=0 runs the default tiling everywhere.
// TENSORGL_GL_RECURRENCE=fused or steps (see RecurrenceEnv) runs the
// Elman, LSTM and GRU recurrences as one dispatch each way (the default on
// hardware, up to 512 units and batch × a step's gates·units² of 2²⁴) or
// a step at a time (on llvmpipe), with the same results where a step's
// product sums K whole (a GPU splits the K of few rows into slices, summed
// in another order).
// TENSORGL_GL_ELMANREGS=1 or 0 (see ElmanRegsEnv) holds each unit's
// weights in registers in the one-dispatch Elman recurrences of up to 128
// units, read once (the default on hardware), or reads them from memory at
// every step, with the same results.
// TENSORGL_GL_RNNSTEP=fused or pair (see RNNStepEnv) runs each LSTM and GRU
// time step as one dispatch each way or as a GEMM and a cell kernel, with
// the same results; by default the backward steps fused, the forward ones
// as pairs (but the LSTM's fused on llvmpipe).
// TENSORGL_GL_WINOGRAD=0 or 1 (see WinogradEnv) runs no convolution, or
// every one that can (3×3, stride 1, 64 channels or more each way; for the
// weight gradient, 1 024 terms or more a weight), by Winograd's
// F(2×2, 3×3); by default those of 2²⁷ multiply-adds or more on hardware,
// 2²² on llvmpipe.
// TENSORGL_GL_CONVDIRECT=0 or 1 (see ConvDirectEnv) runs the convolutions
// with few channels (LeNet's) as implicit GEMMs, as hardware does by
// default, or direct, as llvmpipe does: the forward pass and the input
// gradient with the same results where the GEMM sums K whole (it does not
// split it into slices), the weight gradient summed in another order.
// Where such a layer's input gradient does not run direct, it runs as a
// GEMM of columns (wᵀ·dy) and their fold, or with TENSORGL_GL_CONVCOLS=0
// (see ConvColsEnv) as an implicit GEMM, within the same bounds.
// TENSORGL_GL_SPLITFUSE=1 (see SplitFuseEnv) adds the K slices of a split
// GEMM in the GEMM's own dispatch, the last work group of each tile
// summing them, instead of in a second one, with the same bits (off by
// default until a GPU has run it).
// TENSORGL_GL_DIRECT=n (see DirectEnv) runs every product of the GEMM core
// of at most n multiply-adds on a direct tiling (no shared memory, a split
// K summed in the same dispatch) with the same bits (off by default until
// a GPU has timed it).
// TENSORGL_GL_BNSPLIT=0 or 1 (see BNSplitEnv) runs the batch-norm
// statistics and backward reduction one work group a channel, or, where
// the channels are too few to fill a GPU, in slices of each channel
// combined in order (the default on hardware).
//
// Kernels are GLSL compute shaders from package shaders, specialised by
// #defines and compiled once per variant. Grids larger than the
// work-group-count limit are split into several dispatches. Buffers come
// from a size-bucketed pool, so a steady training loop allocates no new GL
// buffers.
//
// MatMul and the three convolution passes share one tiled GEMM core
// (shaders/matmul.comp): 128×128 tiles on hardware, 64×64 on llvmpipe,
// thin 16-row tiles for products of few rows, and split K (slices summed in
// a fixed order by a second pass) when the output tiles alone would leave
// most of the device idle. The implicit-GEMM convolutions put the images
// side by side along the GEMM's columns; on llvmpipe those of at most 16
// output channels a group run direct instead, four pixels of a row an invocation
// with the group's weights in shared memory, and their weight gradients in
// slices of rows (shaders/convdirect.comp, see ConvDirectEnv); the wide
// 3×3 stride-1 ones run by
// F(2×2, 3×3) around a GEMM batched over the 16 transformed elements
// (shaders/winograd.comp, see WinogradEnv). ScatterAdd with indices that do not vary along
// the inner axis (embedding gradients) sorts its indices into per-row
// buckets (shaders/scatter.comp) instead of scanning them all per output.
// Every path is deterministic and uses no float atomics. The same code is
// exercised on llvmpipe by the tests and was measured on an NVIDIA H200
// (bench/RESULTS.md).
//
// Built without cgo, or with -tags nogl, the package still compiles and
// Open reports device.ErrUnavailable.
package gl
