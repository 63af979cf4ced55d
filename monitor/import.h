/* import.h - streampulse-monitor --import: heartbeats from JSON lines into the database. */
#ifndef SP_IMPORT_H
#define SP_IMPORT_H

/* Reads one JSON object per line from path ("-": stdin), each a heartbeat as --export prints
 * them: {"stream", "ts_ms", "up", "latency_ms", "connect_ms", "error", "message", "codec",
 * "width", "height"} (stream and ts_ms required; every stream must be in the config), and
 * writes them in time order through the monitor's own write path. Returns the exit code: 0,
 * 1 on a bad line or a write error (nothing of a bad file is written), 2 when the config does
 * not load. For moving history between installs, and for tests that need exact history. */
int import_run(const char *config_path, const char *path);

#endif
