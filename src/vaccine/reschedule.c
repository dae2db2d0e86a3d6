/*
 * reschedule.c - the queue of citizens who asked for another slot
 * (POST /api/v1/vaccine/appointments/{id}/reschedule without a session): the
 * staff of the site's area see them, oldest request first, and move each to a
 * session of their choice; the person gets an SMS with the new time.
 * GET /api/v1/vaccine/reschedule-requests,
 * POST /api/v1/vaccine/reschedule-requests/{id}/assign.
 */
#include <string.h>

#include "audit/audit.h"
#include "core/jsonin.h"
#include "http/http.h"
#include "people/people.h"
#include "store/store.h"
#include "vaccine/vaccine_int.h"

/* GET /api/v1/vaccine/reschedule-requests?unit=&limit= */
enum err vaccine_handle_reschedule_list(struct http_req *r)
{
    const char *code;
    int64_t limit;
    int rc = vaccine__area_query(r, "unit", &code);
    if (!rc)
        rc = http_query_int(r, "limit", 1, 1000, 200, &limit);
    if (rc)
        return rc;
    json_t *arr;
    rc = vaccine__reschedule_list(r->store, code, limit, &arr);
    if (rc)
        return store_err(rc);
    rc = audit_request(r, "vaccine_reschedule.list", "person", NULL, code);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    return http_reply_json(r, 200, json_pack("{s:o}", "requests", arr));
}

/* POST /api/v1/vaccine/reschedule-requests/{id}/assign {"session_id"} : {id} is the appointment asking. */
enum err vaccine_handle_reschedule_assign(struct http_req *r)
{
    static const char *const fields[] = {"session_id", NULL};
    const struct vaccine_data *d;
    json_t *appt, *body;
    struct person p;
    int64_t session_id;
    bool present_; /* required: always present when rc is 0 */
    int rc = vaccine__data(r, &d);
    if (!rc)
        rc = vaccine__appointment_load(r, &appt, &p);
    if (!rc)
        rc = http_read_json(r, fields, &body);
    if (!rc)
        rc = jsonin_int(body, "session_id", true, 1, INT64_MAX, &session_id, &present_, &r->fault);
    if (rc)
        return rc;
    /* A retry after the move answers the same new appointment (its client id derives from this one). */
    const char *status = vaccine__str(appt, "status");
    if (strcmp(status, "reschedule_requested") && strcmp(status, "rescheduled"))
        return http_fail(r, ERR_CONFLICT, "id", "appointment %lld did not ask for another slot (it is %s)",
                         (long long)vaccine__int(appt, "id"), status);
    return vaccine__appointment_move(r, d, appt, &p, session_id, true);
}
