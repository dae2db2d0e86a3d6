/*
 * quarantine_store.c - the queries of quarantine (migration 012) and the
 * monitor job.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "notify/notify.h"
#include "people/people.h"
#include "quarantine/quarantine.h"
#include "quarantine/quarantine_int.h"
#include "store/sql.h"
#include "store/store.h"
#include "tracing/tracing.h"

enum store_rc quarantine_order_insert(struct store *s, const struct quarantine_order_new *in, int64_t now,
                                      int64_t *id, bool *created)
{
    *created = false;
    enum store_rc rc = store_int(
        s, id,
        "INSERT INTO quarantine_orders (client_id, person_id, case_id, kind, address, lat_e6, lon_e6,"
        " start_day, end_day, checkins_per_day, radius_m, grace_minutes, status, province_code,"
        " district_code, commune_code, created_by, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (client_id) DO NOTHING RETURNING id",
        "siissiiiiiiisssiii", in->client_id, in->person_id, in->case_id, in->kind, in->address, in->lat_e6,
        in->lon_e6, in->start_day, in->end_day, (int64_t)in->checkins_per_day, (int64_t)in->radius_m,
        (int64_t)in->grace_minutes, in->province_code, in->district_code, in->commune_code, in->created_by,
        now, now);
    if (rc == STORE_OK) {
        *created = true;
        /* No place yet (a policy order): columns hold 0, which means "unknown" only through has_place. */
        if (!in->has_place)
            rc = store_run(s, NULL, "UPDATE quarantine_orders SET lat_e6 = NULL, lon_e6 = NULL WHERE id = ?", "i",
                           *id);
        if (!in->case_id && !rc)
            rc = store_run(s, NULL, "UPDATE quarantine_orders SET case_id = NULL WHERE id = ?", "i", *id);
        if (!in->created_by && !rc)
            rc = store_run(s, NULL, "UPDATE quarantine_orders SET created_by = NULL WHERE id = ?", "i", *id);
        return rc;
    }
    if (rc != STORE_DONE)
        return rc;
    return store_int(s, id, "SELECT id FROM quarantine_orders WHERE client_id = ?", "s", in->client_id);
}

static void read_order(struct store_stmt *st, void *ctx)
{
    struct quarantine_order *o = ctx;
    o->id = store_col_int(st, 0);
    o->person_id = store_col_int(st, 1);
    o->case_id = store_col_null(st, 2) ? 0 : store_col_int(st, 2);
    snprintf(o->kind, sizeof(o->kind), "%s", store_col_text(st, 3));
    snprintf(o->address, sizeof(o->address), "%s", store_col_text(st, 4) ? store_col_text(st, 4) : "");
    o->has_place = !store_col_null(st, 5) && !store_col_null(st, 6);
    o->lat_e6 = o->has_place ? store_col_int(st, 5) : 0;
    o->lon_e6 = o->has_place ? store_col_int(st, 6) : 0;
    o->start_day = store_col_int(st, 7);
    o->end_day = store_col_int(st, 8);
    o->checkins_per_day = (int)store_col_int(st, 9);
    o->radius_m = (int)store_col_int(st, 10);
    o->grace_minutes = (int)store_col_int(st, 11);
    snprintf(o->status, sizeof(o->status), "%s", store_col_text(st, 12));
    snprintf(o->commune_code, sizeof(o->commune_code), "%s", store_col_text(st, 13) ? store_col_text(st, 13) : "");
    snprintf(o->district_code, sizeof(o->district_code), "%s",
             store_col_text(st, 14) ? store_col_text(st, 14) : "");
    snprintf(o->province_code, sizeof(o->province_code), "%s",
             store_col_text(st, 15) ? store_col_text(st, 15) : "");
    o->created_at = store_col_int(st, 16);
    o->place_checkin_id = store_col_null(st, 17) ? 0 : store_col_int(st, 17);
    o->place_set_at = store_col_null(st, 18) ? 0 : store_col_int(st, 18);
    snprintf(o->outcome, sizeof(o->outcome), "%s", store_col_text(st, 19) ? store_col_text(st, 19) : "");
    snprintf(o->end_reason, sizeof(o->end_reason), "%s",
             store_col_text(st, 20) ? store_col_text(st, 20) : "");
    o->ended_at = store_col_null(st, 21) ? 0 : store_col_int(st, 21);
    snprintf(o->full_name, sizeof(o->full_name), "%s", store_col_text(st, 22) ? store_col_text(st, 22) : "");
}

#define ORDER_COLUMNS                                                                                        \
    "id, person_id, case_id, kind, address, lat_e6, lon_e6, start_day, end_day, checkins_per_day, radius_m," \
    " grace_minutes, status, commune_code, district_code, province_code, created_at, place_checkin_id,"      \
    " place_set_at, outcome, end_reason, ended_at,"                                                           \
    " (SELECT p.full_name FROM persons p WHERE p.id = quarantine_orders.person_id)"

enum store_rc quarantine__order_get(struct store *s, int64_t id, struct quarantine_order *out)
{
    return store_get(s, read_order, out, "SELECT " ORDER_COLUMNS " FROM quarantine_orders WHERE id = ?", "i", id);
}

enum store_rc quarantine__orders_query(struct store *s, struct arena *a, const char *where, const char *types,
                                       int64_t limit, const char *arg, struct quarantine_order **out, int *n)
{
    char sql[768];
    snprintf(sql, sizeof(sql), "SELECT " ORDER_COLUMNS " FROM quarantine_orders WHERE %s ORDER BY id DESC LIMIT ?",
             where);
    struct store_stmt *st;
    enum store_rc rc = types[0] == 's' ? store_query(s, &st, sql, "si", arg, limit)
                                       : store_query(s, &st, sql, "ii", *(const int64_t *)arg, limit);
    *out = arena_alloc(a, (size_t)(limit + 1) * sizeof(**out));
    *n = 0;
    while (rc == STORE_OK && (rc = store_step(st)) == STORE_ROW) {
        rc = STORE_OK;
        read_order(st, &(*out)[(*n)++]);
    }
    store_finalize(st);
    return rc == STORE_DONE ? STORE_OK : rc;
}

enum store_rc quarantine__orders_page(struct store *s, struct arena *a, const int64_t keys[2], int limit,
                                      struct quarantine_order **out, int *n)
{
    struct store_stmt *st;
    enum store_rc rc = store_query(s, &st,
                                   "SELECT " ORDER_COLUMNS " FROM quarantine_orders WHERE status = 'active'"
                                   " AND start_day <= ? AND id > ? ORDER BY id LIMIT ?",
                                   "iii", keys[0], keys[1], (int64_t)limit);
    *out = arena_alloc(a, (size_t)(limit + 1) * sizeof(**out));
    *n = 0;
    while (rc == STORE_OK && (rc = store_step(st)) == STORE_ROW) {
        rc = STORE_OK;
        read_order(st, &(*out)[(*n)++]);
    }
    store_finalize(st);
    return rc == STORE_DONE ? STORE_OK : rc;
}

/* Raises an alert (once per order, kind, slot) and, when new, queues the reminder. */
enum store_rc quarantine__alert(struct store *s, const struct quarantine_order *o, const char *kind,
                                int64_t slot_start, const char *detail, int64_t now, bool *raised)
{
    int64_t id;
    *raised = false;
    enum store_rc rc = store_int(
        s, &id,
        "INSERT INTO quarantine_alerts (order_id, person_id, kind, slot_start, detail, province_code,"
        " district_code, commune_code, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (order_id, kind, slot_start) DO NOTHING RETURNING id",
        "iisissssi", o->id, o->person_id, kind, slot_start, detail,
        o->province_code[0] ? o->province_code : NULL, o->district_code[0] ? o->district_code : NULL,
        o->commune_code[0] ? o->commune_code : NULL, now);
    if (rc == STORE_DONE)
        return STORE_OK;
    if (rc)
        return rc;
    *raised = true;
    /* The person's phone; for a person without one (a child, an elder), the phone of the citizen who
     * manages them, who checks in for them. */
    struct arena a;
    arena_init(&a);
    const char *to, *name;
    rc = people_reach(s, &a, o->person_id, &to, &name);
    if (!rc && to) {
        char body[2048], order[24], tpl[40];
        snprintf(order, sizeof(order), "%lld", (long long)o->id);
        /* the template by case: quarantine_missed, quarantine_outside, each with _member for a managed person */
        snprintf(tpl, sizeof(tpl), "quarantine_%s%s", !strcmp(kind, "missed") ? "missed" : "outside",
                 name ? "_member" : "");
        const char *with_name[] = {name, order}, *own[] = {order};
        rc = notify_template_render(s, tpl, "vi", name ? with_name : own, body, sizeof(body));
        char cause[48];
        snprintf(cause, sizeof(cause), "quarantine_order:%lld", (long long)o->id);
        if (!rc)
            rc = notify_queue_cause(s, "sms", to, "quarantine_reminder", body, cause, NULL);
    }
    arena_release(&a);
    return rc;
}

/* ------------------------------------------------------------ place, end, alerts */

enum store_rc quarantine__place_set(struct store *s, int64_t order_id, int64_t lat_e6, int64_t lon_e6,
                                    const char *address, int64_t from_checkin, int64_t by, int64_t now)
{
    enum store_rc rc =
        store_run(s, NULL,
                  "UPDATE quarantine_orders SET lat_e6 = ?, lon_e6 = ?, address = COALESCE(?, address),"
                  " place_checkin_id = ?, place_set_by = ?, place_set_at = ?, updated_at = ? WHERE id = ?",
                  "iisiiiii", lat_e6, lon_e6, address, from_checkin, by, now, now, order_id);
    if (!rc && !from_checkin)
        rc = store_run(s, NULL, "UPDATE quarantine_orders SET place_checkin_id = NULL WHERE id = ?", "i",
                       order_id);
    return rc;
}

struct position {
    int64_t order_id, lat, lon;
};

static void read_position(struct store_stmt *st, void *ctx)
{
    struct position *p = ctx;
    p->order_id = store_col_int(st, 0);
    p->lat = store_col_int(st, 1);
    p->lon = store_col_int(st, 2);
}

enum store_rc quarantine__checkin_position(struct store *s, int64_t checkin_id, int64_t *order_id,
                                           int64_t *lat_e6, int64_t *lon_e6)
{
    struct position p = {0};
    enum store_rc rc =
        store_get(s, read_position, &p,
                  "SELECT order_id, lat_e6, lon_e6 FROM quarantine_checkins WHERE id = ?", "i", checkin_id);
    *order_id = p.order_id;
    *lat_e6 = p.lat;
    *lon_e6 = p.lon;
    return rc;
}

enum store_rc quarantine__order_end(struct store *s, int64_t order_id, const char *outcome,
                                    const char *reason, int64_t by, int64_t now, int64_t *photos)
{
    int64_t n = 0;
    *photos = 0;
    const char *status = !strcmp(outcome, "cancelled") ? "cancelled" : "ended";
    enum store_rc rc =
        store_run(s, &n,
                  "UPDATE quarantine_orders SET status = ?, outcome = ?, end_reason = ?, ended_by = ?,"
                  " ended_at = ?, photos_deleted_at = ?, updated_at = ? WHERE id = ? AND status = 'active'",
                  "sssiiiii", status, outcome, reason, by, now, now, now, order_id);
    if (rc)
        return rc;
    if (n == 0)
        return STORE_DONE;
    if (!by)
        rc = store_run(s, NULL, "UPDATE quarantine_orders SET ended_by = NULL WHERE id = ?", "i", order_id);
    if (!rc)
        rc = store_run(s, photos, "DELETE FROM quarantine_photos WHERE order_id = ?", "i", order_id);
    return rc;
}

static void read_alert(struct store_stmt *st, void *ctx)
{
    struct quarantine_alert *a = ctx;
    a->id = store_col_int(st, 0);
    a->order_id = store_col_int(st, 1);
    snprintf(a->commune_code, sizeof(a->commune_code), "%s",
             store_col_text(st, 2) ? store_col_text(st, 2) : "");
    a->acknowledged_at = store_col_null(st, 3) ? 0 : store_col_int(st, 3);
    a->resolved_at = store_col_null(st, 4) ? 0 : store_col_int(st, 4);
}

enum store_rc quarantine__alert_get(struct store *s, int64_t id, struct quarantine_alert *out)
{
    return store_get(
        s, read_alert, out,
        "SELECT id, order_id, commune_code, acknowledged_at, resolved_at FROM quarantine_alerts WHERE id = ?",
        "i", id);
}

enum store_rc quarantine__alert_acknowledge(struct store *s, int64_t id, const char *note, int64_t by,
                                            int64_t now)
{
    int64_t n = 0;
    enum store_rc rc = store_run(
        s, &n,
        "UPDATE quarantine_alerts SET acknowledged_at = ?, acknowledged_by = ?, acknowledge_note = ?"
        " WHERE id = ? AND acknowledged_at IS NULL AND resolved_at IS NULL",
        "iisi", now, by, note, id);
    return rc ? rc : n ? STORE_OK : STORE_DONE;
}

enum store_rc quarantine__alert_resolve(struct store *s, int64_t id, const char *note, int64_t by,
                                        int64_t now)
{
    int64_t n = 0;
    enum store_rc rc =
        store_run(s, &n,
                  "UPDATE quarantine_alerts SET resolved_at = ?, resolved_by = ?, resolution_note = ?"
                  " WHERE id = ? AND resolved_at IS NULL",
                  "iisi", now, by, note, id);
    return rc ? rc : n ? STORE_OK : STORE_DONE;
}

/* ------------------------------------------------------------ the monitor job */

static int monitor_page = 500; /* active orders read per transaction (config quarantine_monitor_page) */

void quarantine_configure(int page)
{
    if (page > 0)
        monitor_page = page;
}

/* What one run of the monitor job has done; the *_tx callbacks set only their own fields, from scratch on
 * each attempt (store_tx runs a callback again after a serialization failure). */
struct monitor_ctx {
    int64_t now;
    int64_t after;       /* keyset: the last order id of the previous page */
    int64_t last;        /* this page: its last order id */
    int count;           /* this page: orders read */
    int64_t page_alerts; /* this page: alerts raised */
    int64_t alerts, ended, photos, orders;
};

/* Orders past their last day end as completed; their photos (and any left of orders ended otherwise) go. */
static int monitor_end_tx(struct store *s, void *arg)
{
    struct monitor_ctx *m = arg;
    int64_t today = vn_day(m->now);
    m->photos = m->ended = 0;
    int rc = store_run(s, &m->photos,
                       "DELETE FROM quarantine_photos WHERE order_id IN (SELECT id FROM quarantine_orders"
                       " WHERE status <> 'active' OR end_day < ?)",
                       "i", today);
    if (!rc)
        rc = store_run(s, &m->ended,
                       "UPDATE quarantine_orders SET status = 'ended', outcome = 'completed', ended_at = ?,"
                       " photos_deleted_at = ?, updated_at = ? WHERE status = 'active' AND end_day < ?",
                       "iiii", m->now, m->now, m->now, today);
    return rc;
}

/* One page of active orders after m->after, by id: an alert for each slot of yesterday and today whose
 * window closed more than grace ago with no check-in in it. */
static int monitor_page_tx(struct store *s, void *arg)
{
    struct monitor_ctx *m = arg;
    int64_t today = vn_day(m->now);
    struct arena a;
    arena_init(&a);
    struct quarantine_order *orders;
    int64_t keys[2] = {today, m->after};
    m->count = 0;
    m->last = m->after;
    m->page_alerts = 0;
    int rc = quarantine__orders_page(s, &a, keys, monitor_page, &orders, &m->count);
    for (int i = 0; i < m->count && !rc; i++) {
        struct quarantine_order *o = &orders[i];
        m->last = o->id;
        for (int64_t day = today - 1; day <= today && !rc; day++) {
            if (day < o->start_day || day > o->end_day)
                continue;
            for (int k = 0; k < o->checkins_per_day && !rc; k++) {
                int64_t s0, s1;
                quarantine_slot_of_day(o->checkins_per_day, day, k, &s0, &s1);
                if (s0 < o->created_at || s1 + (int64_t)o->grace_minutes * 60 > m->now)
                    continue;
                int64_t made = 0;
                rc =
                    store_int(s, &made,
                              "SELECT COUNT(*) FROM quarantine_checkins WHERE order_id = ? AND slot_start = ?"
                              " AND in_slot = 1",
                              "ii", o->id, s0);
                if (!rc && made == 0) {
                    bool raised;
                    rc = quarantine__alert(s, o, "missed", s0,
                                           "không điểm danh trong khung giờ / no check-in in the slot", m->now, &raised);
                    m->page_alerts += raised;
                }
            }
        }
    }
    arena_release(&a);
    return rc;
}

int quarantine_job_monitor(struct store *s, int64_t now, const char **detail)
{
    static _Thread_local char msg[160];
    struct monitor_ctx m = {.now = now};
    int rc = store_tx(s, monitor_end_tx, &m);
    /* Every active order, a page per transaction, so no write lock is held for the whole run; alerts are
     * unique per slot, so a run cut short is finished by the next. */
    while (!rc) {
        rc = store_tx(s, monitor_page_tx, &m);
        if (rc)
            break;
        m.orders += m.count;
        m.alerts += m.page_alerts;
        m.after = m.last;
        if (m.count < monitor_page)
            break;
    }
    snprintf(msg, sizeof(msg), "%lld orders watched, %lld alerts, %lld orders ended, %lld photos deleted",
             (long long)m.orders, (long long)m.alerts, (long long)m.ended, (long long)m.photos);
    *detail = msg;
    log_info("msg=\"quarantine monitor\" orders=%lld alerts=%lld ended=%lld photos=%lld", (long long)m.orders,
             (long long)m.alerts, (long long)m.ended, (long long)m.photos);
    return rc;
}

enum store_rc quarantine__checkin_record(struct store *s, struct quarantine_checkin *c)
{
    int64_t slot_end;
    c->in_slot = quarantine_slot(c->o->checkins_per_day, c->at, &c->slot, &slot_end);
    if (!c->in_slot)
        c->slot = c->at; /* answers no slot: its own time keeps its alert apart from any slot's */
    c->measured = c->o->has_place;
    c->distance = 0;
    if (c->measured) {
        c->distance = (int64_t)llround(quarantine_distance_m(c->o->lat_e6, c->o->lon_e6, c->lat, c->lon));
        c->inside = c->distance <= c->o->radius_m;
    } else {
        c->inside = true; /* nothing to compare with: not held against the person */
    }
    c->created = false;
    /* distance_m stays NULL when there is no place to measure from */
    enum store_rc rc = store_int(
        s, &c->id,
        "INSERT INTO quarantine_checkins (client_id, order_id, slot_start, in_slot, at, lat_e6, lon_e6,"
        " accuracy_m, inside, distance_m) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (order_id, client_id) DO NOTHING RETURNING id",
        c->measured ? "siiiiiiiii" : "siiiiiiiin", c->client_id, c->o->id, c->slot, (int64_t)c->in_slot,
        c->at, c->lat, c->lon, c->accuracy, (int64_t)c->inside, c->distance);
    if (rc == STORE_DONE)
        return quarantine__checkin_stored(s, c);
    if (rc)
        return rc;
    c->created = true;
    rc = store_run(s, NULL, "INSERT INTO quarantine_photos (checkin_id, order_id, media_type, data) VALUES (?, ?, ?, ?)",
                   "iiss", c->id, c->o->id, c->media_type, c->photo_b64);
    if (!rc && !c->inside) {
        /* Read by commune staff in the Vietnamese UI, English after it as in the SMS texts. */
        char detail[192];
        snprintf(detail, sizeof(detail),
                 "điểm danh cách nơi cách ly %lld m (bán kính %d m) / check-in %lld m from the place (radius %d m)",
                 (long long)c->distance, c->o->radius_m, (long long)c->distance, c->o->radius_m);
        bool raised;
        rc = quarantine__alert(s, c->o, "outside", c->slot, detail, c->at, &raised);
        c->alert = raised;
    }
    return rc;
}

static void read_stored(struct store_stmt *st, void *ctx)
{
    struct quarantine_checkin *c = ctx;
    c->id = store_col_int(st, 0);
    c->slot = store_col_int(st, 1);
    c->in_slot = store_col_int(st, 2) != 0;
    c->measured = !store_col_null(st, 3);
    c->distance = c->measured ? store_col_int(st, 3) : 0;
    c->inside = store_col_int(st, 4) != 0;
    c->at = store_col_int(st, 5);
}

/* A retry: the check-in as first stored, so the answer is the first one's. */
enum store_rc quarantine__checkin_stored(struct store *s, struct quarantine_checkin *c)
{
    return store_get(s, read_stored, c,
                     "SELECT id, slot_start, in_slot, distance_m, inside, at FROM quarantine_checkins"
                     " WHERE order_id = ? AND client_id = ?",
                     "is", c->o->id, c->client_id);
}

/* ---------------------------------------------------------------- lists of an area */

enum store_rc quarantine__order_ids(struct store *s, const struct quarantine_filter *f, int64_t *ids, int max,
                                    int *n)
{
    struct store_sql q;
    store_sql_init(&q, "SELECT o.id FROM quarantine_orders o WHERE o.status = ?", "s", f->status);
    store_sql_area(&q, "o", f->area);
    store_sql_add(&q, " ORDER BY o.id DESC LIMIT ? OFFSET ?", "ii", f->limit, f->offset);
    struct store_stmt *st;
    enum store_rc rc = store_sql_query(s, &st, &q);
    *n = 0;
    while (rc == STORE_OK && (rc = store_step(st)) == STORE_ROW) {
        rc = STORE_OK;
        if (*n < max)
            ids[(*n)++] = store_col_int(st, 0);
    }
    store_finalize(st);
    return rc == STORE_DONE ? STORE_OK : rc;
}

#define ALERT_COLUMNS                                                                                        \
    "a.id, a.order_id, a.person_id, a.kind, a.slot_start, a.detail, a.commune_code, a.created_at, "          \
    "p.full_name,"                                                                                           \
    " p.phone, a.acknowledged_at, a.acknowledged_by, a.acknowledge_note, a.resolved_at, a.resolved_by,"      \
    " a.resolution_note, (SELECT mp.phone FROM person_managers m JOIN persons mp ON mp.id = "                \
    "m.manager_person_id"                                                                                    \
    " WHERE m.person_id = a.person_id ORDER BY m.created_at LIMIT 1)"

enum store_rc quarantine__alert_query(struct store *s, int64_t id, struct store_stmt **st)
{
    return store_query(s, st,
                       "SELECT " ALERT_COLUMNS
                       " FROM quarantine_alerts a LEFT JOIN persons p ON p.id = a.person_id"
                       " WHERE a.id = ?",
                       "i", id);
}

enum store_rc quarantine__alerts_query(struct store *s, const struct quarantine_filter *f,
                                       struct store_stmt **st)
{
    struct store_sql q;
    store_sql_init(&q,
                   "SELECT " ALERT_COLUMNS
                   " FROM quarantine_alerts a LEFT JOIN persons p ON p.id = a.person_id"
                   " WHERE 1 = 1",
                   "");
    if (f->status && !strcmp(f->status, "open"))
        store_sql_add(&q, " AND a.acknowledged_at IS NULL AND a.resolved_at IS NULL", "");
    else if (f->status && !strcmp(f->status, "acknowledged"))
        store_sql_add(&q, " AND a.acknowledged_at IS NOT NULL AND a.resolved_at IS NULL", "");
    else if (f->status && !strcmp(f->status, "resolved"))
        store_sql_add(&q, " AND a.resolved_at IS NOT NULL", "");
    if (f->order_id)
        store_sql_add(&q, " AND a.order_id = ?", "i", f->order_id);
    store_sql_area(&q, "a", f->area);
    store_sql_add(&q, " ORDER BY a.id DESC LIMIT ?", "i", f->limit);
    return store_sql_query(s, st, &q);
}

enum store_rc quarantine__compliance_query(struct store *s, const struct quarantine_filter *f, int64_t day0,
                                           int64_t today, struct store_stmt **st)
{
    struct store_sql q;
    store_sql_init(&q,
                   "SELECT o.commune_code, o.id, o.checkins_per_day, o.created_at,"
                   " (SELECT COUNT(*) FROM quarantine_checkins c WHERE c.order_id = o.id AND c.at >= ?),"
                   " (SELECT COUNT(*) FROM quarantine_alerts a WHERE a.order_id = o.id AND a.resolved_at IS NULL)"
                   " FROM quarantine_orders o WHERE o.status = 'active' AND o.start_day <= ?",
                   "ii", day0, today);
    store_sql_area(&q, "o", f->area);
    store_sql_add(&q, " ORDER BY o.commune_code", "");
    return store_sql_query(s, st, &q);
}

/* ---------------------------------------------------------------- an order's check-ins and photos */

enum store_rc quarantine__checkins_query(struct store *s, int64_t order_id, struct store_stmt **st)
{
    return store_query(s, st,
                       "SELECT c.id, c.slot_start, c.at, c.lat_e6, c.lon_e6, c.distance_m, c.inside,"
                       " (SELECT COUNT(*) FROM quarantine_photos p WHERE p.checkin_id = c.id), c.in_slot"
                       " FROM quarantine_checkins c WHERE c.order_id = ? ORDER BY c.at",
                       "i", order_id);
}

enum store_rc quarantine__photo_query(struct store *s, int64_t checkin_id, struct store_stmt **st)
{
    return store_query(s, st,
                       "SELECT p.media_type, p.data, o.commune_code FROM quarantine_photos p"
                       " JOIN quarantine_orders o ON o.id = p.order_id WHERE p.checkin_id = ?",
                       "i", checkin_id);
}

/* Distinct slots of order_id starting at or after since that got a check-in inside the radius, as starts. */
enum store_rc quarantine__answered_slots(struct store *s, int64_t order_id, int64_t since, int64_t *starts,
                                         int max, int *n)
{
    struct store_stmt *st;
    *n = 0;
    enum store_rc rc =
        store_query(s, &st,
                    "SELECT DISTINCT slot_start FROM quarantine_checkins WHERE order_id = ? AND inside = 1"
                    " AND in_slot = 1 AND slot_start >= ?",
                    "ii", order_id, since);
    if (rc)
        return rc;
    while ((rc = store_step(st)) == STORE_ROW)
        if (*n < max)
            starts[(*n)++] = store_col_int(st, 0);
    store_finalize(st);
    return rc == STORE_DONE ? STORE_OK : rc;
}


/* ---------------------------------------------------------------- orders from tracing's decisions */

/*
 * One person has at most one active order: a new exposure extends the one
 * running (its end moves to the later of the two) instead of starting a second
 * order, which would double the reminders and raise false "missed" alerts.
 */
static enum store_rc order_for_f1(struct store *s, const struct tracing_f1_order *f1, int64_t now)
{
    const struct tracing_policy *pol = f1->policy;
    int64_t end = f1->start_day + pol->quarantine_days - 1, running = 0;
    enum store_rc rc = store_int(s, &running,
                                 "SELECT id FROM quarantine_orders WHERE person_id = ? AND status = 'active'"
                                 " ORDER BY id LIMIT 1",
                                 "i", f1->person_id);
    if (rc == STORE_OK)
        return store_run(s, NULL,
                         "UPDATE quarantine_orders SET end_day = ?, updated_at = ? WHERE id = ? AND end_day < ?", "iiii",
                         end, now, running, end);
    if (rc != STORE_DONE)
        return rc;
    char cid[64];
    snprintf(cid, sizeof(cid), "policy-%lld-%lld", (long long)f1->case_id, (long long)f1->person_id);
    struct quarantine_order_new o = {
        .client_id = cid,
        .person_id = f1->person_id,
        .case_id = f1->case_id,
        .kind = pol->place_kind,
        .start_day = f1->start_day,
        .end_day = end,
        .checkins_per_day = pol->checkins_per_day,
        .radius_m = pol->radius_m,
        .grace_minutes = pol->grace_minutes,
        .province_code = f1->province_code,
        .district_code = f1->district_code,
        .commune_code = f1->commune_code,
    };
    int64_t id;
    bool created;
    return quarantine_order_insert(s, &o, now, &id, &created);
}

void quarantine_follow_tracing(void)
{
    tracing_on_new_f1(order_for_f1);
}

/* ---------------------------------------------------------------- compliance */

enum store_rc quarantine_compliance(struct store *s, const char *area, int64_t now, json_t **out)
{
    int64_t today = vn_day(now);
    struct quarantine_filter f = {.area = area};
    struct store_stmt *st;
    int64_t day0 = vn_day_start(today);
    enum store_rc rc = quarantine__compliance_query(s, &f, day0, today, &st);
    json_t *arr = json_array();
    json_t *cur = NULL;
    char commune[8] = "";
    while (rc == STORE_OK && (rc = store_step(st)) == STORE_ROW) {
        rc = STORE_OK;
        const char *cc = store_col_text(st, 0) ? store_col_text(st, 0) : "";
        if (!cur || strcmp(cc, commune)) {
            snprintf(commune, sizeof(commune), "%s", cc);
            cur = json_pack("{s:s, s:i, s:i, s:i, s:i, s:i}", "commune_code", cc, "active_orders", 0, "slots_due", 0,
                            "slots_answered", 0, "checkins_today", 0, "open_alerts", 0);
            json_array_append_new(arr, cur);
        }
        int per = (int)store_col_int(st, 2);
        int64_t starts[48];
        int nstarts = 0, due = 0, answered = 0;
        rc = quarantine__answered_slots(s, store_col_int(st, 1), day0, starts, 48, &nstarts);
        for (int k = 0; k < per && !rc; k++) {
            int64_t s0, s1;
            quarantine_slot_of_day(per, today, k, &s0, &s1);
            if (s1 > now || s0 < store_col_int(st, 3))
                continue;
            due++;
            for (int j = 0; j < nstarts; j++)
                if (starts[j] == s0) {
                    answered++;
                    break;
                }
        }
#define ADD(key, v) json_object_set_new(cur, key, json_integer(json_integer_value(json_object_get(cur, key)) + (v)))
        ADD("active_orders", 1);
        ADD("slots_due", due);
        ADD("slots_answered", answered);
        ADD("checkins_today", store_col_int(st, 4));
        ADD("open_alerts", store_col_int(st, 5));
#undef ADD
    }
    store_finalize(st);
    if (rc != STORE_DONE) {
        json_decref(arr);
        return rc;
    }
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) {
        json_int_t due = json_integer_value(json_object_get(v, "slots_due"));
        json_int_t answered = json_integer_value(json_object_get(v, "slots_answered"));
        json_object_set_new(v, "compliance", due ? json_real((double)answered / (double)due) : json_null());
    }
    *out = arr;
    return STORE_OK;
}

enum store_rc quarantine_person_active(struct store *s, int64_t person_id, int64_t day, bool *active)
{
    int64_t n = 0;
    enum store_rc rc = store_int(s, &n,
                                 "SELECT count(*) FROM quarantine_orders WHERE person_id = ? AND status = ?"
                                 " AND start_day <= ? AND end_day >= ?",
                                 "isii", person_id, "active", day, day);
    *active = n > 0;
    return rc;
}

enum store_rc quarantine_timeline(struct store *s, int64_t person_id, int64_t limit, json_t *entries)
{
    struct store_stmt *st;
    enum store_rc rc = store_query(s, &st,
                                   "SELECT created_at AS at, id, case_id, kind AS order_kind, status"
                                   " FROM quarantine_orders WHERE person_id = ? ORDER BY created_at DESC, id DESC LIMIT ?",
                                   "ii", person_id, limit);
    return people_timeline_rows(st, rc, "quarantine_order", "iiiss", entries);
}
