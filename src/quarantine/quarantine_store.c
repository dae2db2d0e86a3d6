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
}

#define ORDER_COLUMNS                                                                                                 \
    "id, person_id, case_id, kind, address, lat_e6, lon_e6, start_day, end_day, checkins_per_day, radius_m,"        \
    " grace_minutes, status, commune_code, district_code, province_code, created_at"

enum store_rc quarantine__order_get(struct store *s, int64_t id, struct quarantine_order *out)
{
    return store_get(s, read_order, out, "SELECT " ORDER_COLUMNS " FROM quarantine_orders WHERE id = ?", "i", id);
}

enum store_rc quarantine__orders_query(struct store *s, struct arena *a, const char *where, const char *types,
                                       int64_t limit, const char *arg, struct quarantine_order **out, int *n)
{
    char sql[512];
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
    struct arena a;
    arena_init(&a);
    struct person p;
    rc = people_get(s, &a, o->person_id, &p);
    if (rc == STORE_OK && p.phone) {
        char body[200];
        snprintf(body, sizeof(body),
                 !strcmp(kind, "missed")
                     ? "Cordon: ban chua diem danh cach ly (lenh %lld). Vui long diem danh ngay bang anh va vi tri."
                     : "Cordon: vi tri diem danh cach ly (lenh %lld) o ngoai noi cach ly. Tram y te xa se lien he.",
                 (long long)o->id);
        rc = notify_queue(s, "sms", p.phone, "quarantine_reminder", body, NULL);
    } else if (rc == STORE_DONE) {
        rc = STORE_OK;
    }
    arena_release(&a);
    return rc;
}

/* ------------------------------------------------------------ the monitor job */

#define JOB_MAX_ORDERS 5000 /* orders looked at per run; the next run goes on */

struct monitor_ctx {
    int64_t now;
    int64_t alerts, ended, photos;
};

static int monitor_tx(struct store *s, void *arg)
{
    struct monitor_ctx *m = arg;
    int64_t today = vn_day(m->now);
    /* orders past their end: ended, photos deleted */
    int64_t n = 0;
    int rc = store_run(s, &n,
                       "DELETE FROM quarantine_photos WHERE order_id IN (SELECT id FROM quarantine_orders"
                       " WHERE status <> 'active' OR end_day < ?)",
                       "i", today);
    m->photos += n;
    if (!rc)
        rc = store_run(s, &n,
                       "UPDATE quarantine_orders SET status = 'ended', photos_deleted_at = ?, updated_at = ?"
                       " WHERE status = 'active' AND end_day < ?",
                       "iii", m->now, m->now, today);
    m->ended += n;
    if (rc)
        return rc;
    struct arena a;
    arena_init(&a);
    struct quarantine_order *orders;
    int count;
    rc = quarantine__orders_query(s, &a, "status = 'active' AND start_day <= ?", "i", JOB_MAX_ORDERS,
                                  (const char *)&today, &orders, &count);
    for (int i = 0; i < count && !rc; i++) {
        struct quarantine_order *o = &orders[i];
        /* slots of yesterday and today that ended more than grace ago, after the order was made */
        for (int64_t day = today - 1; day <= today && !rc; day++) {
            if (day < o->start_day || day > o->end_day)
                continue;
            for (int k = 0; k < o->checkins_per_day && !rc; k++) {
                int64_t s0, s1;
                quarantine_slot_of_day(o->checkins_per_day, day, k, &s0, &s1);
                if (s0 < o->created_at || s1 + (int64_t)o->grace_minutes * 60 > m->now)
                    continue;
                int64_t made = 0;
                rc = store_int(s, &made,
                               "SELECT COUNT(*) FROM quarantine_checkins WHERE order_id = ? AND slot_start = ?", "ii",
                               o->id, s0);
                if (!rc && made == 0) {
                    bool raised;
                    rc = quarantine__alert(s, o, "missed", s0,
                                           "không điểm danh trong khung giờ / no check-in in the slot", m->now, &raised);
                    m->alerts += raised;
                }
            }
        }
    }
    arena_release(&a);
    return rc;
}

int quarantine_job_monitor(struct store *s, int64_t now, const char **detail)
{
    static _Thread_local char msg[128];
    struct monitor_ctx m = {.now = now};
    int rc = store_tx(s, monitor_tx, &m);
    snprintf(msg, sizeof(msg), "%lld alerts, %lld orders ended, %lld photos deleted", (long long)m.alerts,
             (long long)m.ended, (long long)m.photos);
    *detail = msg;
    log_info("msg=\"quarantine monitor\" alerts=%lld ended=%lld photos=%lld", (long long)m.alerts,
             (long long)m.ended, (long long)m.photos);
    return rc;
}

enum store_rc quarantine__checkin_record(struct store *s, struct quarantine_checkin *c)
{
    int64_t slot_end;
    quarantine_slot(c->o->checkins_per_day, c->at, &c->slot, &slot_end);
    if (c->o->has_place) {
        c->distance = (int64_t)llround(quarantine_distance_m(c->o->lat_e6, c->o->lon_e6, c->lat, c->lon));
        c->inside = c->distance <= c->o->radius_m;
    } else {
        c->inside = true;
    }
    c->created = false;
    enum store_rc rc =
        c->o->has_place
            ? store_int(
                  s, &c->id,
                  "INSERT INTO quarantine_checkins (client_id, order_id, slot_start, at, lat_e6, lon_e6,"
                  " accuracy_m, distance_m, inside) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                  " ON CONFLICT (order_id, client_id) DO NOTHING RETURNING id",
                  "siiiiiiii", c->client_id, c->o->id, c->slot, c->at, c->lat, c->lon, c->accuracy,
                  c->distance, (int64_t)c->inside)
            : store_int(
                  s, &c->id,
                  "INSERT INTO quarantine_checkins (client_id, order_id, slot_start, at, lat_e6, lon_e6,"
                  " accuracy_m, inside) VALUES (?, ?, ?, ?, ?, ?, ?, 1)"
                  " ON CONFLICT (order_id, client_id) DO NOTHING RETURNING id",
                  "siiiiii", c->client_id, c->o->id, c->slot, c->at, c->lat, c->lon, c->accuracy);
    if (rc == STORE_DONE)
        return store_int(s, &c->id, "SELECT id FROM quarantine_checkins WHERE order_id = ? AND client_id = ?", "is",
                         c->o->id, c->client_id);
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

/* ---------------------------------------------------------------- lists of an area */

enum store_rc quarantine__order_ids(struct store *s, const struct quarantine_filter *f, int64_t *ids, int max,
                                    int *n)
{
    struct store_sql q;
    store_sql_init(&q, "SELECT o.id FROM quarantine_orders o WHERE o.status = ?", "s", f->status);
    store_sql_area(&q, "o", f->area);
    store_sql_add(&q, " ORDER BY o.id DESC LIMIT ?", "i", f->limit);
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

enum store_rc quarantine__alerts_query(struct store *s, const struct quarantine_filter *f,
                                       struct store_stmt **st)
{
    struct store_sql q;
    store_sql_init(&q,
                   "SELECT a.id, a.order_id, a.person_id, a.kind, a.slot_start, a.detail, a.commune_code, a.created_at,"
                   " p.full_name, p.phone FROM quarantine_alerts a LEFT JOIN persons p ON p.id = a.person_id"
                   " WHERE 1 = 1",
                   "");
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
                       " (SELECT COUNT(*) FROM quarantine_photos p WHERE p.checkin_id = c.id)"
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
                    " AND slot_start >= ?",
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
