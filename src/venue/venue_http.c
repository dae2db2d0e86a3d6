/*
 * venue_http.c - /api/v1/venues handlers: registration, lists, approval,
 * the public view for the check-in page, the visitor log, and the page that
 * a poster's QR URL opens (GET /c/{code}).
 *
 * Roles come from the route table; the area and ownership checks are here
 * (venue_require_manage).  Approvals, rejections and visitor logs are
 * written to the audit log.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "area/scope.h"
#include "admin/role.h"
#include "area/unit.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "core/jsonin.h"
#include "core/text.h"
#include "export/export.h"
#include "http/http.h"
#include "store/store.h"
#include "venue/venue_int.h"

static bool is_official(const struct http_req *r)
{
    return r->who && role_admin_level(r->who->role) >= 0;
}

static const char *id_text(struct http_req *r, int64_t id)
{
    return arena_printf(&r->arena, "%lld", (long long)id);
}

/* ---- registration ------------------------------------------------------- */

struct create_ctx {
    struct http_req *r;
    struct venue_new *in;
    int64_t id;
    bool existed; /* a retry of an earlier registration */
};

static int create_tx(struct store *s, void *p)
{
    struct create_ctx *c = p;
    c->existed = false;
    if (c->in->client_id) {
        struct venue old;
        int rc = venue__find_by_client_id(s, &c->r->arena, c->in->client_id, &old);
        if (rc == STORE_OK) {
            if (old.owner_account_id != c->in->owner_account_id)
                return http_fail(c->r, ERR_CONFLICT, "client_id", "client_id is already used");
            c->id = old.id;
            c->existed = true;
            return 0;
        }
        if (rc != STORE_DONE)
            return rc;
    }
    int rc = venue__insert(s, c->in, &c->id);
    if (rc == STORE_CONFLICT) {
        /* the same client_id arrived twice at once: the other request stored it */
        struct venue old;
        if (venue__find_by_client_id(s, &c->r->arena, c->in->client_id, &old) == STORE_OK &&
            old.owner_account_id == c->in->owner_account_id) {
            c->id = old.id;
            c->existed = true;
            return 0;
        }
        return http_fail(c->r, ERR_CONFLICT, "client_id", "client_id is already used");
    }
    if (rc)
        return rc;
    return audit_request(c->r, "venue.create", "venue", id_text(c->r, c->id), c->in->commune_code);
}

/* POST /api/v1/venues */
enum err venue_handle_create(struct http_req *r)
{
    static const char *const fields[] = {"client_id", "name", "type", "commune_code", "street", "capacity", NULL};
    json_t *body;
    bool present;
    struct venue_new in = {.owner_account_id = r->who->account_id};
    int rc = http_read_json(r, fields, &body);
    if (!rc)
        rc = jsonin_client_id(body, "client_id", false, &in.client_id, &r->fault);
    if (!rc)
        rc = jsonin_str(body, "name", true, VENUE_NAME_MAX, &in.name, &r->fault);
    if (!rc)
        rc = jsonin_str(body, "type", true, 32, &in.type, &r->fault);
    if (!rc)
        rc = jsonin_str(body, "commune_code", true, 8, &in.commune_code, &r->fault);
    if (!rc)
        rc = jsonin_str(body, "street", true, VENUE_STREET_MAX, &in.street, &r->fault);
    if (!rc)
        rc = jsonin_int(body, "capacity", true, 1, VENUE_CAPACITY_MAX, &in.capacity, &present, &r->fault);
    if (!rc)
        rc = venue__check_new(&in, &r->fault);
    if (rc)
        return rc;
    if (!unit_within(r->who->unit_code, in.commune_code))
        return http_fail(r, ERR_FORBIDDEN, "commune_code", "commune %s lies outside your area", in.commune_code);
    struct create_ctx ctx = {r, &in, 0, false};
    rc = store_tx(r->store, create_tx, &ctx);
    if (rc)
        return rc;
    struct venue v;
    rc = venue_get(r->store, &r->arena, ctx.id, &v);
    if (rc)
        return store_err(rc);
    return http_reply_json(r, ctx.existed ? 200 : 201, venue_to_json(&v));
}

/* ---- lists and reads ---------------------------------------------------- */

static int check_status(struct http_req *r, const char *status)
{
    if (!status || !strcmp(status, "pending") || !strcmp(status, "approved") || !strcmp(status, "rejected"))
        return 0;
    return http_fail(r, ERR_INVALID_FIELD, "status", "status must be pending, approved or rejected");
}

/* GET /api/v1/venues?unit=&status=&limit=&offset= */
enum err venue_handle_list(struct http_req *r)
{
    struct venue_filter q = {0};
    q.unit_code = http_query(r, "unit");
    q.status = http_query(r, "status");
    int rc = check_status(r, q.status);
    if (!rc && q.unit_code)
        rc = unit_check(q.unit_code, "unit", ERR_INVALID_FIELD, NULL, &r->fault);
    if (!rc)
        rc = http_query_int(r, "limit", 1, 500, 100, &q.limit);
    if (!rc)
        rc = http_query_int(r, "offset", 0, 100000000, 0, &q.offset);
    if (rc)
        return rc;
    if (is_official(r)) {
        if (!q.unit_code)
            q.unit_code = r->who->unit_code;
        rc = area_require(r, q.unit_code);
        if (rc) {
            r->fault.field = "unit";
            return rc;
        }
    } else {
        q.owner_account_id = r->who->account_id; /* a venue owner sees its own venues */
    }
    struct venue *list;
    int64_t n, total;
    rc = venue__list(r->store, &r->arena, &q, &list, &n, &total);
    if (rc)
        return store_err(rc);
    json_t *arr = json_array();
    for (int64_t i = 0; i < n; i++)
        json_array_append_new(arr, venue_to_json(&list[i]));
    return http_reply_json(r, 200, json_pack("{s:o, s:I}", "venues", arr, "total", (json_int_t)total));
}

int venue_load_managed(struct http_req *r, struct venue *v)
{
    int64_t id;
    int rc = http_param_id(r, "id", &id);
    if (rc)
        return rc;
    rc = venue_get(r->store, &r->arena, id, v);
    if (rc == STORE_DONE)
        return http_fail(r, ERR_NOT_FOUND, "id", "no venue has id %lld", (long long)id);
    if (rc)
        return store_err(rc);
    return venue_require_manage(r, v);
}

/* GET /api/v1/venues/{id} */
enum err venue_handle_get(struct http_req *r)
{
    struct venue v;
    int rc = venue_load_managed(r, &v);
    if (rc)
        return rc;
    json_t *o = venue_to_json(&v);
    /* the signed address the poster's QR holds, for owners to share as a link */
    const char *url;
    if (!strcmp(v.status, "approved") && !venue_poster_url(r->store, &r->arena, &v, &url))
        json_object_set_new(o, "poster_url", json_string(url));
    return http_reply_json(r, 200, o);
}

/* ---- approval ----------------------------------------------------------- */

struct review_ctx {
    struct http_req *r;
    const struct venue *v;
    const char *status;
    const char *reason;
};

static int review_tx(struct store *s, void *p)
{
    struct review_ctx *c = p;
    int rc = venue__set_status(s, c->v->id, c->status, c->r->who->account_id, c->reason);
    if (!rc)
        rc = audit_request(c->r, !strcmp(c->status, "approved") ? "venue.approve" : "venue.reject", "venue",
                           id_text(c->r, c->v->id), c->v->commune_code);
    return rc;
}

/*
 * Sets the status.  Officials may change their mind (approve a rejected
 * venue, reject an approved one that closed); repeating a decision is a
 * harmless retry and answers the venue unchanged.
 */
static int review(struct http_req *r, const char *status, const char *reason)
{
    struct venue v;
    int rc = venue_load_managed(r, &v);
    if (rc)
        return rc;
    if (strcmp(v.status, status) != 0) {
        struct review_ctx ctx = {r, &v, status, reason};
        rc = store_tx(r->store, review_tx, &ctx);
        venue__cache_forget(); /* committed (or not): the check-in path reads the venue again */
        if (rc)
            return rc;
        rc = venue_get(r->store, &r->arena, v.id, &v);
        if (rc)
            return store_err(rc);
    }
    return http_reply_json(r, 200, venue_to_json(&v));
}

/* POST /api/v1/venues/{id}/approve (no body) */
enum err venue_handle_approve(struct http_req *r)
{
    return review(r, "approved", NULL);
}

/* POST /api/v1/venues/{id}/reject, body optional: {"reason"} */
enum err venue_handle_reject(struct http_req *r)
{
    static const char *const fields[] = {"reason", NULL};
    const char *reason = NULL;
    if (r->body.len > 0) {
        json_t *body;
        int rc = http_read_json(r, fields, &body);
        if (!rc)
            rc = jsonin_str(body, "reason", false, 500, &reason, &r->fault);
        if (rc)
            return rc;
    }
    return review(r, "rejected", reason);
}

/* ---- public view -------------------------------------------------------- */

/* GET /api/v1/venues/by-code/{code}: what the check-in page shows; anyone. */
enum err venue_handle_by_code(struct http_req *r)
{
    const char *code = http_param(r, "code");
    struct venue v;
    int rc = venue_find_by_code(r->store, &r->arena, code, &v);
    if (rc == STORE_DONE)
        return http_fail(r, ERR_NOT_FOUND, "code", "no venue has this code");
    if (rc)
        return store_err(rc);
    return http_reply_json(r, 200, json_pack("{s:s, s:s, s:s, s:s, s:s}", "code", v.code, "name", v.name, "type",
                                             v.type, "address", venue_address(&r->arena, &v), "status", v.status));
}

/* ---- visitor log -------------------------------------------------------- */

/* "YYYY-MM-DD HH:MM" in Vietnam time. */
static const char *local_time(struct arena *a, int64_t t)
{
    if (!t)
        return NULL;
    time_t lt = (time_t)(t + VN_UTC_OFFSET);
    struct tm tm;
    gmtime_r(&lt, &tm);
    char s[32];
    strftime(s, sizeof(s), "%Y-%m-%d %H:%M", &tm);
    return arena_strdup(a, s);
}

/* Today's date in Vietnam, YYYY-MM-DD. */
static const char *today(struct arena *a)
{
    time_t lt = (time_t)(clock_now() + VN_UTC_OFFSET);
    struct tm tm;
    gmtime_r(&lt, &tm);
    char s[16];
    strftime(s, sizeof(s), "%Y-%m-%d", &tm);
    return arena_strdup(a, s);
}

/* GET /api/v1/venues/{id}/visitors?date=YYYY-MM-DD&format=json|csv|xlsx */
enum err venue_handle_visitors(struct http_req *r)
{
    const char *date = http_query(r, "date");
    const char *format = http_query(r, "format");
    int64_t from;
    enum export_kind kind = EXPORT_CSV;
    if (!date)
        date = today(&r->arena);
    if (venue__parse_day(date, &from))
        return http_fail(r, ERR_INVALID_FIELD, "date", "date must be a day YYYY-MM-DD");
    bool json = !format || !strcmp(format, "json");
    if (!json && export_kind_parse(format, &kind))
        return http_fail(r, ERR_INVALID_FIELD, "format", "format must be json, csv or xlsx");
    struct venue v;
    int rc = venue_load_managed(r, &v);
    if (rc)
        return rc;
    struct venue_visit *list;
    int64_t n;
    rc = venue__visits(r->store, &r->arena, v.id, from, from + 86400, &list, &n);
    if (rc)
        return store_err(rc);
    rc = audit_request(r, "checkin.list", "venue", id_text(r, v.id), v.commune_code);
    if (rc)
        return store_err(rc);
    /* The owner sees phone numbers masked; officials of the area see them whole. */
    bool full_phone = is_official(r);
    const char **phones = arena_alloc(&r->arena, sizeof(*phones) * (size_t)(n > 0 ? n : 1));
    for (int64_t i = 0; i < n; i++) {
        if (!list[i].phone || full_phone) {
            phones[i] = list[i].phone;
        } else {
            char m[16];
            venue__mask_phone(list[i].phone, m);
            phones[i] = arena_strdup(&r->arena, m);
        }
    }
    if (json) {
        json_t *arr = json_array();
        for (int64_t i = 0; i < n; i++) {
            json_t *e = json_pack("{s:I, s:I, s:s?, s:s?, s:s}", "checkin_id", (json_int_t)list[i].checkin_id,
                                  "checked_in_at", (json_int_t)list[i].checked_in_at, "full_name", list[i].full_name,
                                  "phone", phones[i], "method", list[i].method);
            json_object_set_new(e, "checked_out_at",
                                list[i].checked_out_at ? json_integer(list[i].checked_out_at) : json_null());
            json_array_append_new(arr, e);
        }
        return http_reply_json(r, 200, json_pack("{s:I, s:s, s:s, s:o}", "venue_id", (json_int_t)v.id, "venue_name",
                                                 v.name, "date", date, "visitors", arr));
    }
    static const char *const columns[] = {"Giờ vào", "Giờ ra", "Họ tên", "Điện thoại", "Hình thức", NULL};
    struct export *e = export_begin(kind, columns);
    if (!e)
        return ERR_INTERNAL;
    for (int64_t i = 0; i < n; i++) {
        const char *row[5] = {local_time(&r->arena, list[i].checked_in_at),
                              local_time(&r->arena, list[i].checked_out_at), list[i].full_name, phones[i],
                              list[i].method};
        if (export_row(e, row)) {
            export_free(e);
            return http_fail(r, ERR_TOO_LARGE, "date", "the visitor log of this day is too large to export");
        }
    }
    struct buf out;
    buf_init(&out, EXPORT_MAX_BYTES + (1u << 20));
    rc = export_end(e, &out);
    if (rc) {
        buf_release(&out);
        return ERR_INTERNAL;
    }
    http_add_header(r, "Content-Disposition",
                    arena_printf(&r->arena, "attachment; filename=\"visitors-%s-%s.%s\"", v.code, date,
                                 export_extension(kind)));
    http_add_header(r, "Cache-Control", "no-store");
    rc = http_reply(r, 200, export_content_type(kind), out.data, out.len);
    buf_release(&out);
    return rc;
}

/* ---- the page a poster's QR opens --------------------------------------- */

static bool code_chars_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 32)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z')))
            return false;
    return true;
}

/*
 * GET /c/{code}: the check-in page.  It is the same HTML for every code (the
 * page reads its code, k and s from its own URL), so a phone's camera app
 * opens it with no installed application.  Without web/checkin.html a small
 * page links to the single-page UI.
 */
enum err venue_handle_checkin_page(struct http_req *r)
{
    const char *code = http_param(r, "code");
    if (!code || !code_chars_ok(code))
        return http_fail(r, ERR_NOT_FOUND, "code", "no venue has this code");
    http_add_header(r, "Cache-Control", "no-cache");
    if (venue__web_dir) {
        char path[700];
        snprintf(path, sizeof(path), "%s/checkin.html", venue__web_dir);
        FILE *f = fopen(path, "rb");
        if (f) {
            struct buf page;
            buf_init(&page, 4u << 20);
            char chunk[8192];
            size_t got;
            int bad = 0;
            while (!bad && (got = fread(chunk, 1, sizeof(chunk), f)) > 0)
                bad = buf_add(&page, chunk, got);
            bad |= ferror(f);
            fclose(f);
            int rc = bad ? ERR_INTERNAL : http_reply(r, 200, "text/html; charset=utf-8", page.data, page.len);
            buf_release(&page);
            return rc;
        }
    }
    char *html = arena_printf(&r->arena,
                              "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\">"
                              "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                              "<title>Check-in</title></head><body>"
                              "<p><a href=\"/#/checkin/%s\">Khai báo / check-in tại địa điểm %s</a></p>"
                              "</body></html>",
                              code, code);
    return http_reply(r, 200, "text/html; charset=utf-8", html, strlen(html));
}
