/*
 * booking.c - invitations and bookings: a seat in a session for a person,
 * with a date and a 30-minute slot; confirming, asking for another slot,
 * cancelling.
 *
 * A seat is taken only by vaccine__seat_take() (one conditional UPDATE,
 * booked < capacity) in the same transaction that writes the appointment, so
 * no session is ever booked beyond capacity, whatever the concurrency and on
 * either engine.  A person holds at most one seat at a time (a partial unique
 * index backs this under concurrency).  Invitations for several people are
 * all-or-nothing: if the session cannot seat them all, nobody is invited.
 */
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "core/clock.h"
#include "core/jsonin.h"
#include "http/http.h"
#include "notify/notify.h"
#include "people/people.h"
#include "store/store.h"
#include "vaccine/vaccine_int.h"

#define SLOT_SECONDS 1800 /* one time slot */
#define INVITE_MAX 500    /* people in one invitation request */

/* The slot of the k-th seat (0-based) of a session: seats spread evenly over its 30-minute slots. */
static void slot_of(const json_t *se, int64_t k, int64_t *start, int64_t *end)
{
    int64_t s0 = vaccine__int(se, "starts_at"), e0 = vaccine__int(se, "ends_at");
    int64_t cap = vaccine__int(se, "capacity");
    int64_t nslots = (e0 - s0) / SLOT_SECONDS;
    if (nslots < 1)
        nslots = 1;
    int64_t per = (cap + nslots - 1) / nslots;
    if (per < 1)
        per = 1;
    int64_t idx = k / per;
    if (idx >= nslots)
        idx = nslots - 1;
    *start = s0 + idx * SLOT_SECONDS;
    *end = *start + SLOT_SECONDS < e0 ? *start + SLOT_SECONDS : e0;
}

/* Local "HH:MM" of t. */
static void hhmm(int64_t t, char out[8])
{
    int64_t local = (t + VN_UTC_OFFSET) % 86400;
    snprintf(out, 8, "%02d:%02d", (int)(local / 3600) % 24, (int)(local / 60 % 60));
}

/* Queues the invitation or rescheduling SMS (template kind) for an appointment in session se. */
static enum store_rc queue_appointment(struct store *s, struct arena *a, const char *kind, const char *phone,
                                       const json_t *se, int dose_number, const char *from, const char *to,
                                       int64_t appt_id, int64_t *mid)
{
    char body[2048], day[11];
    vn_date_text(vaccine__str(se, "day"), day);
    const char *values[] = {vaccine__str(se, "product"), arena_printf(a, "%d", dose_number), day, from, to,
                            vaccine__str(se, "site_name"),
                            arena_printf(a, "%lld", (long long)appt_id)};
    enum store_rc rc = notify_template_render(s, kind, "vi", values, body, sizeof(body));
    return rc ? rc : notify_queue(s, "sms", phone, kind, body, mid);
}

/*
 * Takes a seat in session se for person p and writes the appointment.
 * Inside a transaction.  On a full session or a person already holding a seat
 * fills r->fault (409) and returns ERR_CONFLICT.
 */
static int book(struct store *s, struct http_req *r, const struct person *p, const json_t *se, int dose_number,
                const char *status, const char *source, const char *client_id, const char *field_prefix,
                int64_t *appt_id, bool *created)
{
    *created = false;
    json_t *old;
    int rc = vaccine__appointment_find_client(s, client_id, &old);
    if (rc == STORE_OK) {
        *appt_id = vaccine__int(old, "id");
        json_decref(old);
        return 0;
    }
    if (rc != STORE_DONE)
        return rc;
    rc = vaccine__appointment_active(s, p->id, &old);
    if (rc == STORE_OK) {
        json_decref(old);
        return http_fail(r, ERR_CONFLICT, arena_printf(&r->arena, "%sperson_id", field_prefix),
                         "person %lld already holds an appointment", (long long)p->id);
    }
    if (rc != STORE_DONE)
        return rc;
    bool taken;
    rc = vaccine__seat_take(s, vaccine__int(se, "id"), &taken);
    if (rc)
        return rc;
    if (!taken)
        return http_fail(r, ERR_CONFLICT, "session_id", "session %lld is fully booked",
                         (long long)vaccine__int(se, "id"));
    int64_t booked;
    rc = vaccine__session_booked(s, vaccine__int(se, "id"), &booked);
    if (rc)
        return rc;
    int64_t start, end, now = clock_now();
    slot_of(se, booked - 1, &start, &end);
    rc = vaccine__appointment_insert(s, client_id, p->id, se, dose_number, status, start, end, source, now, appt_id);
    if (rc == STORE_CONFLICT) /* the partial unique index: a concurrent booking for the same person won */
        return http_fail(r, ERR_CONFLICT, arena_printf(&r->arena, "%sperson_id", field_prefix),
                         "person %lld already holds an appointment", (long long)p->id);
    if (rc)
        return rc;
    if (!strcmp(source, "invitation") && p->phone) {
        char from[8], to[8];
        hhmm(start, from);
        hhmm(end, to);
        int64_t mid;
        rc = queue_appointment(s, &r->arena, "vaccine_invitation", p->phone, se, dose_number, from, to, *appt_id,
                               &mid);
        if (rc)
            return rc;
    }
    *created = true;
    return 0;
}

/* Loads session {id} and checks it may be booked by this caller for person p at the person's next dose. */
static int check_session_for(struct http_req *r, const struct vaccine_data *d, const struct person *p,
                             const json_t *se, int *dose_number)
{
    struct vaccine_dose_hist h[VACCINE_MAX_DOSES];
    int n;
    int rc = vaccine__history(r->store, &r->arena, p->id, h, &n);
    if (rc)
        return store_err(rc);
    const struct vaccine_product *prod = vaccine_product_find(d, vaccine__str(se, "product"));
    if (!prod)
        return http_fail(r, ERR_CONFLICT, "session_id", "the session's product is no longer offered");
    int age = vaccine_age_years(p->date_of_birth, vaccine__int(se, "starts_at"));
    rc = vaccine_dose_check(d, h, n, prod, n + 1, age, vaccine__int(se, "starts_at"), "session_id", "session_id",
                            &r->fault);
    if (rc)
        return rc;
    *dose_number = n + 1;
    return 0;
}

static int load_session(struct http_req *r, int64_t id, const char *field, enum err missing, json_t **se)
{
    int rc = vaccine__session_get(r->store, id, se);
    if (rc == STORE_DONE)
        return http_fail(r, missing, field, "no session has id %lld", (long long)id);
    if (rc)
        return store_err(rc);
    arena_on_release(&r->arena, (void (*)(void *))json_decref, *se);
    return 0;
}

static json_t *appointment_reply(struct http_req *r, int64_t id)
{
    json_t *a = NULL;
    return vaccine__appointment_get(r->store, id, &a) ? NULL : a;
}

/* ---------------------------------------------------------------- POST /api/v1/vaccine/bookings */

struct booking_ctx {
    struct http_req *r;
    const struct person *p;
    const json_t *se;
    int dose_number;
    const char *client_id;
    int64_t id;
    bool created;
};

static int booking_tx(struct store *s, void *p)
{
    struct booking_ctx *c = p;
    int rc = book(s, c->r, c->p, c->se, c->dose_number, "confirmed", "booking", c->client_id, "", &c->id,
                  &c->created);
    if (!rc && c->created && !vaccine__is_citizen(c->r))
        rc = audit_request(c->r, "vaccine_appointment.create", "person", vaccine__id_text(&c->r->arena, c->p->id),
                           c->p->commune_code);
    return rc;
}

enum err vaccine_handle_booking_create(struct http_req *r)
{
    static const char *const fields[] = {"client_id", "person_id", "session_id", NULL};
    const struct vaccine_data *d;
    json_t *body, *se;
    struct booking_ctx c = {.r = r};
    struct person p;
    int64_t person_id, session_id;
    bool present_; /* required fields: always present when rc is 0 */
    int rc = vaccine__data(r, &d);
    if (!rc)
        rc = http_read_json(r, fields, &body);
    if (!rc)
        rc = jsonin_client_id(body, "client_id", true, &c.client_id, &r->fault);
    if (!rc)
        rc = jsonin_int(body, "person_id", true, 1, INT64_MAX, &person_id, &present_, &r->fault);
    if (!rc)
        rc = jsonin_int(body, "session_id", true, 1, INT64_MAX, &session_id, &present_, &r->fault);
    if (!rc)
        rc = load_session(r, session_id, "session_id", ERR_INVALID_FIELD, &se);
    if (rc)
        return rc;
    if (vaccine__is_citizen(r)) {
        rc = people_require_access(r, person_id, &p);
        char today[11];
        vaccine_day(clock_now(), today);
        if (!rc && strcmp(vaccine__str(se, "day"), today) < 0)
            rc = http_fail(r, ERR_CONFLICT, "session_id", "the session is over");
    } else {
        rc = vaccine__require_row_area(r, se, "");
        if (!rc) {
            rc = people_get(r->store, &r->arena, person_id, &p);
            if (rc == STORE_DONE)
                rc = http_fail(r, ERR_INVALID_FIELD, "person_id", "no person has id %lld", (long long)person_id);
            else if (rc)
                rc = store_err(rc);
        }
    }
    /* A retry of a booking that was made answers the same appointment, whatever happened since. */
    json_t *old;
    if (!rc && vaccine__appointment_find_client(r->store, c.client_id, &old) == STORE_OK) {
        if (vaccine__int(old, "person_id") != person_id) {
            json_decref(old);
            return http_fail(r, ERR_CONFLICT, "client_id", "client_id was used for another booking");
        }
        return http_reply_json(r, 200, old);
    }
    if (!rc)
        rc = check_session_for(r, d, &p, se, &c.dose_number);
    if (rc)
        return rc;
    c.p = &p;
    c.se = se;
    rc = store_tx(r->store, booking_tx, &c);
    if (rc)
        return rc;
    json_t *out = appointment_reply(r, c.id);
    if (!out)
        return http_fail(r, ERR_INTERNAL, NULL, "the appointment could not be read back");
    return http_reply_json(r, c.created ? 201 : 200, out);
}

/* ---------------------------------------------------------------- POST /api/v1/vaccine/sessions/{id}/invitations */

struct invite_ctx {
    struct http_req *r;
    const json_t *se;
    struct person *people;
    int *dose_numbers;
    int n;
    const char *client_id;
    json_t *ids;
};

static int invite_tx(struct store *s, void *p)
{
    struct invite_ctx *c = p;
    json_array_clear(c->ids);
    for (int i = 0; i < c->n; i++) {
        int64_t id;
        bool created;
        const char *cid = arena_printf(&c->r->arena, "%s:%lld", c->client_id, (long long)c->people[i].id);
        const char *prefix = arena_printf(&c->r->arena, "person_ids[%d].", i);
        int rc = book(s, c->r, &c->people[i], c->se, c->dose_numbers[i], "invited", "invitation", cid, prefix, &id,
                      &created);
        if (rc)
            return rc;
        json_array_append_new(c->ids, json_integer((json_int_t)id));
    }
    return audit_request(c->r, "vaccine_session.invite", "vaccine_session",
                         vaccine__id_text(&c->r->arena, vaccine__int(c->se, "id")), vaccine__str(c->se, "commune_code"));
}

enum err vaccine_handle_invite(struct http_req *r)
{
    static const char *const fields[] = {"client_id", "person_ids", NULL};
    const struct vaccine_data *d;
    json_t *body, *se;
    struct invite_ctx c = {.r = r};
    int64_t session_id;
    int rc = vaccine__data(r, &d);
    if (!rc)
        rc = http_param_id(r, "id", &session_id);
    if (!rc)
        rc = load_session(r, session_id, "id", ERR_NOT_FOUND, &se);
    if (!rc)
        rc = vaccine__require_row_area(r, se, "");
    if (!rc)
        rc = http_read_json(r, fields, &body);
    if (!rc)
        rc = jsonin_client_id(body, "client_id", true, &c.client_id, &r->fault);
    if (rc)
        return rc;
    json_t *ids = json_object_get(body, "person_ids");
    if (!ids)
        return http_fail(r, ERR_MISSING_FIELD, "person_ids", "person_ids is required");
    if (!json_is_array(ids) || json_array_size(ids) < 1 || json_array_size(ids) > INVITE_MAX)
        return http_fail(r, ERR_INVALID_FIELD, "person_ids", "person_ids must be an array of 1..%d person ids",
                         INVITE_MAX);
    c.n = (int)json_array_size(ids);
    c.people = arena_alloc(&r->arena, sizeof(*c.people) * (size_t)c.n);
    c.dose_numbers = arena_alloc(&r->arena, sizeof(int) * (size_t)c.n);
    for (int i = 0; i < c.n; i++) {
        json_t *v = json_array_get(ids, (size_t)i);
        const char *field = arena_printf(&r->arena, "person_ids[%d]", i);
        if (!json_is_integer(v) || json_integer_value(v) < 1)
            return http_fail(r, ERR_INVALID_FIELD, field, "%s must be a person id", field);
        for (int j = 0; j < i; j++)
            if (c.people[j].id == json_integer_value(v))
                return http_fail(r, ERR_INVALID_FIELD, field, "%s repeats person %lld", field,
                                 (long long)json_integer_value(v));
        /* invitations go to people of the caller's area only (people_require_access), named by field */
        rc = people_require_access(r, (int64_t)json_integer_value(v), &c.people[i]);
        if (rc && r->fault.code == ERR_NOT_FOUND) /* a body field: an unknown id is bad input */
            return http_fail(r, ERR_INVALID_FIELD, field, "no person has id %lld", (long long)json_integer_value(v));
        if (rc) {
            r->fault.field = field;
            return rc;
        }
        rc = check_session_for(r, d, &c.people[i], se, &c.dose_numbers[i]);
        if (rc) {
            r->fault.field = field; /* name the person the rule refused */
            return rc;
        }
    }
    if (vaccine__int(se, "remaining") < c.n) {
        /* Checked again, race-free, seat by seat inside the transaction; this is only the early answer. */
        json_t *old;
        if (vaccine__appointment_find_client(r->store, arena_printf(&r->arena, "%s:%lld", c.client_id,
                                                                    (long long)c.people[0].id), &old) != STORE_OK)
            return http_fail(r, ERR_CONFLICT, "person_ids", "the session has %lld seats left for %d people",
                             (long long)vaccine__int(se, "remaining"), c.n);
        json_decref(old);
    }
    c.se = se;
    c.ids = json_array();
    arena_on_release(&r->arena, (void (*)(void *))json_decref, c.ids);
    rc = store_tx(r->store, invite_tx, &c);
    if (rc)
        return rc;
    json_t *arr = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(c.ids, i, v) {
        json_t *a = appointment_reply(r, (int64_t)json_integer_value(v));
        if (a)
            json_array_append_new(arr, a);
    }
    return http_reply_json(r, 201, json_pack("{s:o}", "appointments", arr));
}

/* ---------------------------------------------------------------- appointment changes */

int vaccine__appointment_load(struct http_req *r, json_t **appt, struct person *p)
{
    int64_t id;
    int rc = http_param_id(r, "id", &id);
    if (rc)
        return rc;
    rc = vaccine__appointment_get(r->store, id, appt);
    if (rc == STORE_DONE)
        return http_fail(r, ERR_NOT_FOUND, "id", "no appointment has id %lld", (long long)id);
    if (rc)
        return store_err(rc);
    arena_on_release(&r->arena, (void (*)(void *))json_decref, *appt);
    if (vaccine__is_citizen(r)) {
        rc = people_require_access(r, vaccine__int(*appt, "person_id"), p);
        if (rc == ERR_FORBIDDEN) /* a stranger's appointment is as absent as a missing one */
            return http_fail(r, ERR_NOT_FOUND, "id", "no appointment has id %lld", (long long)id);
        return rc;
    }
    rc = vaccine__require_row_area(r, *appt, "");
    if (rc)
        return rc;
    rc = people_get(r->store, &r->arena, vaccine__int(*appt, "person_id"), p);
    return rc ? store_err(rc) : 0;
}

struct change_ctx {
    struct http_req *r;
    const json_t *appt;
    const struct person *p;
    const char *status;    /* new status of the appointment */
    const json_t *new_se;  /* reschedule to this session */
    int dose_number;
    bool notify;           /* staff moved it: tell the person by SMS */
    int64_t new_id;
    bool created;
};

static int change_tx(struct store *s, void *p)
{
    struct change_ctx *c = p;
    int64_t id = vaccine__int(c->appt, "id");
    const char *cur;
    int64_t active;
    int rc = vaccine__appointment_is_active(s, id, &active);
    if (rc)
        return rc;
    json_t *now_row;
    rc = vaccine__appointment_get(s, id, &now_row);
    if (rc)
        return rc;
    cur = arena_strdup(&c->r->arena, vaccine__str(now_row, "status"));
    json_decref(now_row);
    if (c->new_se) {
        /* Idempotent: the replacement's client id is derived from the appointment it replaces. */
        const char *cid = arena_printf(&c->r->arena, "reschedule:%lld", (long long)id);
        if (active) {
            rc = vaccine__seat_release(s, vaccine__int(c->appt, "session_id"));
            if (!rc)
                rc = vaccine__appointment_set(s, id, "rescheduled", clock_now());
            if (rc)
                return rc;
        } else if (!strcmp(cur, "reschedule_requested")) {
            /* the request is answered: it leaves the queue (GET /api/v1/vaccine/reschedule-requests) */
            rc = vaccine__appointment_set(s, id, "rescheduled", clock_now());
            if (rc)
                return rc;
        } else if (strcmp(cur, "rescheduled"))
            return http_fail(c->r, ERR_CONFLICT, "id", "a %s appointment cannot be moved", cur);
        rc = book(s, c->r, c->p, c->new_se, c->dose_number, "confirmed", "booking", cid, "", &c->new_id, &c->created);
        if (!rc && c->created && c->notify && c->p->phone) {
            char from[8], to[8];
            json_t *na;
            rc = vaccine__appointment_get(s, c->new_id, &na);
            if (rc)
                return rc;
            hhmm(vaccine__int(na, "slot_start"), from);
            hhmm(vaccine__int(na, "slot_end"), to);
            json_decref(na);
            int64_t mid;
            rc = queue_appointment(s, &c->r->arena, "vaccine_rescheduled", c->p->phone, c->new_se, c->dose_number,
                                   from, to, c->new_id, &mid);
        }
    } else if (!strcmp(c->status, "confirmed")) {
        if (!active)
            return strcmp(cur, "confirmed") ? http_fail(c->r, ERR_CONFLICT, "id", "a %s appointment cannot be confirmed",
                                                        cur)
                                            : 0;
        rc = vaccine__appointment_set(s, id, "confirmed", clock_now());
        c->new_id = id;
    } else {
        c->new_id = id;
        if (!active)
            return strcmp(cur, c->status) ? http_fail(c->r, ERR_CONFLICT, "id", "the appointment is already %s", cur)
                                          : 0;
        rc = vaccine__seat_release(s, vaccine__int(c->appt, "session_id"));
        if (!rc)
            rc = vaccine__appointment_set(s, id, c->status, clock_now());
    }
    if (!rc && !vaccine__is_citizen(c->r))
        rc = audit_request(c->r, "vaccine_appointment.update", "person", vaccine__id_text(&c->r->arena, c->p->id),
                           c->p->commune_code);
    return rc;
}

static int change(struct http_req *r, const char *status)
{
    json_t *appt;
    struct person p;
    int rc = vaccine__appointment_load(r, &appt, &p);
    if (rc)
        return rc;
    struct change_ctx c = {.r = r, .appt = appt, .p = &p, .status = status};
    rc = store_tx(r->store, change_tx, &c);
    if (rc)
        return rc;
    json_t *out = appointment_reply(r, c.new_id);
    if (!out)
        return http_fail(r, ERR_INTERNAL, NULL, "appointment not read back");
    return http_reply_json(r, 200, out);
}

/* POST /api/v1/vaccine/appointments/{id}/confirm */
enum err vaccine_handle_appointment_confirm(struct http_req *r)
{
    return change(r, "confirmed");
}

/* POST /api/v1/vaccine/appointments/{id}/cancel */
enum err vaccine_handle_appointment_cancel(struct http_req *r)
{
    return change(r, "cancelled");
}

/* POST /api/v1/vaccine/appointments/{id}/reschedule {"session_id"?}: another slot now, or ask for one. */
enum err vaccine_handle_appointment_reschedule(struct http_req *r)
{
    static const char *const fields[] = {"session_id", NULL};
    const struct vaccine_data *d;
    json_t *appt, *body;
    struct person p;
    int64_t session_id = 0;
    bool present = false;
    int rc = vaccine__data(r, &d);
    if (!rc)
        rc = vaccine__appointment_load(r, &appt, &p);
    if (!rc && r->body.len)
        rc = http_read_json(r, fields, &body);
    else if (!rc)
        body = NULL;
    if (!rc && body)
        rc = jsonin_int(body, "session_id", false, 1, INT64_MAX, &session_id, &present, &r->fault);
    if (rc)
        return rc;
    if (!present)
        return change(r, "reschedule_requested");
    return vaccine__appointment_move(r, d, appt, &p, session_id, false);
}

int vaccine__appointment_move(struct http_req *r, const struct vaccine_data *d, const json_t *appt,
                              const struct person *p, int64_t session_id, bool notify)
{
    json_t *se;
    int rc = load_session(r, session_id, "session_id", ERR_INVALID_FIELD, &se);
    if (!rc && !vaccine__is_citizen(r))
        rc = vaccine__require_row_area(r, se, "");
    if (rc)
        return rc;
    if (session_id == vaccine__int(appt, "session_id") && !strcmp(vaccine__str(appt, "status"), "confirmed"))
        return http_reply_json(r, 200, json_incref((json_t *)appt));
    struct change_ctx c = {.r = r, .appt = appt, .p = p, .status = "confirmed", .new_se = se, .notify = notify};
    rc = check_session_for(r, d, p, se, &c.dose_number);
    if (rc)
        return rc;
    rc = store_tx(r->store, change_tx, &c);
    if (rc)
        return rc;
    json_t *out = appointment_reply(r, c.new_id);
    if (!out)
        return http_fail(r, ERR_INTERNAL, NULL, "appointment not read back");
    return http_reply_json(r, 200, out);
}
