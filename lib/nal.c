/* nal.c - NAL unit types of a packet, for a probe waiting for the keyframe.
 *
 * FFmpeg's parser would tell us too, but each H.264 parser holds a parsed PPS of ~170 KB
 * (dequantisation tables): hundreds of probes waiting for a keyframe would hold that many.
 * The NAL type is the low bits of the byte after each start code, and emulation prevention
 * guarantees 00 00 01 never appears inside a NAL unit, so a scan is exact. */
#include "nal.h"

static int kind(uint8_t header, int is_hevc)
{
	if (is_hevc) {
		int t = (header >> 1) & 0x3f;
		if (t >= 32 && t <= 34)
			return NAL_PARAMS;
		return t >= 16 && t <= 21 ? NAL_KEY : 0; /* BLA, IDR, CRA: random access points */
	}
	int t = header & 0x1f;
	if (t == 7 || t == 8)
		return NAL_PARAMS;
	return t == 5 ? NAL_KEY : 0;
}

int nal_scan(const uint8_t *p, size_t n, int is_hevc)
{
	int found = 0;
	for (size_t i = 0; i + 3 < n; i++) {
		if (p[i] || p[i + 1] || p[i + 2] != 1)
			continue;
		found |= kind(p[i + 3], is_hevc);
		i += 2;
	}
	return found;
}
