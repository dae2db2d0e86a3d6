/*
 * work_http.c - GET /api/v1/work: the caller's pending work, counted.
 *
 * Each role gets the counts of what it does, inside its own area:
 *   officials      every count below, citizens' reports still to answer (feedback_open) and
 *                  approved venues not assessed for COVID safety today (safety_missing)
 *   tracer         flagged_declarations, test_orders
 *   sampler        test_orders
 *   lab            results_pending (tubes its unit received)
 *   vaccinator     reschedule_requests, doses_due
 * Checkpoint officers and venue owners get no counts.  The names match the
 * menu entries of the web page (web/js/roles.js).
 */
#include "admin/role.h"
#include "core/clock.h"
#include "declare/declare.h"
#include "feedback/feedback.h"
#include "http/http.h"
#include "safety/safety.h"
#include "work/work.h"

enum { W_OFFICIAL = 1 << 0, W_TRACER = 1 << 1, W_SAMPLER = 1 << 2, W_LAB = 1 << 3, W_VACCINATOR = 1 << 4 };

static unsigned kind_of(int role)
{
    switch (role) {
    case ROLE_NATIONAL_ADMIN:
    case ROLE_PROVINCE_ADMIN:
    case ROLE_DISTRICT_ADMIN:
    case ROLE_COMMUNE_ADMIN:
        return W_OFFICIAL;
    case ROLE_TRACER:
        return W_TRACER;
    case ROLE_SAMPLER:
        return W_SAMPLER;
    case ROLE_LAB:
        return W_LAB;
    case ROLE_VACCINATOR:
        return W_VACCINATOR;
    default:
        return 0;
    }
}

/* Adds name: *n to counts unless rc failed; returns rc.  n by address: the query sets it
 * while the arguments are evaluated, in an order C leaves open. */
static int put(json_t *counts, const char *name, enum store_rc rc, const int64_t *n)
{
    if (!rc)
        json_object_set_new(counts, name, json_integer(*n));
    return rc;
}

/* GET /api/v1/work (staff) */
enum err work_handle_get(struct http_req *r)
{
    const char *area = r->who->unit_code;
    unsigned k = kind_of(r->who->role);
    int64_t now = clock_now(), n = 0;
    json_t *counts = json_object();
    int rc = 0;
    if (!rc && (k & W_OFFICIAL))
        rc = put(counts, "venues_pending", work_count_venues_pending(r->store, area, &n), &n);
    if (!rc && (k & (W_OFFICIAL | W_TRACER)))
        rc = put(counts, "flagged_declarations",
                 declare_count_unhandled(r->store, area, now - DECLARE_FLAGGED_WINDOW, now + 1, &n), &n);
    if (!rc && (k & (W_OFFICIAL | W_TRACER | W_SAMPLER)))
        rc = put(counts, "test_orders", work_count_test_orders(r->store, area, &n), &n);
    if (!rc && (k & W_LAB))
        rc = put(counts, "results_pending", work_count_results_pending_lab(r->store, area, &n), &n);
    if (!rc && (k & W_OFFICIAL))
        rc = put(counts, "results_pending", work_count_results_pending_area(r->store, area, &n), &n);
    if (!rc && (k & (W_OFFICIAL | W_VACCINATOR)))
        rc = put(counts, "reschedule_requests", work_count_reschedules(r->store, area, &n), &n);
    if (!rc && (k & (W_OFFICIAL | W_VACCINATOR)))
        rc = put(counts, "doses_due", work_count_doses_due(r->store, area, now, &n), &n);
    if (!rc && (k & W_OFFICIAL))
        rc = put(counts, "feedback_open", feedback_count_open(r->store, area, &n), &n);
    if (!rc && (k & W_OFFICIAL))
        rc = put(counts, "safety_missing", safety_count_missing(r->store, area, vn_day(now), &n), &n);
    if (rc) {
        json_decref(counts);
        return store_err(rc);
    }
    return http_reply_json(r, 200,
                           json_pack("{s:s, s:s, s:o, s:I}", "role", role_name(r->who->role), "unit", area, "counts",
                                     counts, "at", (json_int_t)now));
}
