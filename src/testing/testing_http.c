/*
 * testing_http.c - handlers for sites, sessions, samplers, tube labels,
 * manifests, lab receipt, tubes and oversight figures.
 *
 * Who may touch a session (testing__session_access): officials whose area
 * holds the site, samplers assigned to it, lab accounts whose unit holds the
 * session's lab unit.  The route table lists the roles; this file checks the
 * rest.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "area/scope.h"
#include "admin/account.h"
#include "admin/role.h"
#include "area/unit.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "core/jsonin.h"
#include "export/export.h"
#include "http/http.h"
#include "people/people.h"
#include "store/store.h"
#include "testing/testing.h"
#include "testing/testing_int.h"

/* ---------------------------------------------------------------- shared */

int testing__session_access(struct http_req *r, const struct testing_session *s)
{
    int role = r->who->role;
    if (role_admin_level(role) >= 0)
        return area_require(r, s->commune_code);
    if (role == ROLE_SAMPLER) {
        if (testing_sampler_assigned(r->store, s->id, r->who->account_id))
            return 0;
        return http_fail(r, ERR_FORBIDDEN, NULL, "you are not assigned to this session");
    }
    if (role == ROLE_LAB) {
        if (unit_within(r->who->unit_code, s->lab_unit_code))
            return 0;
        return http_fail(r, ERR_FORBIDDEN, NULL, "this session's tubes go to another lab");
    }
    return http_fail(r, ERR_FORBIDDEN, NULL, "your role may not do this");
}

int testing__load_session(struct http_req *r, int64_t id, const char *field, enum err missing,
                          struct testing_session *s)
{
    int rc = testing_session_get(r->store, &r->arena, id, s);
    if (rc == STORE_DONE)
        return http_fail(r, missing, field, "no session has id %lld", (long long)id);
    if (rc)
        return store_err(rc);
    return testing__session_access(r, s);
}

static int path_session(struct http_req *r, struct testing_session *s)
{
    int64_t id;
    int rc = http_param_id(r, "id", &id);
    if (!rc)
        rc = testing__load_session(r, id, "id", ERR_NOT_FOUND, s);
    return rc;
}

static void local_time(int64_t t, char out[20])
{
    time_t lt = (time_t)(t + VN_UTC_OFFSET);
    struct tm tm;
    gmtime_r(&lt, &tm);
    strftime(out, 20, "%Y-%m-%d %H:%M", &tm);
}

/* ---------------------------------------------------------------- sites */

/* POST /api/v1/testing/sites {client_id, name, address?, commune_code} (officials) */
enum err testing_handle_site_create(struct http_req *r)
{
    static const char *const fields[] = {"client_id", "name", "address", "commune_code", NULL};
    json_t *body;
    struct testing_site s = {0};
    const struct unit *u;
    int rc = http_read_json(r, fields, &body);
    if (!rc)
        rc = jsonin_client_id(body, "client_id", true, &s.client_id, &r->fault);
    if (!rc)
        rc = jsonin_str(body, "name", true, 200, &s.name, &r->fault);
    if (!rc)
        rc = jsonin_str(body, "address", false, 300, &s.address, &r->fault);
    if (!rc)
        rc = jsonin_str(body, "commune_code", true, 8, &s.commune_code, &r->fault);
    if (!rc)
        rc = unit_check(s.commune_code, "commune_code", ERR_INVALID_FIELD, &u, &r->fault);
    if (!rc && u->level != 3)
        rc = http_fail(r, ERR_INVALID_FIELD, "commune_code", "commune_code must be a commune or ward (5 digits)");
    if (!rc)
        rc = area_require(r, s.commune_code);
    if (rc)
        return rc;
    const char *comm;
    unit_ancestors(u, &s.province_code, &s.district_code, &comm);
    s.created_at = clock_now();
    bool created;
    rc = testing_site_insert(r->store, &s, r->who->account_id, &created);
    if (rc)
        return store_err(rc);
    struct testing_site out;
    rc = testing_site_get(r->store, &r->arena, s.id, &out);
    if (rc)
        return store_err(rc);
    if (!created && area_require(r, out.commune_code))
        return r->fault.code;
    return http_reply_json(r, created ? 201 : 200, testing_site_to_json(&out));
}

/* The ?unit= of a list: default the caller's own unit; must lie in the caller's area. */
static int list_unit(struct http_req *r, const struct unit **u)
{
    const char *unit = http_query(r, "unit");
    if (!unit)
        unit = r->who->unit_code;
    int rc = unit_check(unit, "unit", ERR_INVALID_FIELD, u, &r->fault);
    if (!rc)
        rc = area_require(r, unit);
    return rc;
}

/* GET /api/v1/testing/sites?unit=&limit= (officials, samplers) */
enum err testing_handle_site_list(struct http_req *r)
{
    const struct unit *u;
    int64_t limit;
    int rc = list_unit(r, &u);
    if (!rc)
        rc = http_query_int(r, "limit", 1, 500, 100, &limit);
    if (rc)
        return rc;
    struct testing_site *list;
    int n;
    rc = testing_site_list(r->store, &r->arena, u->code, limit, &list, &n);
    if (rc)
        return store_err(rc);
    json_t *arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, testing_site_to_json(&list[i]));
    return http_reply_json(r, 200, json_pack("{s:o}", "sites", arr));
}

/* ---------------------------------------------------------------- sessions */

/* A sampler account may serve a session when the site lies in its area. */
static int check_sampler(struct http_req *r, int64_t account_id, const char *site_commune)
{
    struct account a;
    int rc = account_get(r->store, &r->arena, account_id, &a);
    if (rc == STORE_DONE || (!rc && (a.role != ROLE_SAMPLER || a.disabled)))
        return http_fail(r, ERR_INVALID_FIELD, "samplers", "account %lld is not an active sampler",
                         (long long)account_id);
    if (rc)
        return store_err(rc);
    if (!unit_within(a.unit_code, site_commune))
        return http_fail(r, ERR_INVALID_FIELD, "samplers", "sampler %lld works outside this site's area",
                         (long long)account_id);
    return 0;
}

struct session_ctx {
    struct http_req *r;
    struct testing_session *s;
    int64_t samplers[32];
    int nsamplers;
    bool created;
};

static int session_tx(struct store *st, void *p)
{
    struct session_ctx *c = p;
    int rc = testing_session_insert(st, c->s, c->r->who->account_id, &c->created);
    for (int i = 0; !rc && c->created && i < c->nsamplers; i++)
        rc = testing_sampler_assign(st, c->s->id, c->samplers[i]);
    return rc;
}

static json_t *session_json(struct http_req *r, const struct testing_session *s)
{
    json_t *o = testing_session_to_json(s);
    int64_t *ids;
    int n = 0;
    json_t *arr = json_array();
    if (!testing_sampler_list(r->store, &r->arena, s->id, &ids, &n))
        for (int i = 0; i < n; i++)
            json_array_append_new(arr, json_integer(ids[i]));
    json_object_set_new(o, "samplers", arr);
    return o;
}

/* POST /api/v1/testing/sessions (officials) */
enum err testing_handle_session_create(struct http_req *r)
{
    static const char *const fields[] = {"client_id", "site_id", "date", "team", "test_type", "pool_size",
                                         "lab_unit_code", "samplers", NULL};
    json_t *body;
    bool present_;
    struct testing_session s = {0};
    struct testing_site site;
    const char *type;
    int64_t site_id, pool;
    bool has_pool;
    struct session_ctx ctx = {.r = r, .s = &s};
    int rc = http_read_json(r, fields, &body);
    if (!rc)
        rc = jsonin_client_id(body, "client_id", true, &s.client_id, &r->fault);
    if (!rc)
        rc = jsonin_int(body, "site_id", true, 1, INT64_MAX, &site_id, &present_, &r->fault);
    if (!rc)
        rc = jsonin_str(body, "date", true, 10, &s.date, &r->fault);
    if (!rc && !testing_date_valid(s.date))
        rc = http_fail(r, ERR_INVALID_FIELD, "date", "date must be a real date YYYY-MM-DD");
    if (!rc)
        rc = jsonin_str(body, "team", true, 100, &s.team, &r->fault);
    if (!rc)
        rc = jsonin_str(body, "test_type", true, 32, &type, &r->fault);
    if (!rc && (s.type = testing_type_parse(type)) < 0)
        rc = http_fail(r, ERR_INVALID_FIELD, "test_type", "test_type must be rt_pcr or rapid_antigen");
    if (!rc)
        rc = jsonin_int(body, "pool_size", false, 1, TESTING_POOL_MAX, &pool, &has_pool, &r->fault);
    if (!rc) {
        s.pool_size = has_pool ? (int)pool : testing_default_pool(s.type);
        if (s.type == TESTING_RAPID_ANTIGEN && s.pool_size != 1)
            rc = http_fail(r, ERR_INVALID_FIELD, "pool_size", "rapid antigen tests are one person per test: pool_size 1");
    }
    if (!rc)
        rc = jsonin_str(body, "lab_unit_code", true, 8, &s.lab_unit_code, &r->fault);
    if (!rc)
        rc = unit_check(s.lab_unit_code, "lab_unit_code", ERR_INVALID_FIELD, NULL, &r->fault);
    json_t *samplers = json_object_get(body, "samplers");
    if (!rc && samplers && !json_is_null(samplers)) {
        if (!json_is_array(samplers) || json_array_size(samplers) > 32)
            rc = http_fail(r, ERR_INVALID_FIELD, "samplers", "samplers must be a list of up to 32 account ids");
        size_t i;
        json_t *v;
        json_array_foreach(samplers, i, v)
        {
            if (rc)
                break;
            if (!json_is_integer(v) || json_integer_value(v) < 1)
                rc = http_fail(r, ERR_INVALID_FIELD, "samplers", "samplers must be a list of account ids");
            else
                ctx.samplers[ctx.nsamplers++] = json_integer_value(v);
        }
    }
    if (rc)
        return rc;
    rc = testing_site_get(r->store, &r->arena, site_id, &site);
    if (rc == STORE_DONE)
        return http_fail(r, ERR_INVALID_FIELD, "site_id", "no site has id %lld", (long long)site_id);
    if (rc)
        return store_err(rc);
    rc = area_require(r, site.commune_code);
    for (int i = 0; !rc && i < ctx.nsamplers; i++)
        rc = check_sampler(r, ctx.samplers[i], site.commune_code);
    if (rc)
        return rc;
    s.site_id = site.id;
    s.province_code = site.province_code;
    s.district_code = site.district_code;
    s.commune_code = site.commune_code;
    s.created_at = clock_now();
    rc = store_tx(r->store, session_tx, &ctx);
    if (rc)
        return rc;
    struct testing_session out;
    rc = testing_session_get(r->store, &r->arena, s.id, &out);
    if (rc)
        return store_err(rc);
    if (!ctx.created && (rc = testing__session_access(r, &out)))
        return rc;
    return http_reply_json(r, ctx.created ? 201 : 200, session_json(r, &out));
}

/* GET /api/v1/testing/sessions?date=&unit=&limit= : officials their area, samplers their
 * own sessions, labs the sessions sent to them. */
enum err testing_handle_session_list(struct http_req *r)
{
    struct testing_session_filter f = {0};
    int rc = http_query_int(r, "limit", 1, 500, 100, &f.limit);
    if (rc)
        return rc;
    f.date = http_query(r, "date");
    if (f.date && !testing_date_valid(f.date))
        return http_fail(r, ERR_INVALID_FIELD, "date", "date must be a real date YYYY-MM-DD");
    const struct unit *u;
    if (r->who->role == ROLE_SAMPLER) {
        f.sampler_id = r->who->account_id;
    } else if (r->who->role == ROLE_LAB) {
        if (!(u = unit_find(r->who->unit_code)))
            return http_fail(r, ERR_FORBIDDEN, NULL, "your unit is unknown");
        f.lab_area = u->code;
    } else {
        if ((rc = list_unit(r, &u)))
            return rc;
        f.area = u->code;
    }
    struct testing_session *list;
    int n;
    rc = testing_session_list(r->store, &r->arena, &f, &list, &n);
    if (rc)
        return store_err(rc);
    json_t *arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, session_json(r, &list[i])); /* with its samplers, for the assignment page */
    return http_reply_json(r, 200, json_pack("{s:o}", "sessions", arr));
}

/* GET /api/v1/testing/sessions/{id}: the session, its samplers and tubes with counts and results. */
enum err testing_handle_session_get(struct http_req *r)
{
    struct testing_session s;
    int rc = path_session(r, &s);
    if (rc)
        return rc;
    struct testing_tube *tubes;
    int n;
    rc = testing_tube_list(r->store, &r->arena, s.id, 0, &tubes, &n);
    if (rc)
        return store_err(rc);
    json_t *arr = json_array();
    int64_t people = 0;
    for (int i = 0; i < n; i++) {
        json_array_append_new(arr, testing_tube_to_json(&tubes[i]));
        people += tubes[i].members;
    }
    json_t *o = session_json(r, &s);
    json_object_set_new(o, "tubes", arr);
    json_object_set_new(o, "people", json_integer(people));
    return http_reply_json(r, 200, o);
}

struct assign_ctx {
    int64_t session_id, account_id;
};

static int assign_tx(struct store *st, void *p)
{
    struct assign_ctx *c = p;
    return testing_sampler_assign(st, c->session_id, c->account_id);
}

/* POST /api/v1/testing/sessions/{id}/samplers {account_id} (officials) */
enum err testing_handle_sampler_add(struct http_req *r)
{
    static const char *const fields[] = {"account_id", NULL};
    json_t *body;
    bool present_;
    struct testing_session s;
    struct assign_ctx c;
    int rc = http_read_json(r, fields, &body);
    if (!rc)
        rc = jsonin_int(body, "account_id", true, 1, INT64_MAX, &c.account_id, &present_, &r->fault);
    if (!rc)
        rc = path_session(r, &s);
    if (!rc && (rc = check_sampler(r, c.account_id, s.commune_code)) == ERR_INVALID_FIELD)
        r->fault.field = "account_id";
    if (rc)
        return rc;
    c.session_id = s.id;
    rc = store_tx(r->store, assign_tx, &c);
    if (rc)
        return rc;
    return http_reply_json(r, 200, session_json(r, &s));
}

/* ---------------------------------------------------------------- tubes and labels */

struct issue_ctx {
    struct http_req *r;
    const struct testing_session *s;
    const char *client_id;
    int count;
    int64_t batch;
    const char **codes;
    int n;
};

static int issue_tx(struct store *st, void *p)
{
    struct issue_ctx *c = p;
    int rc = testing_tubes_issue(st, &c->r->arena, c->s, c->client_id, c->count, c->r->who->account_id, &c->batch,
                                 &c->codes, &c->n);
    if (rc == STORE_CONFLICT)
        return http_fail(c->r, ERR_CONFLICT, "client_id", "client_id was already used for another session's tubes");
    return rc;
}

/* POST /api/v1/testing/sessions/{id}/tubes {client_id, count} (officials, assigned samplers) */
enum err testing_handle_tubes_issue(struct http_req *r)
{
    static const char *const fields[] = {"client_id", "count", NULL};
    json_t *body;
    bool present_;
    struct testing_session s;
    int64_t count;
    struct issue_ctx c = {.r = r, .s = &s};
    int rc = http_read_json(r, fields, &body);
    if (!rc)
        rc = jsonin_client_id(body, "client_id", true, &c.client_id, &r->fault);
    if (!rc)
        rc = jsonin_int(body, "count", true, 1, TESTING_BATCH_MAX, &count, &present_, &r->fault);
    if (!rc)
        rc = path_session(r, &s);
    if (rc)
        return rc;
    c.count = (int)count;
    rc = store_tx(r->store, issue_tx, &c);
    if (rc)
        return rc;
    json_t *arr = json_array();
    for (int i = 0; i < c.n; i++)
        json_array_append_new(arr, json_string(c.codes[i]));
    int pages = (c.n + TESTING_LABELS_PER_PAGE - 1) / TESTING_LABELS_PER_PAGE;
    return http_reply_json(r, 201,
                           json_pack("{s:I, s:I, s:o, s:i}", "batch_id", (json_int_t)c.batch, "session_id",
                                     (json_int_t)s.id, "tubes", arr, "label_pages", pages));
}

/* GET /api/v1/testing/sessions/{id}/labels.pdf?batch=&page= : one A4 page of 24 labels. */
enum err testing_handle_labels_pdf(struct http_req *r)
{
    struct testing_session s;
    int64_t batch, page;
    int rc = http_query_int(r, "batch", 1, INT64_MAX, 0, &batch);
    if (!rc)
        rc = http_query_int(r, "page", 1, 100000, 1, &page);
    if (!rc)
        rc = path_session(r, &s);
    if (rc)
        return rc;
    struct testing_tube *tubes;
    int n;
    rc = testing_tube_list(r->store, &r->arena, s.id, batch, &tubes, &n);
    if (rc)
        return store_err(rc);
    if (n == 0)
        return http_fail(r, batch ? ERR_INVALID_FIELD : ERR_NOT_FOUND, batch ? "batch" : NULL,
                         "no tubes were issued%s", batch ? " in this batch of this session" : " for this session");
    int pages = (n + TESTING_LABELS_PER_PAGE - 1) / TESTING_LABELS_PER_PAGE;
    if (page > pages)
        return http_fail(r, ERR_INVALID_FIELD, "page", "page must be 1..%d", pages);
    int from = (int)(page - 1) * TESTING_LABELS_PER_PAGE;
    int k = n - from < TESTING_LABELS_PER_PAGE ? n - from : TESTING_LABELS_PER_PAGE;
    const char **codes = arena_alloc(&r->arena, (size_t)k * sizeof(char *));
    for (int i = 0; i < k; i++)
        codes[i] = tubes[from + i].code;
    struct buf out;
    buf_init(&out, 32u << 20);
    rc = testing_labels_pdf(&s, codes, k, &out);
    if (!rc) {
        char v[16];
        snprintf(v, sizeof(v), "%d", pages);
        http_add_header(r, "X-Pages", v);
        http_add_header(r, "Content-Disposition", "inline; filename=\"tube-labels.pdf\"");
        rc = http_reply(r, 200, "application/pdf", out.data, out.len);
    } else {
        rc = http_fail(r, ERR_INTERNAL, NULL, "could not render the label sheet");
    }
    buf_release(&out);
    return rc;
}

/* ---------------------------------------------------------------- manifest */

static const char *const manifest_cols[] = {"tube_id", "pooled", "tube_count", "person_code", "full_name",
                                            "date_of_birth", "collected_at", NULL};

/* GET /api/v1/testing/sessions/{id}/manifest?format=json|csv|xlsx */
enum err testing_handle_manifest(struct http_req *r)
{
    struct testing_session s;
    const char *format = http_query(r, "format");
    enum export_kind kind = EXPORT_CSV;
    bool json = !format || !strcmp(format, "json");
    if (!json && export_kind_parse(format, &kind))
        return http_fail(r, ERR_INVALID_FIELD, "format", "format must be json, csv or xlsx");
    int rc = path_session(r, &s);
    if (rc)
        return rc;
    struct testing_tube *tubes;
    int n;
    rc = testing_tube_list(r->store, &r->arena, s.id, 0, &tubes, &n);
    if (rc)
        return store_err(rc);
    struct export *e = json ? NULL : export_begin(kind, manifest_cols);
    json_t *arr = json_array();
    int64_t people = 0, ntubes = 0;
    /* admin/access.h: a lab sees tubes, not people; a sampler sees them masked (name, birth year) */
    enum access_view view = people_view(r);
    for (int i = 0; i < n && !rc; i++) {
        if (!tubes[i].members)
            continue;
        ntubes++;
        struct testing_sample *m;
        int nm;
        rc = testing_tube_members(r->store, &r->arena, tubes[i].id, &m, &nm);
        if (rc)
            break;
        json_t *tj = testing_tube_to_json(&tubes[i]);
        json_t *pj = json_array();
        for (int j = 0; j < nm; j++) {
            struct person p = {0};
            if (view == VIEW_NONE || people_get(r->store, &r->arena, m[j].person_id, &p))
                p = (struct person){.code = ""};
            if (view == VIEW_MASKED && p.date_of_birth)
                p.date_of_birth = arena_printf(&r->arena, "%.4s", p.date_of_birth);
            people++;
            char at[20], cnt[8];
            local_time(m[j].collected_at, at);
            snprintf(cnt, sizeof(cnt), "%d", tubes[i].members);
            if (e) {
                const char *row[] = {tubes[i].code, tubes[i].capacity > 1 ? "pooled" : "single", cnt, p.code,
                                     p.full_name, p.date_of_birth, at};
                if (export_row(e, row))
                    rc = ERR_TOO_LARGE;
            } else {
                json_array_append_new(pj, json_pack("{s:I, s:s, s:s?, s:s?, s:I}", "person_id", (json_int_t)p.id,
                                                    "code", p.code, "full_name", p.full_name, "date_of_birth",
                                                    p.date_of_birth, "collected_at", (json_int_t)m[j].collected_at));
            }
        }
        json_object_set_new(tj, "people", pj);
        json_array_append_new(arr, tj);
    }
    if (rc) {
        export_free(e);
        json_decref(arr);
        return rc == ERR_TOO_LARGE ? http_fail(r, rc, NULL, "the manifest is too large") : store_err(rc);
    }
    char id[24];
    snprintf(id, sizeof(id), "%lld", (long long)s.id);
    audit_request(r, "testing.manifest", "testing_session", id, s.commune_code);
    if (json)
        return http_reply_json(r, 200,
                               json_pack("{s:o, s:s, s:I, s:I, s:o}", "session", testing_session_to_json(&s),
                                         "lab_unit_code", s.lab_unit_code, "tube_count", (json_int_t)ntubes,
                                         "people_count", (json_int_t)people, "tubes", arr));
    json_decref(arr);
    struct buf out;
    buf_init(&out, EXPORT_MAX_BYTES);
    if (export_end(e, &out)) {
        buf_release(&out);
        return http_fail(r, ERR_INTERNAL, NULL, "could not build the manifest");
    }
    char cd[96];
    snprintf(cd, sizeof(cd), "attachment; filename=\"manifest-%lld.%s\"", (long long)s.id, export_extension(kind));
    http_add_header(r, "Content-Disposition", cd);
    rc = http_reply(r, 200, export_content_type(kind), out.data, out.len);
    buf_release(&out);
    return rc;
}

/* ---------------------------------------------------------------- receipt */

struct receipt_ctx {
    struct http_req *r;
    int64_t session_id;
    const char **codes;
    int n;
    json_t *received, *missing, *unexpected;
};

static int receipt_tx(struct store *st, void *p)
{
    struct receipt_ctx *c = p;
    json_decref(c->received); /* a retried transaction starts over */
    json_decref(c->missing);
    json_decref(c->unexpected);
    c->received = c->missing = c->unexpected = NULL;
    return testing_receipt(st, &c->r->arena, c->session_id, c->codes, c->n, clock_now(), &c->received, &c->missing,
                           &c->unexpected);
}

/* POST /api/v1/testing/sessions/{id}/receipt {tubes:[...]} (the session's lab) */
enum err testing_handle_receipt(struct http_req *r)
{
    static const char *const fields[] = {"tubes", NULL};
    json_t *body;
    struct testing_session s;
    struct receipt_ctx c = {.r = r};
    int rc = http_read_json(r, fields, &body);
    if (rc)
        return rc;
    json_t *list = json_object_get(body, "tubes");
    if (!list || json_is_null(list))
        return http_fail(r, ERR_MISSING_FIELD, "tubes", "tubes is required: the tube ids received");
    if (!json_is_array(list) || json_array_size(list) > 10000)
        return http_fail(r, ERR_INVALID_FIELD, "tubes", "tubes must be a list of up to 10000 tube ids");
    c.codes = arena_alloc(&r->arena, (json_array_size(list) + 1) * sizeof(char *));
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
    {
        const char *code = json_string_value(v);
        if (!code || !*code || strlen(code) > 32)
            return http_fail(r, ERR_INVALID_FIELD, "tubes", "tubes[%zu] must be a tube id", i);
        c.codes[c.n++] = code;
    }
    if ((rc = path_session(r, &s)))
        return rc;
    if (r->who->role != ROLE_LAB)
        return http_fail(r, ERR_FORBIDDEN, NULL, "only the session's lab marks receipt");
    c.session_id = s.id;
    rc = store_tx(r->store, receipt_tx, &c);
    if (rc) {
        json_decref(c.received);
        json_decref(c.missing);
        json_decref(c.unexpected);
        return rc;
    }
    return http_reply_json(r, 200,
                           json_pack("{s:I, s:o, s:o, s:o}", "session_id", (json_int_t)s.id, "received", c.received,
                                     "missing", c.missing, "unexpected", c.unexpected));
}

/* ---------------------------------------------------------------- one tube */

/* GET /api/v1/testing/tubes/{code}: the tube with its members and their results (audited). */
enum err testing_handle_tube_get(struct http_req *r)
{
    const char *code = http_param(r, "code");
    struct testing_tube t;
    struct testing_session s;
    if (!testing_tube_code_valid(code))
        return http_fail(r, ERR_NOT_FOUND, "code", "no such tube");
    int rc = testing_tube_get(r->store, &r->arena, code, &t);
    if (rc == STORE_DONE)
        return http_fail(r, ERR_NOT_FOUND, "code", "no such tube");
    if (rc)
        return store_err(rc);
    if ((rc = testing__load_session(r, t.session_id, "code", ERR_NOT_FOUND, &s)))
        return rc;
    struct testing_sample *m;
    int n;
    rc = testing_tube_members(r->store, &r->arena, t.id, &m, &n);
    if (rc)
        return store_err(rc);
    json_t *o = testing_tube_to_json(&t);
    json_t *arr = json_array();
    for (int i = 0; i < n; i++) {
        struct person p = {0};
        if (people_get(r->store, &r->arena, m[i].person_id, &p))
            p.code = "";
        json_array_append_new(arr, json_pack("{s:I, s:s, s:s?, s:s, s:I}", "person_id", (json_int_t)m[i].person_id,
                                             "code", p.code, "full_name", p.full_name, "status", m[i].status,
                                             "collected_at", (json_int_t)m[i].collected_at));
    }
    json_object_set_new(o, "members", arr);
    audit_request(r, "testing.result.read", "testing_tube", t.code, s.commune_code);
    return http_reply_json(r, 200, o);
}

/* ---------------------------------------------------------------- oversight */

/* GET /api/v1/testing/stats?unit=&from=&to= (officials): by commune and day. */
enum err testing_handle_stats(struct http_req *r)
{
    const struct unit *u;
    char today[11];
    vn_date_format(vn_day(clock_now()), today);
    const char *from = http_query(r, "from"), *to = http_query(r, "to");
    if (!from)
        from = today;
    if (!to)
        to = from;
    if (!testing_date_valid(from))
        return http_fail(r, ERR_INVALID_FIELD, "from", "from must be a real date YYYY-MM-DD");
    if (!testing_date_valid(to) || strcmp(to, from) < 0)
        return http_fail(r, ERR_INVALID_FIELD, "to", "to must be a real date YYYY-MM-DD, not before from");
    int rc = list_unit(r, &u);
    if (rc)
        return rc;
    json_t *rows;
    rc = testing_stats(r->store, &r->arena, u->code, from, to, &rows);
    if (rc)
        return store_err(rc);
    return http_reply_json(r, 200, json_pack("{s:s, s:s, s:s, s:o}", "unit", u->code, "from", from, "to", to, "days", rows));
}
