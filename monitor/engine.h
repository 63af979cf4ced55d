/* engine.h - what the monitor does with finished probes: the verdict, the anti-flap state
 * machine, incidents, the log, the store. */
#ifndef SP_ENGINE_H
#define SP_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "pool.h"
#include "store.h"

struct engine;

struct engine *engine_create(struct store *st);
void engine_destroy(struct engine *e);

/* Takes each stream's health settings and the thresholds (ids[i] for cfg->streams[i]). */
int engine_apply(struct engine *e, const struct config *cfg, const int64_t *ids);

/* A confirmed state change (an incident opened or closed), for alerts. */
struct engine_event {
	int64_t ts_ms;             /* the heartbeat that confirmed it */
	const char *stream;
	int state, prev_state;     /* HB_UP, HB_DOWN, HB_DEGRADED; prev -1: first state */
	const char *reason, *message; /* of the first heartbeat of the new state ("" when up) */
	int64_t since_ms;
	int latency_ms;            /* -1 when none */
};
typedef void (*engine_event_fn)(void *ctx, const struct engine_event *ev);
void engine_on_change(struct engine *e, engine_event_fn fn, void *ctx);

/* Takes finished probes: judges them (health_judge), runs the state machine, logs changes
 * (every probe with -v), queues heartbeats and state changes. Cancelled probes are dropped:
 * they say nothing about the camera. */
void engine_take(struct engine *e, const struct done *d, size_t n);

/* Streams configured, and those whose latest probe failed (down): site-down grouping. */
void engine_failing(const struct engine *e, size_t *total, size_t *failing);

/* Writes queued heartbeats and state changes in one transaction. On failure (disk full,
 * locked) they stay queued for the next call; returns the number of heartbeats still queued. */
size_t engine_flush(struct engine *e);

/* Deletes heartbeats older than retention_days, a small batch per stream. */
void engine_prune(struct engine *e, int retention_days);

/* 1 when a confirmed state changed: worth writing before the cycle ends. */
int engine_urgent(const struct engine *e);

/* Heartbeats written so far, and probes cancelled by a shutdown (never written). */
void engine_counts(const struct engine *e, uint64_t *written, uint64_t *cancelled);

#endif
