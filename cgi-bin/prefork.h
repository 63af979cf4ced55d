/* prefork.h - several FastCGI workers on one inherited listening socket (systemd). */
#ifndef SP_PREFORK_H
#define SP_PREFORK_H

/* When fd 0 is a listening socket and workers > 1, the process becomes a supervisor: it
 * forks that many workers (they return from here and accept on fd 0), starts a new one when
 * one dies, and on SIGTERM passes it on and exits once they are gone (never returns then).
 * Otherwise (CGI, one worker) it returns at once. */
void prefork(int workers);

#endif
