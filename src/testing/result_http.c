/*
 * result_http.c - results: one tube at a time, result files (check, apply),
 * and the return of results to people (their page, lookups by personal QR or
 * by CCCD with date of birth).
 */
#include <stdio.h>
#include <string.h>

#include "admin/role.h"
#include "area/unit.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "core/ids.h"
#include "core/jsonin.h"
#include "http/http.h"
#include "people/people.h"
#include "qr/qr.h"
#include "store/store.h"
#include "testing/testing.h"
#include "testing/testing_int.h"

static json_t *summary_json(const struct testing_apply_summary *s)
{
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "applied", (json_int_t)s->applied, "unchanged",
                     (json_int_t)s->unchanged, "people", (json_int_t)s->people, "retest_orders",
                     (json_int_t)s->retests, "cases", (json_int_t)s->cases, "messages", (json_int_t)s->messages);
}

/* ---------------------------------------------------------------- one result */

struct result_ctx {
    struct http_req *r;
    const struct testing_tube *tube;
    int result, ct;
    bool changed;
    struct testing_apply_summary sum;
};

/* The result of a request body: positive, negative or invalid (the entry and the correction). */
static int read_result(struct http_req *r, json_t *body, int *out)
{
    const char *result;
    int rc = jsonin_str(body, "result", true, 16, &result, &r->fault);
    if (!rc && strcmp(result, "positive") && strcmp(result, "negative") && strcmp(result, "invalid"))
        rc = http_fail(r, ERR_INVALID_FIELD, "result", "result must be positive, negative or invalid");
    if (!rc)
        *out = testing_result_parse(result);
    return rc;
}

/* The optional ct of a request body, 0 to 50, kept in tenths; absent or null leaves *out as it is. */
static int read_ct(struct http_req *r, json_t *body, int *out)
{
    json_t *ct = json_object_get(body, "ct");
    if (!ct || json_is_null(ct))
        return 0;
    double v = json_number_value(ct);
    if (!json_is_number(ct) || v < 0 || v > 50)
        return http_fail(r, ERR_INVALID_FIELD, "ct", "ct must be a number from 0 to 50");
    *out = (int)(v * 10 + 0.5);
    return 0;
}

static int result_tx(struct store *st, void *p)
{
    struct result_ctx *c = p;
    struct http_req *r = c->r;
    int64_t now = clock_now(), batch;
    const char *existing;
    memset(&c->sum, 0, sizeof(c->sum));
    int rc = testing_batch_open(st, "single", r->who->account_id, r->who->unit_code, now, &batch);
    if (!rc)
        rc = testing_result_set(st, c->tube->code, c->result, c->ct, r->who->account_id, batch, now, &c->changed,
                                &existing);
    if (rc == STORE_CONFLICT)
        return http_fail(r, ERR_CONFLICT, "result", "tube %s already has the result %s", c->tube->code,
                         existing ? existing : "(another)");
    if (rc == STORE_DONE)
        return http_fail(r, ERR_CONFLICT, "tube_id", "tube %s holds no samples", c->tube->code);
    if (!rc && c->changed) {
        c->sum.applied = 1;
        rc = testing_propagate(st, batch, now, &c->sum);
    } else if (!rc) {
        c->sum.unchanged = 1;
    }
    if (!rc)
        rc = audit_request(r, "testing.result.create", "testing_tube", c->tube->code, c->tube->commune_code);
    return rc;
}

/* POST /api/v1/testing/results {tube_id, result, ct?} (lab of the tube's session) */
enum err testing_handle_result(struct http_req *r)
{
    static const char *const fields[] = {"tube_id", "result", "ct", NULL};
    json_t *body;
    const char *code;
    struct testing_tube t;
    struct result_ctx c = {.r = r, .tube = &t, .ct = -1};
    int rc = http_read_json(r, fields, &body);
    if (!rc)
        rc = jsonin_str(body, "tube_id", true, 32, &code, &r->fault);
    if (!rc)
        rc = read_result(r, body, &c.result);
    if (!rc)
        rc = read_ct(r, body, &c.ct);
    if (rc)
        return rc;
    rc = testing_tube_code_valid(code) ? testing_tube_get(r->store, &r->arena, code, &t) : STORE_DONE;
    if (rc == STORE_DONE)
        return http_fail(r, ERR_NOT_FOUND, "tube_id", "no tube %s was issued", code);
    if (rc)
        return store_err(rc);
    if (!unit_within(r->who->unit_code, t.lab_unit_code))
        return http_fail(r, ERR_FORBIDDEN, "tube_id", "tube %s was sent to another lab", code);
    if (t.members == 0)
        return http_fail(r, ERR_CONFLICT, "tube_id", "tube %s holds no samples", code);
    rc = store_tx(r->store, result_tx, &c);
    if (rc)
        return rc;
    rc = testing_tube_get(r->store, &r->arena, code, &t);
    if (rc)
        return store_err(rc);
    struct testing_sample *m;
    int n;
    rc = testing_tube_members(r->store, &r->arena, t.id, &m, &n);
    if (rc)
        return store_err(rc);
    json_t *members = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(members, json_pack("{s:I, s:s}", "person_id", (json_int_t)m[i].person_id, "status",
                                                 m[i].status));
    return http_reply_json(r, 200,
                           json_pack("{s:o, s:b, s:o, s:o}", "tube", testing_tube_to_json(&t), "changed", c.changed,
                                     "members", members, "summary", summary_json(&c.sum)));
}

/* ---------------------------------------------------------------- corrections */

struct correct_ctx {
    struct http_req *r;
    const struct testing_tube *tube;
    int result, ct;
    const char *reason;
    struct testing_correction c;
};

static int correct_tx(struct store *st, void *p)
{
    struct correct_ctx *x = p;
    struct http_req *r = x->r;
    int rc = testing_result_correct(st, &r->arena, x->tube, x->result, x->ct, x->reason, r->who->account_id,
                                    r->who->unit_code, clock_now(), &x->c);
    if (rc == STORE_DONE)
        return http_fail(r, ERR_CONFLICT, "result",
                         "tube %s has no result yet: enter it with POST /api/v1/testing/results", x->tube->code);
    if (rc == STORE_CONFLICT)
        return http_fail(r, ERR_CONFLICT, "result", "tube %s already has the result %s", x->tube->code,
                         testing_result_name(x->result));
    if (!rc)
        rc = audit_request(r, "testing.result.correct", "testing_tube", x->tube->code, x->tube->commune_code);
    return rc;
}

/* POST /api/v1/testing/results/{id}/correct {result, reason, ct?} (lab of the tube; id is the tube code) */
enum err testing_handle_result_correct(struct http_req *r)
{
    static const char *const fields[] = {"result", "reason", "ct", NULL};
    const char *code = http_param(r, "id");
    json_t *body;
    struct testing_tube t;
    struct correct_ctx x = {.r = r, .tube = &t, .ct = -1};
    int rc = http_read_json(r, fields, &body);
    if (!rc)
        rc = read_result(r, body, &x.result);
    if (!rc)
        rc = jsonin_str(body, "reason", true, 500, &x.reason, &r->fault);
    if (!rc && strlen(x.reason) < 5)
        rc = http_fail(r, ERR_INVALID_FIELD, "reason", "reason must say why the result is corrected (5 characters or more)");
    if (!rc)
        rc = read_ct(r, body, &x.ct);
    if (rc)
        return rc;
    rc = testing_tube_code_valid(code) ? testing_tube_get(r->store, &r->arena, code, &t) : STORE_DONE;
    if (rc == STORE_DONE)
        return http_fail(r, ERR_NOT_FOUND, "id", "no tube %s was issued", code);
    if (rc)
        return store_err(rc);
    if (!unit_within(r->who->unit_code, t.lab_unit_code))
        return http_fail(r, ERR_FORBIDDEN, "id", "tube %s was sent to another lab", code);
    rc = store_tx(r->store, correct_tx, &x);
    if (rc)
        return rc;
    rc = testing_tube_get(r->store, &r->arena, code, &t);
    if (rc)
        return store_err(rc);
    const struct testing_correction *c = &x.c;
    json_t *withdrawn = json_pack("{s:I, s:I, s:I, s:I}", "cases", (json_int_t)c->cases, "contacts",
                                  (json_int_t)c->contacts, "orders", (json_int_t)c->orders, "messages",
                                  (json_int_t)c->messages_withdrawn);
    return http_reply_json(r, 200,
                           json_pack("{s:I, s:o, s:s, s:s, s:s, s:o, s:I, s:I, s:o}", "id", (json_int_t)c->id, "tube",
                                     testing_tube_to_json(&t), "old_result", testing_result_name(c->old_result),
                                     "new_result", testing_result_name(x.result), "reason", x.reason, "withdrawn",
                                     withdrawn, "kept", (json_int_t)c->kept, "told", (json_int_t)c->told, "summary",
                                     summary_json(&c->sum)));
}

/* ---------------------------------------------------------------- files */

/* POST /api/v1/testing/results/import/check : the body is the file (CSV or XLSX), up to 50 MiB. */
enum err testing_handle_import_check(struct http_req *r)
{
    struct testing_import_check chk;
    int rc = testing_import_check(r->store, &r->arena, r->body.data, r->body.len, r->who->account_id,
                                  r->who->unit_code, clock_now(), &chk, &r->fault);
    if (rc)
        return r->fault.code ? (int)r->fault.code : rc;
    json_t *errors = json_array();
    for (int i = 0; i < chk.nerrors; i++) {
        const struct testing_import_error *e = &chk.errors[i];
        json_t *row = json_pack("{s:I, s:s?, s:s, s:s?, s:s}", "line", (json_int_t)e->line, "field", e->field, "code",
                                e->code, "value", e->value, "reason", e->reason);
        if (e->ref_line)
            json_object_set_new(row, "ref_line", json_integer(e->ref_line));
        if (e->had)
            json_object_set_new(row, "had", json_string(e->had));
        json_array_append_new(errors, row);
    }
    return http_reply_json(r, 200,
                           json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:o, s:b}", "token", chk.token, "format",
                                     chk.format, "rows", (json_int_t)chk.rows, "valid", (json_int_t)chk.valid,
                                     "unchanged", (json_int_t)chk.unchanged, "bad", (json_int_t)chk.bad, "errors",
                                     errors, "errors_truncated", chk.bad > chk.nerrors));
}

struct apply_ctx {
    struct http_req *r;
    const char *token;
    bool valid_only, already;
    struct testing_apply_summary sum;
};

static int apply_tx(struct store *st, void *p)
{
    struct apply_ctx *c = p;
    int rc = testing_import_apply(st, c->token, c->r->who->account_id, c->r->who->unit_code, c->valid_only,
                                  clock_now(), &c->sum, &c->already, &c->r->fault);
    if (!rc && !c->already)
        rc = audit_request(c->r, "testing.result.import", "testing_result_batch", c->token, c->r->who->unit_code);
    return rc;
}

/* POST /api/v1/testing/results/import/apply {token, apply_valid_only?} */
enum err testing_handle_import_apply(struct http_req *r)
{
    static const char *const fields[] = {"token", "apply_valid_only", NULL};
    json_t *body;
    int valid_only;
    struct apply_ctx c = {.r = r};
    int rc = http_read_json(r, fields, &body);
    if (!rc)
        rc = jsonin_str(body, "token", true, 64, &c.token, &r->fault);
    if (!rc)
        rc = jsonin_bool(body, "apply_valid_only", false, &valid_only, &r->fault);
    if (rc)
        return rc;
    c.valid_only = valid_only == 1;
    rc = store_tx(r->store, apply_tx, &c);
    if (rc)
        return rc;
    json_t *o = summary_json(&c.sum);
    json_object_set_new(o, "token", json_string(c.token));
    json_object_set_new(o, "already_applied", json_boolean(c.already));
    return http_reply_json(r, 200, o);
}

/* ---------------------------------------------------------------- results for people */

static json_t *public_result(const struct testing_sample *s)
{
    return json_pack("{s:s?, s:s?, s:I, s:s, s:o}", "date", s->date, "test_type", s->test_type, "collected_at",
                     (json_int_t)s->collected_at, "status", s->status, "resulted_at",
                     s->resulted_at ? json_integer(s->resulted_at) : json_null());
}

/* Where a person whose result needs a retest goes: the site they were sampled at (null if unknown). */
static json_t *retest_site(struct http_req *r, const struct testing_sample *m)
{
    struct testing_session ses;
    struct testing_site site;
    if (testing_session_get(r->store, &r->arena, m->session_id, &ses) != STORE_OK ||
        testing_site_get(r->store, &r->arena, ses.site_id, &site) != STORE_OK)
        return json_null();
    return json_pack("{s:I, s:s?, s:s?, s:s?}", "id", (json_int_t)site.id, "name", site.name, "address", site.address,
                     "commune_code", site.commune_code);
}

static int person_results_json(struct http_req *r, const struct person *p, json_t **out)
{
    struct testing_sample *list;
    int n;
    int rc = testing_person_results(r->store, &r->arena, p->id, 50, &list, &n);
    if (rc)
        return store_err(rc);
    json_t *arr = json_array();
    for (int i = 0; i < n; i++) {
        json_t *o = public_result(&list[i]);
        if (!strcmp(list[i].status, "pool_positive_retest") || !strcmp(list[i].status, "invalid"))
            json_object_set_new(o, "retest_site", retest_site(r, &list[i]));
        json_array_append_new(arr, o);
    }
    *out = json_pack("{s:{s:I, s:s, s:s?}, s:o}", "person", "id", (json_int_t)p->id, "code", p->code, "full_name",
                     p->full_name, "results", arr);
    return 0;
}

/* GET /api/v1/me/results : the citizen's results and those of the family members they manage. */
enum err testing_handle_my_results(struct http_req *r)
{
    struct person self, *managed;
    int n;
    int rc = people_get(r->store, &r->arena, r->who->person_id, &self);
    if (rc)
        return store_err(rc == STORE_DONE ? STORE_ERROR : rc);
    rc = people_managed(r->store, &r->arena, self.id, &managed, &n);
    if (rc)
        return store_err(rc);
    json_t *arr = json_array(), *one;
    if ((rc = person_results_json(r, &self, &one)))
        goto fail;
    json_array_append_new(arr, one);
    for (int i = 0; i < n; i++) {
        if ((rc = person_results_json(r, &managed[i], &one)))
            goto fail;
        json_array_append_new(arr, one);
    }
    return http_reply_json(r, 200, json_pack("{s:o}", "people", arr));
fail:
    json_decref(arr);
    return rc;
}

static int lookup_allowed(struct http_req *r)
{
    bool allowed;
    int rc = testing_lookup_allow(r->store, r->client_ip, clock_now(), &allowed);
    if (rc)
        return store_err(rc);
    if (!allowed) {
        char v[16];
        snprintf(v, sizeof(v), "%d", TESTING_LOOKUP_WINDOW);
        http_add_header(r, "Retry-After", v);
        return http_fail(r, ERR_RATE_LIMITED, NULL, "too many lookups from this address; try again later");
    }
    return 0;
}

/* The public answer names the person by code only: whoever holds the card or the CCCD, with the
 * birth date, learns the results, not more.  Each answer is audited like any read of personal data
 * (action results.lookup, the person's id, their commune). */
static int reply_lookup(struct http_req *r, const struct person *p)
{
    json_t *o;
    int rc = person_results_json(r, p, &o);
    if (rc)
        return rc;
    rc = store_err(audit_request(r, "results.lookup", "person", arena_printf(&r->arena, "%lld", (long long)p->id),
                                 p->commune_code));
    if (rc) {
        json_decref(o);
        return rc;
    }
    json_object_del(json_object_get(o, "person"), "id");
    json_object_del(json_object_get(o, "person"), "full_name");
    return http_reply_json(r, 200, o);
}

/* POST /api/v1/results/lookup/qr {qr} (public, rate-limited) */
enum err testing_handle_lookup_qr(struct http_req *r)
{
    static const char *const fields[] = {"qr", "date_of_birth", NULL};
    json_t *body;
    const char *qr, *dob;
    struct person p;
    int rc = lookup_allowed(r);
    if (!rc)
        rc = http_read_json(r, fields, &body);
    if (!rc)
        rc = jsonin_str(body, "qr", true, QR_PAYLOAD_MAX - 1, &qr, &r->fault);
    /* a card is often held by others (a venue, a neighbour): the birth date proves more */
    if (!rc)
        rc = jsonin_str(body, "date_of_birth", true, 10, &dob, &r->fault);
    if (!rc && !testing_date_valid(dob))
        rc = http_fail(r, ERR_INVALID_FIELD, "date_of_birth", "date_of_birth must be a date YYYY-MM-DD");
    if (rc)
        return rc;
    rc = people_from_qr(r->store, &r->arena, qr, "qr", &p, &r->fault);
    if (rc)
        return rc;
    if (!p.date_of_birth || strcmp(p.date_of_birth, dob))
        return http_fail(r, ERR_NOT_FOUND, "date_of_birth", "the date of birth does not match this card");
    return reply_lookup(r, &p);
}

/* POST /api/v1/results/lookup/cccd {cccd, date_of_birth} (public, rate-limited) */
enum err testing_handle_lookup_cccd(struct http_req *r)
{
    static const char *const fields[] = {"cccd", "date_of_birth", NULL};
    json_t *body;
    const char *cccd, *dob;
    struct person p;
    int rc = lookup_allowed(r);
    if (!rc)
        rc = http_read_json(r, fields, &body);
    if (!rc)
        rc = jsonin_str(body, "cccd", true, 12, &cccd, &r->fault);
    if (!rc)
        rc = strlen(cccd) == IDS_CMND_LEN ? ids_check_cmnd(cccd, "cccd", &r->fault)
                                          : ids_check_cccd(cccd, "cccd", &r->fault);
    if (!rc)
        rc = jsonin_str(body, "date_of_birth", true, 10, &dob, &r->fault);
    if (!rc && !testing_date_valid(dob))
        rc = http_fail(r, ERR_INVALID_FIELD, "date_of_birth", "date_of_birth must be a date YYYY-MM-DD");
    if (rc)
        return rc;
    rc = people_find_by_cccd(r->store, &r->arena, cccd, &p);
    if (rc && rc != STORE_DONE)
        return store_err(rc);
    if (rc == STORE_DONE || !p.date_of_birth || strcmp(p.date_of_birth, dob) != 0)
        return http_fail(r, ERR_NOT_FOUND, "cccd", "no person matches this CCCD and date of birth");
    return reply_lookup(r, &p);
}
