/* export.h - streampulse-monitor --export: the kept heartbeats as CSV on stdout. */
#ifndef SP_EXPORT_H
#define SP_EXPORT_H

/* Prints every heartbeat (of one stream when stream is not NULL) of the config's database.
 * Returns the exit code: 0, 1 when the stream is unknown or the database unreadable, 2 when
 * the config does not load. Errors go to stderr. */
int export_run(const char *config_path, const char *stream);

#endif
