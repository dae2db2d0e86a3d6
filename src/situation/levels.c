/*
 * levels.c - epidemic levels 1 (green) to 4 (red) of each unit and day.
 *
 * The rules are data (table level_rules, edited by national admins); the
 * default is the 2021 guidance: new community cases per 100,000 people over
 * the 7 days up to the day (below 20: 1, 20-50: 2, 50-150: 3, 150 and more:
 * 4), raised by one when a vaccination coverage the rules name is known and
 * below its minimum.  A unit whose population is unknown has no computed
 * level.  Raises (table level_raises) set a higher level for a span of days,
 * with a reason; the level of a day is the higher of the two.
 *
 * Levels are computed from the figures of the day when asked, so the history
 * of a unit is the level of each past day under the rules in force now.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin/role.h"
#include "area/scope.h"
#include "area/unit.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "core/jsonin.h"
#include "http/http.h"
#include "http/reply_cache.h"
#include "situation/situation.h"
#include "store/store.h"

#define DEFAULT_RULES                                                                                              \
    "{\"case_thresholds\": [20, 50, 150],"                                                                         \
    " \"coverage_rules\": [{\"figure\": \"coverage_dose1_18\", \"min\": 0.7},"                                     \
    " {\"figure\": \"coverage_full_65\", \"min\": 0.8}]}"

#define MAX_COVERAGE_RULES 8

struct rules {
    double t[3];
    int ncov;
    struct {
        const char *figure;
        double min;
    } cov[MAX_COVERAGE_RULES];
    json_t *json; /* owns the strings above */
};

static const char *const COVERAGE_FIGURES[] = {"coverage_dose1",    "coverage_full",     "coverage_booster",
                                               "coverage_dose1_18", "coverage_dose1_50", "coverage_dose1_65",
                                               "coverage_full_18",  "coverage_full_50",  "coverage_full_65"};

/* Checks rules JSON; fills out (borrowing from j). Faults name the field. */
static int rules_parse(json_t *j, struct rules *out, struct fault *f)
{
    static const char *const fields[] = {"case_thresholds", "coverage_rules", NULL};
    if (!json_is_object(j))
        return fault_set(f, ERR_INVALID_FIELD, "rules", "rules must be an object");
    int rc = jsonin_allow(j, fields, f);
    if (rc)
        return rc;
    json_t *t = json_object_get(j, "case_thresholds");
    if (!json_is_array(t) || json_array_size(t) != 3)
        return fault_set(f, ERR_INVALID_FIELD, "case_thresholds",
                         "case_thresholds must be three numbers: the lower bounds of levels 2, 3 and 4");
    for (int i = 0; i < 3; i++) {
        json_t *v = json_array_get(t, (size_t)i);
        if (!json_is_number(v) || json_number_value(v) <= 0 || json_number_value(v) > 100000 ||
            (i && json_number_value(v) <= out->t[i - 1]))
            return fault_set(f, ERR_INVALID_FIELD, "case_thresholds",
                             "case_thresholds must rise, each above 0 and at most 100000 cases per 100,000");
        out->t[i] = json_number_value(v);
    }
    json_t *c = json_object_get(j, "coverage_rules");
    out->ncov = 0;
    if (c && !json_is_array(c))
        return fault_set(f, ERR_INVALID_FIELD, "coverage_rules", "coverage_rules must be a list");
    if (json_array_size(c) > MAX_COVERAGE_RULES)
        return fault_set(f, ERR_INVALID_FIELD, "coverage_rules", "at most %d coverage rules", MAX_COVERAGE_RULES);
    for (size_t i = 0; i < json_array_size(c); i++) {
        json_t *e = json_array_get(c, i), *fig = json_object_get(e, "figure"), *min = json_object_get(e, "min");
        bool known = false;
        for (size_t k = 0; json_is_string(fig) && k < sizeof COVERAGE_FIGURES / sizeof *COVERAGE_FIGURES; k++)
            known = known || !strcmp(json_string_value(fig), COVERAGE_FIGURES[k]);
        if (!json_is_object(e) || json_object_size(e) != 2 || !known || !json_is_number(min) ||
            json_number_value(min) <= 0 || json_number_value(min) > 1)
            return fault_set(f, ERR_INVALID_FIELD, "coverage_rules",
                             "each coverage rule is {figure: a coverage figure, min: a share above 0, at most 1}");
        out->cov[out->ncov].figure = json_string_value(fig);
        out->cov[out->ncov++].min = json_number_value(min);
    }
    return 0;
}

/* The rules in force: the stored row, else the default. */
static int rules_load(struct store *s, struct rules *out)
{
    memset(out, 0, sizeof *out);
    struct store_stmt *st;
    int rc = store_query(s, &st, "SELECT rules FROM level_rules WHERE id = 1", "");
    json_t *j = NULL;
    if (!rc && (rc = store_step(st)) == STORE_ROW) {
        j = json_loads(store_col_text(st, 0), 0, NULL);
        rc = STORE_DONE;
    }
    store_finalize(st);
    if (rc != STORE_DONE)
        return rc;
    if (!j)
        j = json_loads(DEFAULT_RULES, 0, NULL);
    struct fault f = {0};
    if (!j || rules_parse(j, out, &f)) {
        json_decref(j);
        return STORE_ERROR;
    }
    out->json = j;
    return STORE_OK;
}

/* The computed level of one group of figures: {level|null, cases_7d_per_100k|null, coverage_low}. */
static json_t *computed_level(const struct rules *ru, json_t *fig, int *level)
{
    json_t *pop = json_object_get(json_object_get(fig, "population"), "all");
    int64_t cases = json_integer_value(json_object_get(json_object_get(fig, "new_f0_community"), "7d"));
    *level = 0;
    if (!json_is_integer(pop) || json_integer_value(pop) <= 0)
        return json_pack("{s:n, s:n, s:b}", "level", "cases_7d_per_100k", "coverage_low", 0);
    double rate = (double)cases * 100000.0 / (double)json_integer_value(pop);
    int lv = rate < ru->t[0] ? 1 : rate < ru->t[1] ? 2 : rate < ru->t[2] ? 3 : 4;
    bool low = false;
    for (int i = 0; i < ru->ncov; i++) {
        json_t *v = json_object_get(fig, ru->cov[i].figure);
        if (json_is_number(v) && json_number_value(v) < ru->cov[i].min)
            low = true;
    }
    if (low && lv < 4)
        lv++;
    *level = lv;
    return json_pack("{s:i, s:f, s:b}", "level", lv, "cases_7d_per_100k", round(rate * 10) / 10, "coverage_low", low);
}

/* The highest raise of unit on day, with its reason; 0 when none. */
static int raise_of(struct store *s, const char *unit, int64_t day, int *level, json_t **reason)
{
    *level = 0;
    *reason = json_null();
    struct store_stmt *st;
    int rc = store_query(s, &st,
                         "SELECT level, reason FROM level_raises WHERE unit_code = ? AND from_day <= ? AND to_day >= ?"
                         " ORDER BY level DESC, id DESC LIMIT 1",
                         "sii", unit, day, day);
    if (!rc && (rc = store_step(st)) == STORE_ROW) {
        *level = (int)store_col_int(st, 0);
        json_decref(*reason);
        *reason = json_string(store_col_text(st, 1));
        rc = STORE_DONE;
    }
    store_finalize(st);
    return rc == STORE_DONE ? STORE_OK : rc;
}

static int level_json(struct store *s, const struct rules *ru, const char *code, const char *name, json_t *fig,
                      int64_t day, json_t **out)
{
    int computed, raised;
    json_t *reason, *c = computed_level(ru, fig, &computed);
    int rc = raise_of(s, code, day, &raised, &reason);
    if (rc) {
        json_decref(c);
        return rc;
    }
    int lv = raised > computed ? raised : computed;
    *out = json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o}", "code", code, "name", name, "level",
                     lv ? json_integer(lv) : json_null(), "computed_level", json_incref(json_object_get(c, "level")),
                     "cases_7d_per_100k", json_incref(json_object_get(c, "cases_7d_per_100k")), "coverage_low",
                     json_incref(json_object_get(c, "coverage_low")), "raised_level",
                     raised ? json_integer(raised) : json_null(), "raise_reason", reason);
    json_decref(c);
    return STORE_OK;
}

#define HISTORY_MAX 31

/*
 * The public answer is the same for everyone and costs up to 31 days of
 * figures: a crowd asking for the same unit and day is answered from what
 * was computed in the last minute.  Rules, raises and populations forget
 * it at once (on this server; others within the minute); new cases show
 * within the minute.
 */
#define PUBLIC_LEVELS_SECONDS 60
static struct reply_cache public_levels = REPLY_CACHE_INIT(PUBLIC_LEVELS_SECONDS);

void situation_levels_changed(void)
{
    reply_cache_forget(&public_levels);
}

/* GET /api/v1/public/levels?unit=CODE&date=&days= (public) */
enum err situation_handle_public_levels(struct http_req *r)
{
    const struct unit *u;
    const char *code = http_query(r, "unit");
    int rc = unit_check(code && *code ? code : UNIT_NATION, "unit", ERR_INVALID_FIELD, &u, &r->fault);
    if (rc)
        return rc;
    int64_t today = vn_day(clock_now()), day = today, days;
    const char *date = http_query(r, "date");
    if (date && *date && (!vn_date_parse(date, &day) || day > today))
        return http_fail(r, ERR_INVALID_FIELD, "date", "date must be a real date YYYY-MM-DD, not after today");
    rc = http_query_int(r, "days", 1, HISTORY_MAX, 14, &days);
    if (rc)
        return rc;
    char key[REPLY_CACHE_KEY];
    snprintf(key, sizeof key, "%s|%lld|%lld", u->code, (long long)day, (long long)days);
    if (reply_cache_send(&public_levels, key, r))
        return 0;
    struct rules ru;
    rc = rules_load(r->store, &ru);
    json_t *rows = json_array(), *history = json_array(), *self = NULL;
    for (int64_t d = day - days + 1; d <= day && !rc; d++) {
        json_t *fig = NULL, *lv = NULL;
        rc = situation_figures(r->store, u, d, &fig);
        if (!rc)
            rc = level_json(r->store, &ru, u->code, u->name_with_type, json_object_get(fig, "total"), d, &lv);
        if (!rc) {
            char ds[11];
            vn_date_format(d, ds);
            json_object_set_new(lv, "date", json_string(ds));
            if (d == day) {
                self = json_deep_copy(lv);
                json_t *fr = json_object_get(fig, "rows");
                for (size_t i = 0; i < json_array_size(fr) && !rc && u->level < 3; i++) {
                    json_t *row = json_array_get(fr, i), *x;
                    rc = level_json(r->store, &ru, json_string_value(json_object_get(row, "code")),
                                    json_string_value(json_object_get(row, "name")), json_object_get(row, "figures"),
                                    d, &x);
                    if (!rc)
                        json_array_append_new(rows, x);
                }
            }
            json_object_del(lv, "code");
            json_object_del(lv, "name");
            json_array_append_new(history, lv);
        }
        json_decref(fig);
    }
    if (rc) {
        json_decref(rows);
        json_decref(history);
        json_decref(self);
        json_decref(ru.json);
        return store_err(rc);
    }
    char ds[11];
    vn_date_format(day, ds);
    json_t *out = json_pack("{s:s, s:o, s:o, s:o, s:O}", "date", ds, "unit", self, "rows", rows, "history", history,
                            "rules", ru.json);
    json_decref(ru.json);
    rc = http_reply_json(r, 200, out);
    if (!rc)
        reply_cache_keep(&public_levels, key, r);
    return rc;
}

/* GET /api/v1/levels/rules (officials) */
enum err situation_handle_level_rules(struct http_req *r)
{
    struct rules ru;
    int rc = rules_load(r->store, &ru);
    if (rc)
        return store_err(rc);
    return http_reply_json(r, 200, ru.json);
}

struct rules_ctx {
    struct http_req *r;
    const char *text;
};

static int rules_tx(struct store *s, void *p)
{
    struct rules_ctx *c = p;
    int rc = store_run(s, NULL,
                       "INSERT INTO level_rules (id, rules, updated_by, updated_at) VALUES (1, ?, ?, ?)"
                       " ON CONFLICT (id) DO UPDATE SET rules = excluded.rules, updated_by = excluded.updated_by,"
                       " updated_at = excluded.updated_at",
                       "sii", c->text, c->r->who->account_id, clock_now());
    if (!rc)
        rc = audit_request(c->r, "levels.rules.update", "level_rules", "1", UNIT_NATION);
    return rc;
}

/* PUT /api/v1/levels/rules {case_thresholds, coverage_rules} (national admins) */
enum err situation_handle_level_rules_put(struct http_req *r)
{
    static const char *const fields[] = {"case_thresholds", "coverage_rules", NULL};
    json_t *body;
    int rc = http_read_json(r, fields, &body);
    if (rc)
        return rc;
    struct rules ru;
    rc = rules_parse(body, &ru, &r->fault);
    if (rc)
        return rc;
    json_t *keep = json_pack("{s:O, s:O}", "case_thresholds", json_object_get(body, "case_thresholds"),
                             "coverage_rules",
                             json_object_get(body, "coverage_rules") ? json_object_get(body, "coverage_rules")
                                                                     : json_array());
    char *text = json_dumps(keep, JSON_COMPACT);
    struct rules_ctx c = {.r = r, .text = text};
    rc = store_tx(r->store, rules_tx, &c);
    free(text);
    if (rc) {
        json_decref(keep);
        return r->fault.code ? r->fault.code : store_err(rc);
    }
    situation_levels_changed();
    return http_reply_json(r, 200, keep);
}

struct raise_ctx {
    struct http_req *r;
    const char *unit, *reason;
    int64_t level, from, to, id;
};

static int raise_tx(struct store *s, void *p)
{
    struct raise_ctx *c = p;
    int rc = store_int(s, &c->id,
                       "INSERT INTO level_raises (unit_code, level, from_day, to_day, reason, raised_by, created_at)"
                       " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                       "siiisii", c->unit, c->level, c->from, c->to, c->reason, c->r->who->account_id, clock_now());
    if (!rc)
        rc = audit_request(c->r, "levels.raise", "level_raise", NULL, c->unit);
    return rc;
}

/* POST /api/v1/levels/raises {unit, level, reason, from?, days?} (national and province admins, in their area) */
enum err situation_handle_level_raise(struct http_req *r)
{
    static const char *const fields[] = {"unit", "level", "reason", "from", "days", NULL};
    json_t *body;
    struct raise_ctx c = {.r = r};
    const char *from = NULL;
    int64_t days;
    bool present;
    const struct unit *u;
    int rc = http_read_json(r, fields, &body);
    if (!rc)
        rc = jsonin_str(body, "unit", true, 8, &c.unit, &r->fault);
    if (!rc)
        rc = unit_check(c.unit, "unit", ERR_INVALID_FIELD, &u, &r->fault);
    if (!rc)
        rc = jsonin_int(body, "level", true, 2, 4, &c.level, &present, &r->fault);
    if (!rc)
        rc = jsonin_str(body, "reason", true, 500, &c.reason, &r->fault);
    if (!rc)
        rc = jsonin_str(body, "from", false, 10, &from, &r->fault);
    if (!rc)
        rc = jsonin_int(body, "days", false, 1, 90, &days, &present, &r->fault);
    if (rc)
        return rc;
    if (!present)
        days = 7;
    if (!*c.reason)
        return http_fail(r, ERR_INVALID_FIELD, "reason", "reason must say why the level is raised");
    c.from = vn_day(clock_now());
    if (from && !vn_date_parse(from, &c.from))
        return http_fail(r, ERR_INVALID_FIELD, "from", "from must be a real date YYYY-MM-DD");
    if (u->level == 0)
        return http_fail(r, ERR_INVALID_FIELD, "unit", "a level is raised for a province, district or commune");
    rc = area_require(r, u->code);
    if (rc)
        return rc;
    c.unit = u->code;
    c.to = c.from + days - 1;
    rc = store_tx(r->store, raise_tx, &c);
    if (rc)
        return r->fault.code ? r->fault.code : store_err(rc);
    situation_levels_changed();
    char f[11], t[11];
    vn_date_format(c.from, f);
    vn_date_format(c.to, t);
    return http_reply_json(r, 201,
                           json_pack("{s:I, s:s, s:I, s:s, s:s, s:s}", "id", (json_int_t)c.id, "unit", c.unit, "level",
                                     (json_int_t)c.level, "from", f, "to", t, "reason", c.reason));
}

int situation_level(struct store *s, const char *code, json_t *fig, int64_t day, int *level)
{
    struct rules ru;
    int rc = rules_load(s, &ru);
    json_t *out = NULL;
    if (!rc)
        rc = level_json(s, &ru, code, code, fig, day, &out);
    *level = rc ? 0 : (int)json_integer_value(json_object_get(out, "level"));
    json_decref(out);
    json_decref(ru.json);
    return rc;
}
