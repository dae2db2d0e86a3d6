/*
 * due.c - people due for their next dose: the last dose of each person whose
 * next_earliest (the product's interval, recorded with the dose) falls on or
 * before a day, with no later dose and no seat held, listed for the officials
 * of the person's area; and the reminders for them, queued in the outbox one
 * per person per due day (vaccine_reminders: asking again texts nobody twice).
 * GET /api/v1/vaccine/due, POST /api/v1/vaccine/due/reminders.
 */
#include <string.h>

#include "area/scope.h"
#include "area/unit.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "core/jsonin.h"
#include "http/http.h"
#include "notify/notify.h"
#include "store/store.h"
#include "vaccine/vaccine_int.h"

#define DUE_LIST_MAX 5000 /* people answered or reminded by one request */

static enum store_rc due_rows(struct store *s, const char *area, int64_t until, int64_t limit, json_t **out)
{
    enum store_rc rc = vaccine__due_list(s, area, until, limit, out);
    if (rc)
        return rc;
    /* What the rows mean to a reader: the dose due, its day, whether its window has closed. */
    size_t i;
    json_t *row;
    json_array_foreach(*out, i, row) {
        char day[11];
        vaccine_day(vaccine__int(row, "next_earliest"), day);
        int64_t latest = vaccine__int(row, "next_latest");
        json_object_set_new(row, "dose_number", json_integer(vaccine__int(row, "last_dose") + 1));
        json_object_set_new(row, "due_day", json_string(day));
        json_object_set_new(row, "overdue", json_boolean(latest && latest < until - 86400 + 1));
        if (!latest)
            json_object_set_new(row, "next_latest", json_null());
    }
    return STORE_OK;
}

/* The unit and day of a request: unit defaults to the caller's, date to today; *until is the day's last second. */
static int due_scope(struct http_req *r, const char *unit_in, const char *date_in, bool from_body, const char **code,
                     const char **day, int64_t *until)
{
    int rc;
    if (from_body && unit_in) {
        const struct unit *u;
        rc = unit_check(unit_in, "unit", ERR_INVALID_FIELD, &u, &r->fault);
        if (!rc)
            rc = area_require(r, u->code);
        if (rc)
            return rc;
        *code = u->code;
    } else if (from_body) {
        *code = r->who->unit_code;
    } else if ((rc = vaccine__area_query(r, "unit", code))) {
        return rc;
    }
    char today[11];
    vaccine_day(clock_now(), today);
    *day = date_in ? date_in : arena_strdup(&r->arena, today);
    int64_t midnight;
    if (!vaccine__parse_day(*day, NULL, &midnight))
        return http_fail(r, ERR_INVALID_FIELD, "date", "date must be YYYY-MM-DD");
    *until = midnight + 86400 - 1;
    return 0;
}

/* GET /api/v1/vaccine/due?unit=&date=&limit= */
enum err vaccine_handle_due_list(struct http_req *r)
{
    const char *code, *day;
    int64_t until = 0, limit = 0;
    int rc = due_scope(r, NULL, http_query(r, "date"), false, &code, &day, &until);
    if (!rc)
        rc = http_query_int(r, "limit", 1, DUE_LIST_MAX, 500, &limit);
    if (rc)
        return rc;
    json_t *arr;
    rc = due_rows(r->store, code, until, limit, &arr);
    if (rc)
        return store_err(rc);
    rc = audit_request(r, "vaccine_due.list", "person", NULL, code);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    return http_reply_json(r, 200, json_pack("{s:s, s:s, s:o}", "unit", code, "date", day, "people", arr));
}

struct remind_ctx {
    struct http_req *r;
    const char *code;
    int64_t until;
    int64_t queued, already, no_phone;
};

static int remind_tx(struct store *s, void *p)
{
    struct remind_ctx *c = p;
    c->queued = c->already = c->no_phone = 0;
    json_t *rows;
    int rc = due_rows(s, c->code, c->until, DUE_LIST_MAX, &rows);
    if (rc)
        return rc;
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        const char *phone = vaccine__str(row, "phone");
        if (!json_is_null(json_object_get(row, "reminded_at"))) {
            c->already++;
            continue;
        }
        if (!phone || !*phone) {
            c->no_phone++;
            continue;
        }
        int64_t pid = vaccine__int(row, "person_id"), n = vaccine__int(row, "dose_number"), changes = 0;
        const char *due = vaccine__str(row, "due_day");
        const struct unit *u = unit_find(vaccine__str(row, "commune_code"));
        const char *prov = NULL, *dist = NULL, *comm = vaccine__str(row, "commune_code");
        if (u)
            unit_ancestors(u, &prov, &dist, &comm);
        /* The unique (person, due day) is the judge: a concurrent request that got there first wins. */
        rc = store_run(s, &changes,
                       "INSERT INTO vaccine_reminders (person_id, dose_number, due_day, province_code, district_code,"
                       " commune_code, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                       " ON CONFLICT (person_id, due_day) DO NOTHING",
                       "iissssii", pid, n, due, prov, dist, comm, c->r->who->account_id, clock_now());
        if (rc)
            break;
        if (!changes) {
            c->already++;
            continue;
        }
        char msg[2048], due_text[11];
        vn_date_text(due, due_text);
        const char *values[] = {vaccine__str(row, "full_name") ? vaccine__str(row, "full_name") : "Ban",
                                arena_printf(&c->r->arena, "%lld", (long long)n), vaccine__str(row, "product"),
                                due_text};
        int64_t mid;
        rc = notify_template_render(s, "vaccine_due", "vi", values, msg, sizeof(msg));
        if (!rc)
            rc = notify_queue(s, "sms", phone, "vaccine_due", msg, &mid);
        if (!rc)
            rc = store_run(s, NULL, "UPDATE vaccine_reminders SET outbox_id = ? WHERE person_id = ? AND due_day = ?",
                           "iis", mid, pid, due);
        if (rc)
            break;
        c->queued++;
    }
    json_decref(rows);
    if (!rc && c->queued)
        rc = audit_request(c->r, "vaccine_due.remind", "person", NULL, c->code);
    return rc;
}

/* POST /api/v1/vaccine/due/reminders {unit?, date?} */
enum err vaccine_handle_due_remind(struct http_req *r)
{
    static const char *const fields[] = {"unit", "date", NULL};
    json_t *body;
    const char *unit = NULL, *date = NULL, *day;
    struct remind_ctx c = {.r = r};
    int rc = http_read_json(r, fields, &body);
    if (!rc)
        rc = jsonin_str(body, "unit", false, 8, &unit, &r->fault);
    if (!rc)
        rc = jsonin_str(body, "date", false, 10, &date, &r->fault);
    if (!rc)
        rc = due_scope(r, unit, date, true, &c.code, &day, &c.until);
    if (rc)
        return rc;
    rc = store_tx(r->store, remind_tx, &c);
    if (rc)
        return rc;
    return http_reply_json(r, 200, json_pack("{s:s, s:s, s:I, s:I, s:I}", "unit", c.code, "date", day, "queued",
                                             (json_int_t)c.queued, "already_reminded", (json_int_t)c.already,
                                             "without_phone", (json_int_t)c.no_phone));
}
