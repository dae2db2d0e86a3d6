/*
 * feedback_http.c - citizens' feedback.
 * POST /api/v1/feedback (anyone: a signed-in citizen, or anonymous with a
 * phone), GET /api/v1/feedback (health staff: their area's; citizens: their
 * own), GET /api/v1/feedback/{id}, and the commune's answer, forward and close.
 * Each answer and each closing reaches the sender by SMS (the outbox).
 */
#include <stdio.h>
#include <string.h>

#include "admin/role.h"
#include "area/scope.h"
#include "area/unit.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "core/jsonin.h"
#include "core/photo.h"
#include "core/validate.h"
#include "feedback/feedback.h"
#include "http/http.h"
#include "notify/notify.h"
#include "people/people.h"

#define PHOTO_MAX (1024 * 1024)

static bool is_citizen(const struct http_req *r)
{
    return r->who && r->who->role == ROLE_CITIZEN && r->who->person_id > 0;
}

json_t *feedback_to_json(const struct feedback *f, int64_t now, bool staff)
{
    const struct unit *u = unit_find(f->commune_code);
    json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:b, s:s, s:s?, s:s?, s:I, s:I, s:b}", "id",
                          (json_int_t)f->id, "client_id", f->client_id, "category", f->category, "text", f->body,
                          "status", f->status, "due_at", (json_int_t)f->due_at, "overdue",
                          feedback_open(f->status) && f->due_at < now, "level", f->level, "answer", f->answer,
                          "commune_code", f->commune_code, "created_at", (json_int_t)f->created_at, "updated_at",
                          (json_int_t)f->updated_at, "photo", f->photo_type != NULL);
    json_object_set_new(j, "commune_name", u ? json_string(u->name_with_type) : json_null());
    json_object_set_new(j, "answered_at", f->answered_at ? json_integer(f->answered_at) : json_null());
    if (staff) {
        json_object_set_new(j, "phone", json_string(f->phone));
        json_object_set_new(j, "note", f->note ? json_string(f->note) : json_null());
        json_object_set_new(j, "district_code", json_string(f->district_code));
        json_object_set_new(j, "province_code", json_string(f->province_code));
        json_object_set_new(j, "escalated_at", f->escalated_at ? json_integer(f->escalated_at) : json_null());
    }
    return j;
}

/* GET /api/v1/feedback/categories */
enum err feedback_handle_categories(struct http_req *r)
{
    struct feedback_category c[16];
    int n;
    int rc = feedback_categories(r->store, c, 16, &n);
    if (rc)
        return store_err(rc);
    json_t *items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(items, json_pack("{s:s, s:i}", "code", c[i].code, "answer_hours", c[i].answer_hours));
    return http_reply_json(r, 200, json_pack("{s:o}", "categories", items));
}

struct create_ctx {
    struct http_req *r;
    struct feedback f;
    bool created;
};

static int create_tx(struct store *s, void *arg)
{
    struct create_ctx *c = arg;
    int64_t sent = 0;
    /* a retry is answered before the limit is counted */
    int64_t existing = 0;
    int rc = store_int(s, &existing, "SELECT count(*) FROM feedback WHERE client_id = ?", "s", c->f.client_id);
    if (!rc && !existing) {
        rc = feedback_count_phone(s, c->f.phone, c->f.created_at - VN_DAY, &sent);
        if (!rc && sent >= FEEDBACK_PER_PHONE_DAY)
            return http_fail(c->r, ERR_RATE_LIMITED, "phone", "this phone sent %d reports in the last 24 hours",
                             FEEDBACK_PER_PHONE_DAY);
    }
    if (!rc)
        rc = feedback_insert(s, &c->f, &c->created);
    return rc;
}

/* POST /api/v1/feedback */
enum err feedback_handle_create(struct http_req *r)
{
    static const char *const fields[] = {"client_id", "category", "text", "phone", "commune_code", "photo", NULL};
    json_t *body;
    struct create_ctx c = {.r = r};
    struct feedback *f = &c.f;
    struct feedback_category cat;
    const struct unit *u = NULL;
    const char *phone = NULL, *photo = NULL;
    char norm_phone[11];
    int rc = http_read_json(r, fields, &body);
    if (!rc)
        rc = jsonin_client_id(body, "client_id", true, &f->client_id, &r->fault);
    if (!rc)
        rc = jsonin_str(body, "category", true, 40, &f->category, &r->fault);
    if (!rc) {
        int got = feedback_category_get(r->store, f->category, &cat);
        if (got == STORE_DONE)
            rc = http_fail(r, ERR_INVALID_FIELD, "category", "category %s is not one of GET /api/v1/feedback/categories",
                           f->category);
        else if (got)
            return store_err(got);
    }
    if (!rc)
        rc = jsonin_str(body, "text", true, FEEDBACK_TEXT_MAX, &f->body, &r->fault);
    if (!rc)
        rc = jsonin_str(body, "commune_code", true, 8, &f->commune_code, &r->fault);
    if (!rc)
        rc = unit_check(f->commune_code, "commune_code", ERR_INVALID_FIELD, &u, &r->fault);
    if (!rc && u->level != 3)
        rc = http_fail(r, ERR_INVALID_FIELD, "commune_code", "commune_code must be a commune or ward (5 digits)");
    if (!rc)
        rc = jsonin_str(body, "phone", !is_citizen(r), 16, &phone, &r->fault);
    if (!rc)
        rc = jsonin_str(body, "photo", false, 4 * PHOTO_MAX / 3 + 64, &photo, &r->fault);
    if (!rc && photo)
        rc = photo_read(&r->arena, photo, PHOTO_MAX, "photo", &f->photo_type, &f->photo, &r->fault);
    if (rc)
        return rc;
    if (is_citizen(r)) {
        struct person me;
        if ((rc = people_get(r->store, &r->arena, r->who->person_id, &me)))
            return store_err(rc);
        f->person_id = me.id;
        if (!phone)
            phone = me.phone;
        if (!phone)
            return http_fail(r, ERR_MISSING_FIELD, "phone", "phone is required: the answer goes there by SMS");
    }
    if ((rc = validate_phone(phone, "phone", norm_phone, &r->fault)))
        return rc;
    f->phone = norm_phone;
    f->province_code = u->province;
    f->district_code = u->district;
    f->created_at = clock_now();
    f->due_at = f->created_at + (int64_t)cat.answer_hours * 3600;
    if ((rc = store_tx(r->store, create_tx, &c)))
        return rc;
    struct feedback saved;
    if ((rc = feedback_get(r->store, &r->arena, f->id, &saved)))
        return store_err(rc);
    return http_reply_json(r, c.created ? 201 : 200, feedback_to_json(&saved, f->created_at, false));
}

/* GET /api/v1/feedback?unit=&status=&level=&overdue=1&limit= */
enum err feedback_handle_list(struct http_req *r)
{
    static const char *const statuses[] = {"new", "forwarded", "answered", "closed", NULL};
    static const char *const levels[] = {"commune", "district", "province", NULL};
    struct feedback_filter q = {.now = clock_now()};
    const struct unit *u = NULL;
    int rc = http_query_int(r, "limit", 1, 500, 200, &q.limit);
    q.status = http_query(r, "status");
    q.level = http_query(r, "level");
    const char *overdue = http_query(r, "overdue");
    bool ok = !q.status;
    for (int i = 0; statuses[i] && !ok; i++)
        ok = !strcmp(q.status, statuses[i]);
    if (!rc && !ok)
        rc = http_fail(r, ERR_INVALID_FIELD, "status", "status must be new, forwarded, answered or closed");
    ok = !q.level;
    for (int i = 0; levels[i] && !ok; i++)
        ok = !strcmp(q.level, levels[i]);
    if (!rc && !ok)
        rc = http_fail(r, ERR_INVALID_FIELD, "level", "level must be commune, district or province");
    if (!rc && overdue && strcmp(overdue, "1") && strcmp(overdue, "0"))
        rc = http_fail(r, ERR_INVALID_FIELD, "overdue", "overdue must be 1 or 0");
    q.overdue_only = overdue && !strcmp(overdue, "1");
    bool staff = !is_citizen(r);
    if (!rc && staff)
        rc = area_from_query(r, "unit", &u);
    if (rc)
        return rc;
    if (staff)
        q.area = u->code;
    else
        q.person_id = r->who->person_id;
    struct feedback *list;
    int n;
    if ((rc = feedback_list(r->store, &r->arena, &q, &list, &n)))
        return store_err(rc);
    json_t *items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(items, feedback_to_json(&list[i], q.now, staff));
    if (staff)
        audit_request(r, "feedback.list", "feedback", NULL, u->code);
    return http_reply_json(r, 200, json_pack("{s:o}", "feedback", items));
}

/* The report {id} for the caller: staff in its area, the citizen who sent it. */
static int load(struct http_req *r, struct feedback *f)
{
    int64_t id;
    int rc = http_param_id(r, "id", &id);
    if (rc)
        return rc;
    rc = feedback_get(r->store, &r->arena, id, f);
    if (rc == STORE_DONE)
        return http_fail(r, ERR_NOT_FOUND, "id", "no report %lld", (long long)id);
    if (rc)
        return store_err(rc);
    if (is_citizen(r))
        return f->person_id == r->who->person_id ? 0 : http_fail(r, ERR_NOT_FOUND, "id", "no report %lld", (long long)id);
    return area_require(r, f->commune_code);
}

/* GET /api/v1/feedback/{id} */
enum err feedback_handle_get(struct http_req *r)
{
    struct feedback f;
    int rc = load(r, &f);
    if (rc)
        return rc;
    if (!is_citizen(r))
        audit_request(r, "feedback.read", "feedback", http_param(r, "id"), f.commune_code);
    return http_reply_json(r, 200, feedback_to_json(&f, clock_now(), !is_citizen(r)));
}

/* GET /api/v1/feedback/{id}/photo: the image bytes */
enum err feedback_handle_photo(struct http_req *r)
{
    struct feedback f;
    const char *type, *b64;
    unsigned char *bin;
    size_t len = 0;
    int rc = load(r, &f);
    if (rc)
        return rc;
    rc = feedback_photo(r->store, &r->arena, f.id, &type, &b64);
    if (rc == STORE_DONE)
        return http_fail(r, ERR_NOT_FOUND, "id", "report %lld has no photo", (long long)f.id);
    if (rc)
        return store_err(rc);
    if (photo_decode(&r->arena, b64, &bin, &len))
        return ERR_INTERNAL;
    if (!is_citizen(r))
        audit_request(r, "feedback.photo.read", "feedback", http_param(r, "id"), f.commune_code);
    return http_reply(r, 200, type, bin, len);
}

/* Queues the SMS telling the sender what became of their report: template feedback_<outcome>, with what. */
static enum store_rc tell(struct store *s, const struct feedback *f, const char *outcome, const char *what)
{
    char text[2048], ref[32], tpl[32];
    snprintf(ref, sizeof(ref), "PA-%lld", (long long)f->id);
    snprintf(tpl, sizeof(tpl), "feedback_%s", outcome);
    const char *values[] = {ref, what};
    enum store_rc rc = notify_template_render(s, tpl, "vi", values, text, sizeof(text));
    return rc ? rc : notify_queue(s, "sms", f->phone, "feedback", text, NULL);
}

struct change_ctx {
    struct http_req *r;
    struct feedback *f;
    const char *kind; /* answer | forward | close */
    const char *text;
    const struct unit *to;
    int64_t now;
};

static int change_tx(struct store *s, void *arg)
{
    struct change_ctx *c = arg;
    struct feedback *f = c->f;
    enum store_rc rc;
    char what[560];
    const char *outcome = "closed";
    if (!strcmp(c->kind, "answer")) {
        rc = feedback_answer(s, f->id, c->text, c->r->who->account_id, c->now);
        snprintf(what, sizeof(what), "%.500s", c->text);
        outcome = "answered";
    } else if (!strcmp(c->kind, "forward")) {
        struct feedback_category cat;
        rc = feedback_category_get(s, f->category, &cat);
        if (rc == STORE_DONE) { /* a category turned off since: the slowest default */
            cat.answer_hours = 72;
            rc = STORE_OK;
        }
        if (!rc)
            rc = feedback_forward(s, f->id, c->to->province, c->to->district, c->to->code, c->text,
                                  c->now + (int64_t)cat.answer_hours * 3600, c->now);
        snprintf(what, sizeof(what), "%s", c->to->name_with_type);
        outcome = "forwarded";
    } else {
        rc = feedback_close(s, f->id, c->text, c->now);
        snprintf(what, sizeof(what), "%s%.500s", c->text ? ": " : ".", c->text ? c->text : "");
        outcome = "closed";
    }
    if (!rc)
        rc = tell(s, f, outcome, what);
    if (rc)
        return rc;
    return audit_request(c->r, c->kind[0] == 'a' ? "feedback.answer" : c->kind[0] == 'f' ? "feedback.forward" : "feedback.close",
                         "feedback", http_param(c->r, "id"), f->commune_code);
}

static enum err change(struct http_req *r, const char *kind)
{
    static const char *const answer_fields[] = {"answer", NULL};
    static const char *const forward_fields[] = {"unit_code", "note", NULL};
    static const char *const close_fields[] = {"note", NULL};
    struct feedback f;
    struct change_ctx c = {.r = r, .f = &f, .kind = kind, .now = clock_now()};
    json_t *body;
    const char *unit_code = NULL;
    int rc = http_read_json(r, !strcmp(kind, "answer") ? answer_fields : !strcmp(kind, "forward") ? forward_fields
                                                                                               : close_fields,
                            &body);
    if (!rc && !strcmp(kind, "answer"))
        rc = jsonin_str(body, "answer", true, FEEDBACK_TEXT_MAX, &c.text, &r->fault);
    if (!rc && strcmp(kind, "answer"))
        rc = jsonin_str(body, "note", false, 500, &c.text, &r->fault);
    if (!rc && !strcmp(kind, "forward")) {
        rc = jsonin_str(body, "unit_code", true, 8, &unit_code, &r->fault);
        if (!rc)
            rc = unit_check(unit_code, "unit_code", ERR_INVALID_FIELD, &c.to, &r->fault);
        if (!rc && c.to->level != 3)
            rc = http_fail(r, ERR_INVALID_FIELD, "unit_code", "unit_code must be a commune or ward (5 digits)");
    }
    if (!rc)
        rc = load(r, &f);
    if (rc)
        return rc;
    if (!strcmp(f.status, "closed"))
        return http_fail(r, ERR_CONFLICT, "id", "report %lld is closed", (long long)f.id);
    if (!strcmp(kind, "forward") && !strcmp(f.commune_code, c.to->code))
        return http_fail(r, ERR_INVALID_FIELD, "unit_code", "the report is already at %s", c.to->name_with_type);
    if ((rc = store_tx(r->store, change_tx, &c)))
        return rc;
    if ((rc = feedback_get(r->store, &r->arena, f.id, &f)))
        return store_err(rc);
    return http_reply_json(r, 200, feedback_to_json(&f, c.now, true));
}

/* POST /api/v1/feedback/{id}/answer {"answer"} */
enum err feedback_handle_answer(struct http_req *r)
{
    return change(r, "answer");
}

/* POST /api/v1/feedback/{id}/forward {"unit_code","note"?} */
enum err feedback_handle_forward(struct http_req *r)
{
    return change(r, "forward");
}

/* POST /api/v1/feedback/{id}/close {"note"?} */
enum err feedback_handle_close(struct http_req *r)
{
    return change(r, "close");
}
