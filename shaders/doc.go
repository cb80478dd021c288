// Package shaders holds tensorgl's GLSL 4.30 compute shader sources, one
// file per kernel family, embedded into the binary.
//
// A source is not a complete shader: the GL backend assembles a program
// variant as
//
//	#version 430 core
//	#define ... (the variant: op code, mode, tile sizes)
//	common.glsl (work-group layout and grid helpers)
//	<family>.comp
//
// and compiles each distinct variant once. The sources know nothing of
// tensors: they see flat storage buffers, shapes, strides and scalars passed
// as uniforms.
package shaders
