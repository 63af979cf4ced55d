/* routes.h - the route table: path to handler, methods, login and admin requirements. */
#ifndef SP_ROUTES_H
#define SP_ROUTES_H

#include "web.h"

/* Method, route, auth/CSRF, database, handler: in that order, for every request. */
void route_dispatch(struct web *w);

/* Frees everything the request allocated (FastCGI processes live long). */
void web_free(struct web *w);

#endif
