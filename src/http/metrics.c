#include "http/metrics.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "http/conn.h"
#include "store/store.h"

static const double latency_buckets[] = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
#define NBUCKETS (sizeof(latency_buckets) / sizeof(latency_buckets[0]))
#define NSTATUS 600

struct route_metrics {
    uint64_t by_status[NSTATUS];
    uint64_t buckets[NBUCKETS]; /* non-cumulative; summed when rendered */
    uint64_t count;
    double sum;
};

static pthread_mutex_t metrics_lock = PTHREAD_MUTEX_INITIALIZER;
static const struct http_route *metrics_routes;
static int metrics_nroutes;
static struct route_metrics *metrics; /* [0] is "no route", [i+1] is routes[i] */

void metrics_init(const struct http_route *routes, int nroutes)
{
    metrics_routes = routes;
    metrics_nroutes = nroutes;
    metrics = xcalloc((size_t)nroutes + 1, sizeof(*metrics));
}

void metrics_free(void)
{
    free(metrics);
    metrics = NULL;
}

void metrics_observe(int route_index, int status, double seconds)
{
    if (!metrics)
        return;
    pthread_mutex_lock(&metrics_lock);
    struct route_metrics *m = &metrics[route_index + 1];
    if (status >= 0 && status < NSTATUS)
        m->by_status[status]++;
    size_t b = 0;
    while (b < NBUCKETS && seconds > latency_buckets[b])
        b++;
    if (b < NBUCKETS)
        m->buckets[b]++;
    m->count++;
    m->sum += seconds;
    pthread_mutex_unlock(&metrics_lock);
}

static void route_label(int i, char *out, size_t n)
{
    if (i < 0)
        snprintf(out, n, "method=\"\",route=\"(none)\"");
    else
        snprintf(out, n, "method=\"%s\",route=\"%s\"", metrics_routes[i].method, metrics_routes[i].pattern);
}

static void (*extra[4])(struct buf *out);
static int nextra;

void metrics_add(void (*render)(struct buf *out))
{
    if (nextra < (int)(sizeof(extra) / sizeof(extra[0])))
        extra[nextra++] = render;
}

void metrics_render(struct buf *out)
{
    char label[300];
    pthread_mutex_lock(&metrics_lock);
    buf_adds(out, "# HELP cordon_http_requests_total HTTP requests answered, by route and status.\n"
                  "# TYPE cordon_http_requests_total counter\n");
    for (int i = -1; i < metrics_nroutes; i++) {
        route_label(i, label, sizeof(label));
        for (int s = 0; s < NSTATUS; s++)
            if (metrics[i + 1].by_status[s])
                buf_addf(out, "cordon_http_requests_total{%s,status=\"%d\"} %llu\n", label, s,
                         (unsigned long long)metrics[i + 1].by_status[s]);
    }
    buf_adds(out, "# HELP cordon_http_request_duration_seconds Time from request start to response.\n"
                  "# TYPE cordon_http_request_duration_seconds histogram\n");
    for (int i = -1; i < metrics_nroutes; i++) {
        struct route_metrics *m = &metrics[i + 1];
        if (!m->count)
            continue;
        route_label(i, label, sizeof(label));
        uint64_t cum = 0;
        for (size_t b = 0; b < NBUCKETS; b++) {
            cum += m->buckets[b];
            buf_addf(out, "cordon_http_request_duration_seconds_bucket{%s,le=\"%g\"} %llu\n", label,
                     latency_buckets[b], (unsigned long long)cum);
        }
        buf_addf(out, "cordon_http_request_duration_seconds_bucket{%s,le=\"+Inf\"} %llu\n", label,
                 (unsigned long long)m->count);
        buf_addf(out, "cordon_http_request_duration_seconds_sum{%s} %.6f\n", label, m->sum);
        buf_addf(out, "cordon_http_request_duration_seconds_count{%s} %llu\n", label, (unsigned long long)m->count);
    }
    pthread_mutex_unlock(&metrics_lock);

    struct store_stats st;
    store_stats_get(&st);
    buf_addf(out,
             "# HELP cordon_db_queries_total Statements sent to the database.\n"
             "# TYPE cordon_db_queries_total counter\ncordon_db_queries_total %llu\n"
             "# HELP cordon_db_errors_total Statements the database failed.\n"
             "# TYPE cordon_db_errors_total counter\ncordon_db_errors_total %llu\n"
             "# HELP cordon_db_tx_retries_total Transactions retried after busy or serialization failures.\n"
             "# TYPE cordon_db_tx_retries_total counter\ncordon_db_tx_retries_total %llu\n"
             "# HELP cordon_db_connections_opened_total Database connections opened.\n"
             "# TYPE cordon_db_connections_opened_total counter\ncordon_db_connections_opened_total %llu\n",
             (unsigned long long)st.queries, (unsigned long long)st.errors, (unsigned long long)st.retries,
             (unsigned long long)st.connections);
    buf_addf(out,
             "# HELP cordon_http_connections_open Client connections open, those beyond a cap included.\n"
             "# TYPE cordon_http_connections_open gauge\ncordon_http_connections_open %d\n"
             "# HELP cordon_http_connections_timed_out_total Connections closed for missing a header, body or idle deadline.\n"
             "# TYPE cordon_http_connections_timed_out_total counter\ncordon_http_connections_timed_out_total %ld\n",
             conns_open(), conns_reaped());
    for (int i = 0; i < nextra; i++)
        extra[i](out);
}
