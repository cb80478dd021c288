// Fill: n elements from u_off set to the 32-bit pattern u_bits (the host
// converts the value to the buffer's dtype).

uniform uint u_n;
uniform uint u_off;
uniform uint u_bits;

layout(std430, binding = 0) writeonly buffer Dst { uint dst[]; };

void main() {
	uint i = globalX();
	if (i >= u_n) return;
	dst[u_off + i] = u_bits;
}
