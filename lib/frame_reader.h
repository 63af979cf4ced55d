/* frame_reader.h - from demuxed packets of one video stream to its first clean frame.
 *
 * Nothing is decoded before the first keyframe: a probe joins mid-GOP and waits up to a GOP
 * for it, and decoding the frames before it only yields pictures we would throw away. While
 * waiting a probe holds no parser or decoder (H.264/HEVC keyframes are found by NAL type),
 * so hundreds can wait in little memory; the parser, bitstream filter and decoder are made at
 * the keyframe, and every decode call runs on a decode thread (slots.h). */
#ifndef SP_FRAME_READER_H
#define SP_FRAME_READER_H

#include <stdatomic.h>
#include <stdint.h>

#include "probe.h"

struct AVStream;
struct AVPacket;
struct AVFormatContext;
struct frame_reader;

struct frame_reader_stats {
	int packets;          /* of the video stream */
	int concealed;        /* damaged frames skipped */
	int rejected;         /* pictures the decoder refused as invalid data */
	int keyframe_seen;
};

/* Prepares reading stream st of fmt. For H.264/HEVC it turns libavformat's own parser off
 * (call before the first av_read_frame): ours runs from the keyframe on. NULL when out of
 * memory. */
struct frame_reader *frame_reader_new(struct AVFormatContext *fmt, int stream_index,
				      int64_t deadline_us, const atomic_int *cancel);
/* Takes one packet of the stream (NULL at its end): 1 when a clean frame is ready, 0 not
 * yet, -1 on a failure already described in res. */
int frame_reader_packet(struct frame_reader *r, struct AVPacket *pkt, struct probe_result *res);
/* The clean frame: fills res (size, codec) and hands the frame over when keep is set. */
void frame_reader_result(struct frame_reader *r, struct probe_result *res, int keep);
void frame_reader_stats(const struct frame_reader *r, struct frame_reader_stats *out);
void frame_reader_free(struct frame_reader **r);

#endif
