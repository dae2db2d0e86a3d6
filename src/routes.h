/* routes.h - the one route table of the HTTP API. */
#ifndef CORDON_ROUTES_H
#define CORDON_ROUTES_H

#include "http/http.h"

extern const struct http_route cordon_routes[];
extern const int cordon_nroutes;

#endif
