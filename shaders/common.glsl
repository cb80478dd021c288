// Prelude shared by every kernel family. The host defines LOCAL_X (and
// LOCAL_Y) per variant before this text.

#ifndef LOCAL_X
#define LOCAL_X 64
#endif
#ifndef LOCAL_Y
#define LOCAL_Y 1
#endif
#define MAX_RANK 8

layout(local_size_x = LOCAL_X, local_size_y = LOCAL_Y, local_size_z = 1) in;

// A grid larger than MAX_COMPUTE_WORK_GROUP_COUNT is split by the host into
// several dispatches; u_groupBase is the first group of this one.
uniform uvec3 u_groupBase;

uvec3 groupID() { return gl_WorkGroupID + u_groupBase; }

// globalX is the flat element index of a 1-D kernel.
uint globalX() { return groupID().x * uint(LOCAL_X) + gl_LocalInvocationID.x; }

// NaN test that survives fast-math: compilers may fold x != x.
bool isNaN(float x) { return (floatBitsToUint(x) & 0x7fffffffu) > 0x7f800000u; }
