/*
 * checkin_http.c - /api/v1/checkins, /api/v1/venues/{id}/checkins and
 * /api/v1/me/checkins handlers.
 *
 * A check-in write goes to the writer (checkin_writer.c), which commits it
 * with the others waiting: find (or, for an anonymous caller, create) the
 * people, insert each row with ON CONFLICT DO NOTHING on (client_id,
 * person_id), read a stored row back.  A retry with the same client_id
 * therefore answers 200 with the same rows and creates nothing; a first
 * success answers 201 only after the commit.  The request's connection is
 * parked meanwhile (http_defer), so its thread serves others.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "admin/role.h"
#include "area/unit.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "core/jsonin.h"
#include "core/validate.h"
#include "http/http.h"
#include "people/people.h"
#include "qr/qr.h"
#include "store/store.h"
#include "venue/checkin.h"
#include "venue/venue.h"

#define MY_CHECKINS_MAX 500 /* most rows GET /me/checkins answers */

static bool is_citizen(const struct http_req *r)
{
    return r->who && r->who->role == ROLE_CITIZEN && r->who->person_id > 0;
}

/* The public view of a venue, as the check-in page shows it (no owner, no internal state). */
static void venue_public_json(struct jsonout *o, struct arena *a, const struct venue *v)
{
    const char *address = venue_address(a, v);
    jsonout_object(o, "venue");
    jsonout_int(o, "id", v->id);
    jsonout_str(o, "code", v->code ? v->code : "");
    jsonout_str(o, "name", v->name ? v->name : "");
    jsonout_str(o, "type", v->type ? v->type : "");
    jsonout_str(o, "address", address ? address : "");
    jsonout_str(o, "status", v->status ? v->status : "");
    jsonout_close_object(o);
}

/* ---------------------------------------------------------------- the shared write */

/* Hands the job to the writer once the connection is parked (http_defer). */
static void create_start(struct http_req *r, void *p)
{
    (void)r;
    checkin_writer_submit(p);
}

/* Back on a request thread, after the writer's commit: 201 (something new) or 200 (a retry). */
static int create_finish(struct http_req *r, void *p)
{
    struct checkin_job *c = p;
    if (c->rc)
        return c->rc;
    struct jsonout o;
    http_json_start(r, &o);
    jsonout_object(&o, NULL);
    jsonout_array(&o, "checkins");
    for (int i = 0; i < c->n; i++)
        checkin_json(&o, NULL, &c->rows[i]);
    jsonout_close_array(&o);
    venue_public_json(&o, &r->arena, c->v);
    jsonout_int(&o, "server_time", clock_now());
    jsonout_close_object(&o);
    return http_reply_jsonout(r, c->created ? 201 : 200, &o);
}

/* Queues the write (checkin_writer.c); the answer comes after its batch commits. */
static int create_run(struct http_req *r, struct checkin_job *c)
{
    const struct unit *u = c->v->commune_code ? unit_find(c->v->commune_code) : NULL;
    const char *province = NULL, *district = NULL, *commune = NULL;
    if (u)
        unit_ancestors(u, &province, &district, &commune);
    c->province = province && *province ? province : NULL;
    c->district = district && *district ? district : NULL;
    c->commune = commune && *commune ? commune : c->v->commune_code;
    c->r = r;
    return http_defer(r, create_start, create_finish, c);
}

/* ---------------------------------------------------------------- POST /api/v1/checkins */

static bool manages_cb(void *ctx, int64_t self, int64_t id)
{
    return people_manages(ctx, self, id);
}

/* Reads "person_ids": an array of integers (at most CHECKIN_MAX_PEOPLE kept for the rule check). */
static int read_person_ids(struct http_req *r, json_t *body, int64_t *ids, int *n)
{
    json_t *arr = json_object_get(body, "person_ids");
    *n = 0;
    if (!arr || json_is_null(arr))
        return 0;
    if (!json_is_array(arr))
        return http_fail(r, ERR_INVALID_FIELD, "person_ids", "person_ids must be an array of person ids");
    if (json_array_size(arr) > CHECKIN_MAX_PEOPLE)
        return http_fail(r, ERR_INVALID_FIELD, "person_ids", "person_ids holds at most %d people",
                         CHECKIN_MAX_PEOPLE);
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        if (!json_is_integer(v) || json_integer_value(v) < 1)
            return http_fail(r, ERR_INVALID_FIELD, "person_ids", "person_ids must be an array of person ids");
        ids[(*n)++] = json_integer_value(v);
    }
    if (*n == 0)
        return http_fail(r, ERR_INVALID_FIELD, "person_ids", "person_ids must not be empty");
    return 0;
}

enum err checkin_handle_create(struct http_req *r)
{
    static const char *const fields[] = {"client_id", "venue_code", "venue_sig", "person_ids", "phone", "full_name",
                                         NULL};
    json_t *body;
    const char *client_id, *code_in, *sig_in, *phone, *full_name;
    char code[VENUE_CODE_LEN + 1], phone_buf[11];
    struct checkin_job *c = arena_alloc(&r->arena, sizeof(*c));
    int rc = http_read_json(r, fields, &body);
    if (!rc)
        rc = jsonin_client_id(body, "client_id", true, &client_id, &r->fault);
    if (!rc)
        rc = jsonin_str(body, "venue_code", true, 32, &code_in, &r->fault);
    if (!rc) {
        /* Codes are printed upper case; accept one typed in lower case. */
        size_t len = strlen(code_in);
        if (len != VENUE_CODE_LEN)
            len = 0;
        for (size_t i = 0; i < len; i++)
            code[i] = (char)toupper((unsigned char)code_in[i]);
        code[len] = '\0';
        rc = checkin_check_venue_code(code, "venue_code", &r->fault);
    }
    /* the poster's signature proves the caller read the poster: a venue code alone is guessable */
    if (!rc)
        rc = jsonin_str(body, "venue_sig", true, 200, &sig_in, &r->fault);
    const char *kid = NULL, *sig = NULL;
    if (!rc)
        rc = checkin_split_venue_sig(&r->arena, sig_in, "venue_sig", &kid, &sig, &r->fault);
    if (!rc)
        rc = read_person_ids(r, body, c->ids, &c->n);
    if (!rc)
        rc = jsonin_str(body, "phone", false, 16, &phone, &r->fault);
    if (!rc)
        rc = jsonin_str(body, "full_name", false, 100, &full_name, &r->fault);
    if (rc)
        return rc;

    if (is_citizen(r)) {
        /* A signed-in citizen is known: the phone and name come from the profile. */
        if (phone)
            return http_fail(r, ERR_INVALID_FIELD, "phone", "phone is only for check-ins without sign-in");
        if (full_name)
            return http_fail(r, ERR_INVALID_FIELD, "full_name", "full_name is only for check-ins without sign-in");
        rc = checkin_check_people(r->who->person_id, c->ids, &c->n, manages_cb, r->store, "person_ids", &r->fault);
        if (rc)
            return rc;
        c->by_person = r->who->person_id;
    } else {
        if (c->n)
            return http_fail(r, ERR_INVALID_FIELD, "person_ids",
                             "person_ids needs a citizen sign-in; without one give phone and full_name");
        if (!phone)
            return http_fail(r, ERR_MISSING_FIELD, "phone", "phone is required without sign-in");
        rc = validate_phone(phone, "phone", phone_buf, &r->fault);
        if (rc)
            return rc;
        if (!full_name)
            return http_fail(r, ERR_MISSING_FIELD, "full_name", "full_name is required without sign-in");
        rc = validate_person_name(full_name, "full_name", &r->fault);
        if (rc)
            return rc;
        c->phone = arena_strdup(&r->arena, phone_buf); /* the job outlives this frame */
        c->full_name = full_name;
    }

    struct venue *v = arena_alloc(&r->arena, sizeof(*v));
    rc = venue_find_by_code_cached(r->store, &r->arena, code, v);
    if (rc == STORE_DONE)
        return http_fail(r, ERR_NOT_FOUND, "venue_code", "no venue has code %s", code);
    if (rc)
        return store_err(rc);
    if (!v->status || strcmp(v->status, "approved"))
        return http_fail(r, ERR_CONFLICT, "venue_code", "venue %s is not approved for check-ins", code);
    int qs = qr_verify_venue(r->store, code, kid, sig);
    if (qs == QR_ERROR)
        return ERR_INTERNAL;
    if (qs != QR_VALID)
        return http_fail(r, ERR_INVALID_FIELD, "venue_sig", "the poster's signature does not match venue %s", code);
    /* the limits on anonymous check-ins are counted by the writer (checkin_writer.c) */
    c->v = v;
    c->client_id = client_id;
    c->method = CHECKIN_POSTER;
    return create_run(r, c);
}

/* ---------------------------------------------------------------- POST /api/v1/venues/{id}/checkins */

/* The venue of path parameter {id}, if the caller may manage it. */
static int load_venue(struct http_req *r, int64_t id, struct venue *v)
{
    int rc = venue_get(r->store, &r->arena, id, v);
    if (rc == STORE_DONE)
        return http_fail(r, ERR_NOT_FOUND, "id", "no venue has id %lld", (long long)id);
    if (rc)
        return store_err(rc);
    return venue_require_manage(r, v);
}

enum err checkin_handle_venue_create(struct http_req *r)
{
    static const char *const fields[] = {"client_id", "qr", "cccd", "bhyt", NULL};
    json_t *body;
    const char *client_id, *qr, *cccd, *bhyt;
    char bhyt_buf[16];
    int64_t id;
    struct venue *v = arena_alloc(&r->arena, sizeof(*v));
    int rc = http_param_id(r, "id", &id);
    if (!rc)
        rc = load_venue(r, id, v);
    if (!rc)
        rc = http_read_json(r, fields, &body);
    if (!rc)
        rc = jsonin_client_id(body, "client_id", true, &client_id, &r->fault);
    if (!rc)
        rc = jsonin_str(body, "qr", false, QR_PAYLOAD_MAX, &qr, &r->fault);
    if (!rc)
        rc = jsonin_str(body, "cccd", false, 16, &cccd, &r->fault);
    if (!rc)
        rc = jsonin_str(body, "bhyt", false, 16, &bhyt, &r->fault);
    if (rc)
        return rc;
    if (!qr && !cccd && !bhyt)
        return http_fail(r, ERR_MISSING_FIELD, "qr", "give exactly one of qr, cccd, bhyt");
    if ((qr && cccd) || ((qr || cccd) && bhyt))
        return http_fail(r, ERR_INVALID_FIELD, bhyt ? "bhyt" : "cccd", "give exactly one of qr, cccd, bhyt");
    if (cccd && (rc = checkin_check_id_number(cccd, "cccd", &r->fault)))
        return rc;
    if (bhyt && (rc = checkin_check_bhyt(bhyt, "bhyt", bhyt_buf, &r->fault)))
        return rc;
    if (!v->status || strcmp(v->status, "approved"))
        return http_fail(r, ERR_CONFLICT, "id", "venue %lld is not approved for check-ins", (long long)id);

    struct person p;
    const char *field = qr ? "qr" : cccd ? "cccd" : "bhyt";
    if (qr)
        rc = people_from_qr(r->store, &r->arena, qr, "qr", &p, &r->fault);
    else if (cccd)
        rc = people_find_by_cccd(r->store, &r->arena, cccd, &p);
    else
        rc = people_find_by_bhyt(r->store, &r->arena, bhyt_buf, &p);
    if (rc == STORE_DONE || rc == ERR_NOT_FOUND)
        return http_fail(r, ERR_NOT_FOUND, field, "no person matches this %s", field);
    if (rc && r->fault.code)
        return rc;
    if (rc)
        return store_err(rc);

    struct checkin_job *c = arena_alloc(&r->arena, sizeof(*c));
    c->v = v;
    c->client_id = client_id;
    c->method = qr ? CHECKIN_STAFF_QR : CHECKIN_STAFF_ID;
    c->ids[0] = p.id;
    c->n = 1;
    c->by_account = r->who->account_id;
    return create_run(r, c);
}

/* ---------------------------------------------------------------- POST /api/v1/checkins/{id}/checkout */

struct checkout_ctx {
    struct http_req *r;
    const struct checkin *ck;
    bool audit;
};

static int checkout_tx(struct store *s, void *p)
{
    struct checkout_ctx *c = p;
    int rc = checkin_set_checkout(s, c->ck->id, clock_now());
    if (!rc && c->audit) {
        char id[24];
        snprintf(id, sizeof(id), "%lld", (long long)c->ck->person_id);
        rc = audit_request(c->r, "checkin.checkout", "person", id, c->ck->commune_code);
    }
    return rc;
}

enum err checkin_handle_checkout(struct http_req *r)
{
    int64_t id;
    struct checkin ck;
    int rc = http_param_id(r, "id", &id);
    if (rc)
        return rc;
    rc = checkin_get(r->store, &r->arena, id, &ck);
    if (rc == STORE_DONE)
        return http_fail(r, ERR_NOT_FOUND, "id", "no check-in has id %lld", (long long)id);
    if (rc)
        return store_err(rc);
    if (is_citizen(r)) {
        if (ck.person_id != r->who->person_id && !people_manages(r->store, r->who->person_id, ck.person_id))
            return http_fail(r, ERR_FORBIDDEN, "id", "this check-in is not yours or a family member's");
    } else {
        struct venue v;
        rc = venue_get(r->store, &r->arena, ck.venue_id, &v);
        if (rc == STORE_DONE)
            return http_fail(r, ERR_FORBIDDEN, "id", "the venue of this check-in is gone");
        if (rc)
            return store_err(rc);
        if ((rc = venue_require_manage(r, &v)))
            return rc;
    }
    struct checkout_ctx c = {r, &ck, !is_citizen(r)};
    rc = store_tx(r->store, checkout_tx, &c);
    if (rc)
        return rc;
    checkin__changed(r->store);
    rc = checkin_get(r->store, &r->arena, id, &ck);
    if (rc)
        return store_err(rc == STORE_DONE ? STORE_ERROR : rc);
    struct jsonout o;
    http_json_start(r, &o);
    checkin_json(&o, NULL, &ck);
    return http_reply_jsonout(r, 200, &o);
}

/* ---------------------------------------------------------------- GET /api/v1/me/checkins */

enum err checkin_handle_mine(struct http_req *r)
{
    int64_t only, limit;
    int rc = http_query_int(r, "person_id", 1, INT64_MAX, 0, &only);
    if (!rc)
        rc = http_query_int(r, "limit", 1, MY_CHECKINS_MAX, 100, &limit);
    if (rc)
        return rc;
    if (!is_citizen(r))
        return http_fail(r, ERR_FORBIDDEN, NULL, "only a signed-in citizen has check-ins");
    int64_t self = r->who->person_id;
    int64_t *ids;
    int n = 0;
    if (only) {
        if (only != self && !people_manages(r->store, self, only))
            return http_fail(r, ERR_FORBIDDEN, "person_id", "person_id must be you or a family member you manage");
        ids = arena_alloc(&r->arena, sizeof(*ids));
        ids[n++] = only;
    } else {
        struct person *members = NULL;
        int m = 0;
        rc = people_managed(r->store, &r->arena, self, &members, &m);
        if (rc)
            return store_err(rc);
        ids = arena_alloc(&r->arena, sizeof(*ids) * (size_t)(m + 1));
        ids[n++] = self;
        for (int i = 0; i < m; i++)
            ids[n++] = members[i].id;
    }
    struct checkin *list;
    int count;
    rc = checkin_list_people(r->store, &r->arena, ids, n, limit, &list, &count);
    if (rc)
        return store_err(rc);
    struct jsonout o;
    http_json_start(r, &o);
    jsonout_object(&o, NULL);
    jsonout_array(&o, "checkins");
    for (int i = 0; i < count; i++)
        checkin_json(&o, NULL, &list[i]);
    jsonout_close_array(&o);
    jsonout_close_object(&o);
    return http_reply_jsonout(r, 200, &o);
}
