/*
 * upload_http.c - registration lists over HTTP: check (the body is the
 * file) and apply (by token), the same two steps and answers as result
 * files of the testing platform.  Officials only (route table); the area is
 * each row's commune (check) and the unit that checked the file (apply).
 * The apply is audited once per file (vaccine_registration.upload).
 */
#include <string.h>
#include <strings.h>

#include "audit/audit.h"
#include "core/clock.h"
#include "core/jsonin.h"
#include "http/http.h"
#include "store/store.h"
#include "vaccine/upload.h"
#include "vaccine/vaccine_int.h"

/* The body's declared type, when given, must be one a spreadsheet is sent as. */
static bool media_type_ok(const char *ct)
{
    static const char *const ok[] = {
        "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/octet-stream",
        NULL,
    };
    if (!ct)
        return true;
    size_t n = strcspn(ct, "; ");
    for (int i = 0; ok[i]; i++)
        if (n == strlen(ok[i]) && !strncasecmp(ct, ok[i], n))
            return true;
    return false;
}

/* POST /api/v1/vaccine/registrations/upload/check : the body is the file (CSV or XLSX), up to 20 MiB. */
enum err vaccine_handle_upload_check(struct http_req *r)
{
    const struct vaccine_data *d;
    int rc = vaccine__data(r, &d);
    if (rc)
        return rc;
    if (!media_type_ok(http_header(r, "Content-Type")))
        return http_fail(r, ERR_MEDIA_TYPE, "file",
                         "send the file as Content-Type text/csv or "
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    struct vaccine_upload_check chk;
    rc = vaccine_upload_check(r->store, &r->arena, d, r->body.data, r->body.len, r->who->account_id,
                              r->who->unit_code, clock_now(), &chk, &r->fault);
    if (rc)
        return r->fault.code ? (int)r->fault.code : rc;
    json_t *errors = json_array();
    for (int i = 0; i < chk.nerrors; i++)
        json_array_append_new(errors,
                              json_pack("{s:I, s:s?, s:s, s:s, s:o}", "line", (json_int_t)chk.errors[i].line,
                                        "field", chk.errors[i].field, "reason", chk.errors[i].reason, "code",
                                        chk.errors[i].code, "ref_line",
                                        chk.errors[i].ref_line ? json_integer((json_int_t)chk.errors[i].ref_line)
                                                               : json_null()));
    return http_reply_json(r, 200,
                           json_pack("{s:s, s:s, s:I, s:I, s:I, s:o, s:b}", "token", chk.token, "format",
                                     chk.format, "rows", (json_int_t)chk.rows, "valid", (json_int_t)chk.valid,
                                     "bad", (json_int_t)chk.bad, "errors", errors, "errors_truncated",
                                     chk.bad > chk.nerrors));
}

struct apply_ctx {
    struct http_req *r;
    const struct vaccine_data *d;
    const char *token;
    bool valid_only, already;
    struct vaccine_upload_summary sum;
};

static int apply_tx(struct store *s, void *p)
{
    struct apply_ctx *c = p;
    struct http_req *r = c->r;
    fault_clear(&r->fault);
    int rc = vaccine_upload_apply(s, &r->arena, c->d, c->token, r->who->account_id, r->who->unit_code,
                                  c->valid_only, clock_now(), &c->sum, &c->already, &r->fault);
    if (rc == STORE_DONE) /* store_tx would read "no row" as success */
        rc = STORE_ERROR;
    if (!rc && !c->already)
        rc = audit_request(r, "vaccine_registration.upload", "vaccine_upload_batch", c->token,
                           r->who->unit_code);
    return rc;
}

/* POST /api/v1/vaccine/registrations/upload/apply {token, apply_valid_only?} */
enum err vaccine_handle_upload_apply(struct http_req *r)
{
    static const char *const fields[] = {"token", "apply_valid_only", NULL};
    json_t *body;
    int valid_only;
    struct apply_ctx c = {.r = r};
    int rc = vaccine__data(r, &c.d);
    if (!rc)
        rc = http_read_json(r, fields, &body);
    if (!rc)
        rc = jsonin_str(body, "token", true, 64, &c.token, &r->fault);
    if (!rc)
        rc = jsonin_bool(body, "apply_valid_only", false, &valid_only, &r->fault);
    if (rc)
        return rc;
    c.valid_only = valid_only == 1;
    rc = store_tx(r->store, apply_tx, &c);
    if (rc)
        return r->fault.code ? (int)r->fault.code : rc;
    return http_reply_json(r, 200,
                           json_pack("{s:s, s:I, s:I, s:I, s:I, s:b}", "token", c.token, "registered",
                                     (json_int_t)c.sum.registered, "people_created",
                                     (json_int_t)c.sum.people_created, "people_matched",
                                     (json_int_t)c.sum.people_matched, "skipped", (json_int_t)c.sum.skipped,
                                     "already_applied", c.already));
}
