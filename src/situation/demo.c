/*
 * demo.c - a week of history for `cordon demo`: cases confirmed on each of
 * the last seven days in two districts of Hà Nội (Hoàn Kiếm and Đống Đa),
 * so the situation page shows a week's figures at first login (Ba Đình has
 * the traced cases of today).  Each case
 * is a person of its own, found again by CCCD on a rerun; cases are found
 * again by client id.
 */
#include <stdio.h>

#include "area/unit.h"
#include "core/arena.h"
#include "core/clock.h"
#include "people/people_int.h"
#include "situation/situation.h"
#include "store/store.h"
#include "tracing/tracing_int.h"

/* Cases confirmed N days ago (index 0: yesterday) in each commune. */
static const struct {
    const char *commune;
    int per_day[7];
} HISTORY[] = {
    {"00178", {1, 0, 1, 2, 0, 1, 0}}, /* Cát Linh, Đống Đa */
    {"00181", {0, 1, 1, 0, 1, 0, 1}}, /* Văn Miếu, Đống Đa */
    {"00037", {2, 1, 0, 1, 1, 0, 0}}, /* Phúc Tân, Hoàn Kiếm */
    {"00040", {1, 1, 2, 0, 0, 1, 0}}, /* Đồng Xuân, Hoàn Kiếm */
};

static const char *const NAMES[] = {"Trần Văn Bảo", "Lê Thị Cúc", "Phạm Minh Đức", "Hoàng Thị Hà",
                                    "Vũ Văn Khánh", "Đặng Thị Lan", "Bùi Văn Nam", "Đỗ Thị Oanh"};

static int demo_person(struct store *s, struct arena *a, const char *commune, int n, int64_t *id)
{
    /* CCCD: Hà Nội (001), sex and century digit, year of birth, a serial */
    char cccd[16];
    snprintf(cccd, sizeof cccd, "001%d%s9%05d", n % 2 ? 0 : 1, n % 3 ? "78" : "50", n);
    struct people_input in = {.date_of_birth = n % 3 ? "1978-05-20" : "1950-11-02",
                              .sex = n % 2 ? "male" : "female",
                              .cccd = cccd,
                              .commune_code = commune,
                              .street = "Phố Demo"};
    people__set_name(&in, NAMES[n % (int)(sizeof NAMES / sizeof NAMES[0])]);
    struct person p;
    struct fault f;
    int rc = people__find_duplicate(s, a, &in, &p, &f);
    if (rc == STORE_OK) {
        *id = p.id;
        return STORE_OK;
    }
    if (rc != STORE_DONE)
        return rc;
    return people__insert(s, &in, 0, 0, id);
}

/*
 * Populations for coverage (rounded 2019 census figures for Hà Nội and its
 * districts; commune figures are illustrative): loaded once, an official's
 * upload is never overwritten.  Trúc Bạch has none, to show "unknown".
 */
static const struct {
    const char *unit;
    int64_t people[POP_NBANDS];
} POPULATIONS[] = {
    {"01", {8246600, 6020000, 2140000, 700000}}, {"001", {221900, 170800, 62100, 21000}},
    {"002", {135600, 106500, 40700, 14900}},     {"006", {371600, 287900, 100300, 33400}},
    {"00001", {23800, 17400, 5900, 1900}},       {"00037", {6500, 5100, 2000, 700}},
    {"00040", {11000, 8600, 3300, 1200}},        {"00178", {9900, 7700, 2800, 900}},
    {"00181", {7700, 6000, 2300, 800}},
};

static int demo_populations(struct store *s, int64_t now)
{
    int rc = STORE_OK;
    for (size_t i = 0; i < sizeof POPULATIONS / sizeof POPULATIONS[0] && !rc; i++)
        for (int b = 0; b < POP_NBANDS && !rc; b++)
            rc = store_run(s, NULL,
                           "INSERT INTO populations (unit_code, band, people, updated_at) VALUES (?, ?, ?, ?)"
                           " ON CONFLICT (unit_code, band) DO NOTHING",
                           "ssii", POPULATIONS[i].unit, POP_BANDS[b], POPULATIONS[i].people[b], now);
    return rc;
}

int situation_demo(struct store *s)
{
    struct arena a;
    arena_init(&a);
    int64_t now = clock_now(), today = vn_day(now);
    int rc = demo_populations(s, now), n = 0;
    for (size_t c = 0; c < sizeof HISTORY / sizeof HISTORY[0] && !rc; c++) {
        const struct unit *u = unit_find(HISTORY[c].commune);
        if (!u) {
            rc = STORE_ERROR;
            break;
        }
        for (int d = 0; d < 7 && !rc; d++)
            for (int k = 0; k < HISTORY[c].per_day[d] && !rc; k++) {
                int64_t person, id;
                rc = demo_person(s, &a, u->code, ++n, &person);
                if (rc)
                    break;
                char client_id[32];
                snprintf(client_id, sizeof client_id, "demo-week-case-%d", n);
                int64_t day_start = vn_day_start(today - 1 - d);
                const struct tracing_case_new in = {.client_id = client_id,
                                                    .person_id = person,
                                                    .confirmed_at = day_start + 15 * 3600,
                                                    .sample_at = day_start + 8 * 3600,
                                                    .isolated_at = day_start + 16 * 3600,
                                                    .province_code = u->province,
                                                    .district_code = u->district,
                                                    .commune_code = u->code};
                bool created;
                rc = tracing_case_insert(s, &in, now, &id, &created);
            }
    }
    arena_release(&a);
    return rc;
}
