/* engine.h - what the monitor does with finished probes: state changes, the log, the store. */
#ifndef SP_ENGINE_H
#define SP_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "pool.h"
#include "store.h"

struct engine;

struct engine *engine_create(struct store *st);
void engine_destroy(struct engine *e);

/* Takes finished probes: logs state changes (every probe with -v), queues heartbeats.
 * Cancelled probes are dropped: they say nothing about the camera. */
void engine_take(struct engine *e, const struct done *d, size_t n);

/* Writes queued heartbeats in one transaction. On failure (disk full, locked) they stay
 * queued for the next call; returns the number still queued. */
size_t engine_flush(struct engine *e);

/* Deletes heartbeats older than retention_days, a small batch per stream. */
void engine_prune(struct engine *e, int retention_days);

/* 1 when a queued heartbeat changed a stream's state: worth writing before the cycle ends. */
int engine_urgent(const struct engine *e);

/* Heartbeats written so far, and probes cancelled by a shutdown (never written). */
void engine_counts(const struct engine *e, uint64_t *written, uint64_t *cancelled);

#endif
