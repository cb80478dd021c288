// Package shaders holds tensorgl's GLSL 4.30 compute shader sources, one
// file per kernel family, embedded into the binary.
//
// A source is not a complete shader: the GL backend assembles a program
// variant as
//
//	#version 430 core
//	#define OP_EXP 1 ... (the device op catalogue's names, for the families that select an op)
//	#define ... (the variant: OP=OP_EXP, mode, tile sizes)
//	common.glsl (work-group layout and grid helpers)
//	<family>.comp
//
// and compiles each distinct variant once. Sources select an op by its
// catalogue name (#if OP == OP_SOFTPLUS), never by number, so the op codes
// may change; a test checks that every op of the catalogue has a branch.
// The sources know nothing of tensors: they see flat storage buffers,
// shapes, strides and scalars passed as uniforms.
package shaders
