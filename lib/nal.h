/* nal.h - what an H.264/HEVC packet holds, by its NAL unit headers (Annex B start codes). */
#ifndef SP_NAL_H
#define SP_NAL_H

#include <stddef.h>
#include <stdint.h>

enum { NAL_PARAMS = 1, NAL_KEY = 2 };

/* NAL_PARAMS if the packet carries parameter sets (SPS/PPS, VPS), NAL_KEY if it starts a
 * keyframe (H.264 IDR; HEVC IDR/CRA/BLA), or'ed; 0 for anything else or another codec.
 * is_hevc selects the header layout. */
int nal_scan(const uint8_t *p, size_t n, int is_hevc);

#endif
