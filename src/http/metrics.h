/*
 * metrics.h - request counters and latency histograms for /metrics.
 *
 * Counted per route pattern (not per path, so ids do not explode the label
 * set) and status code.  Index -1 collects requests that matched no route
 * (static files and 404s).
 */
#ifndef CORDON_HTTP_METRICS_H
#define CORDON_HTTP_METRICS_H

#include "core/buf.h"
#include "http/http.h"

void metrics_init(const struct http_route *routes, int nroutes);
void metrics_free(void);
void metrics_observe(int route_index, int status, double seconds);
/* Adds a writer of more figures, called at the end of each render (set at start, before any request). */
void metrics_add(void (*render)(struct buf *out));
/* Writes the Prometheus text exposition format. */
void metrics_render(struct buf *out);

#endif
