/*
 * daily_job.c - the morning report: from SITUATION_REPORT_HOUR local time,
 * once a day, for every unit that has officials (admin accounts with a
 * phone or an e-mail address), a message is queued in the outbox to each of
 * them, an SMS to a phone and an e-mail to an address (both when the account
 * has both), with the day before's headline figures, the level and the path
 * of the full report
 * (GET /api/v1/reports/daily, PDF or XLSX).  The report covers the day
 * before: the morning's day has only begun.  daily_reports keeps what was
 * queued, so a rerun queues nothing twice.
 */
#include <stdio.h>
#include <string.h>

#include "area/unit.h"
#include "core/clock.h"
#include "notify/notify.h"
#include "situation/situation.h"
#include "store/store.h"

#define SITUATION_REPORT_HOUR 7
#define UNITS_PER_RUN 500 /* a round does at most this many units; the next round goes on */

struct unit_todo {
    char code[8];
};

static int report_unit(struct store *s, const struct unit *u, int64_t day, int64_t now)
{
    json_t *fig;
    int rc = situation_figures(s, u, day, &fig);
    if (rc)
        return rc;
    int level = 0;
    json_t *total = json_object_get(fig, "total");
    rc = situation_level(s, u->code, total, day, &level);
    int64_t f0 = json_integer_value(json_object_get(json_object_get(total, "new_f0"), "today"));
    int64_t f0w = json_integer_value(json_object_get(json_object_get(total, "new_f0"), "7d"));
    json_decref(fig);
    char ds[11], body[2048], lv[32], date[11], nf0[24], nf0w[24], path[80];
    vn_date_format(day, ds);
    if (level)
        snprintf(lv, sizeof lv, "%d", level);
    else
        snprintf(lv, sizeof lv, "chưa xác định");
    vn_date_text(ds, date);
    snprintf(nf0, sizeof nf0, "%lld", (long long)f0);
    snprintf(nf0w, sizeof nf0w, "%lld", (long long)f0w);
    snprintf(path, sizeof path, "/api/v1/reports/daily?unit=%s&date=%s", u->code, ds);
    const char *values[] = {date, u->name_with_type, nf0, nf0w, lv, path};
    if (!rc)
        rc = notify_template_render(s, "daily_report", "vi", values, body, sizeof body);
    int64_t queued = 0;
    /* addresses first: queuing while the statement is open would interleave statements on one connection */
    char phones[64][16], emails[64][256];
    int n = 0;
    struct store_stmt *st = NULL;
    if (!rc)
        rc = store_query(s, &st,
                         "SELECT phone, email FROM accounts WHERE unit_code = ? AND disabled = 0"
                         " AND (phone IS NOT NULL OR email IS NOT NULL)"
                         " AND role IN ('national_admin', 'province_admin', 'district_admin', 'commune_admin')"
                         " ORDER BY id",
                         "s", u->code);
    while (rc == STORE_OK && (rc = store_step(st)) == STORE_ROW) {
        rc = STORE_OK;
        if (n < 64) {
            snprintf(phones[n], sizeof phones[0], "%s", store_col_null(st, 0) ? "" : store_col_text(st, 0));
            snprintf(emails[n++], sizeof emails[0], "%s", store_col_null(st, 1) ? "" : store_col_text(st, 1));
        }
    }
    store_finalize(st);
    if (rc == STORE_DONE)
        rc = STORE_OK;
    for (int i = 0; i < n && !rc; i++) {
        if (phones[i][0] && !(rc = notify_queue(s, "sms", phones[i], "daily_report", body, NULL)))
            queued++;
        if (!rc && emails[i][0] && !(rc = notify_queue(s, "email", emails[i], "daily_report", body, NULL)))
            queued++;
    }
    if (!rc)
        rc = store_run(s, NULL,
                       "INSERT INTO daily_reports (unit_code, day, level, new_f0, messages, queued_at)"
                       " VALUES (?, ?, ?, ?, ?, ?)",
                       "siiiii", u->code, day, (int64_t)level, f0, queued, now);
    return rc;
}

struct round {
    int64_t day, now;
    int done;
};

static int round_tx(struct store *s, void *p)
{
    struct round *c = p;
    struct store_stmt *st;
    /* units with officials with a phone or an e-mail address, not yet reported for the day */
    int rc = store_query(s, &st,
                         "SELECT DISTINCT a.unit_code FROM accounts a WHERE a.disabled = 0"
                         " AND (a.phone IS NOT NULL OR a.email IS NOT NULL)"
                         " AND a.role IN ('national_admin', 'province_admin', 'district_admin', 'commune_admin')"
                         " AND NOT EXISTS (SELECT 1 FROM daily_reports d WHERE d.unit_code = a.unit_code AND d.day = ?)"
                         " ORDER BY a.unit_code LIMIT ?",
                         "ii", c->day, (int64_t)UNITS_PER_RUN);
    struct unit_todo todo[UNITS_PER_RUN];
    int n = 0;
    while (rc == STORE_OK && (rc = store_step(st)) == STORE_ROW) {
        rc = STORE_OK;
        if (n < UNITS_PER_RUN)
            snprintf(todo[n++].code, sizeof todo[0].code, "%s", store_col_text(st, 0));
    }
    store_finalize(st);
    if (rc != STORE_DONE)
        return rc;
    rc = STORE_OK;
    for (int i = 0; i < n && !rc; i++) {
        const struct unit *u = unit_find(todo[i].code);
        if (u)
            rc = report_unit(s, u, c->day, c->now);
        c->done += !rc;
    }
    return rc;
}

int situation_job_daily_report(struct store *s, int64_t now, const char **detail)
{
    int64_t today = vn_day(now);
    if (now < vn_day_start(today) + SITUATION_REPORT_HOUR * 3600) {
        *detail = "before the report hour";
        return 0;
    }
    struct round c = {.day = today - 1, .now = now};
    int rc = store_tx(s, round_tx, &c);
    static __thread char msg[64];
    snprintf(msg, sizeof msg, "%d units reported", c.done);
    *detail = msg;
    return rc;
}
