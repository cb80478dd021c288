// Package safetensors reads and writes the safetensors file format used by
// Hugging Face and PyTorch: an 8-byte little-endian header length N, N bytes
// of JSON describing each tensor ({"name": {"dtype": "F32", "shape": [2, 3],
// "data_offsets": [begin, end]}} plus an optional "__metadata__" object of
// strings), then the tensors' raw little-endian bytes. Like the reference
// implementation, the header is padded with spaces to a multiple of 8 bytes.
// Tensors are laid out in sorted name order.
//
// Only the dtypes tensorgl uses are supported: F32, I32 and I64.
//
// Write replaces a file atomically: the new contents go to a temporary file
// in the same directory, which is synced and renamed over the target, so a
// failed or interrupted save leaves the previous file intact. Read validates
// the whole layout — header size, dtypes, shapes against byte counts, and
// that the tensors tile the data section exactly — and says what it expected
// and what it found.
//
// The temporary file is named .<name>.tmp-<host>-<pid>-<random>, where host
// is a hash of the host name and pid the writing process. A save killed
// before its rename leaves it behind; the next Write or Read of the same
// path removes it once it is stale: its writer, on this host, is no longer
// running, or it has gone unmodified for an hour (a writer on another host
// sharing the directory, or a process id since reused). Nothing else in the
// directory is touched.
package safetensors
