/*
 * demo.c - the safety map's demo: facilities of each colour in Ba Đình.
 * The market of Phúc Xá is at risk, the noodle shop and the Trúc Bạch school
 * safe, the clinic assessed itself safe but the commune's inspection found it
 * unsafe, the factory is on the map but has not assessed today, and the
 * office has no place yet (on the commune's "not assessed" list only).
 * Assessments are today's: a rerun replaces them.
 */
#include <string.h>

#include "area/unit.h"
#include "core/clock.h"
#include "safety/safety.h"

/* One facility: its place, and a self-assessment meeting the first `met` checks (or none). */
static int facility(struct store *s, const struct safety_rules *rules, int64_t venue, const char *commune,
                    int64_t lat, int64_t lon, int met_count, int64_t by, int64_t now)
{
    const struct unit *u = unit_find(commune);
    int rc = safety_place_set(s, venue, lat, lon, now);
    if (rc || met_count < 0)
        return rc;
    bool met[SAFETY_MAX_CHECKS] = {false};
    char joined[SAFETY_MAX_CHECKS * 33] = "";
    for (int i = 0; i < rules->nchecks && i < met_count; i++) {
        met[i] = true;
        if (i)
            strcat(joined, ",");
        strcat(joined, rules->checks[i].code);
    }
    int score = safety_score(rules, met);
    struct safety_assessment a = {.venue_id = venue, .day = vn_day(now), .by = by, .kind = "self", .checks = joined,
                                  .status = safety_status(rules, score), .score = score,
                                  .province_code = u->province, .district_code = u->district,
                                  .commune_code = u->code, .created_at = now};
    return safety_assessment_put(s, &a);
}

int safety_demo(struct store *s, int64_t owner, int64_t official, const int64_t *venues, int n)
{
    /* venues: market, noodle shop (Phúc Xá); school, clinic, factory, office (Trúc Bạch) */
    if (n < 6)
        return STORE_ERROR;
    struct safety_rules rules;
    int64_t now = clock_now();
    int rc = safety_rules_load(s, &rules);
    if (!rc) /* masks, distancing, hand-washing, QR posted: 50 of 100 */
        rc = facility(s, &rules, venues[0], "00001", 21046100, 105847500, 4, owner, now);
    if (!rc)
        rc = facility(s, &rules, venues[1], "00001", 21045200, 105846200, rules.nchecks, owner, now);
    if (!rc)
        rc = facility(s, &rules, venues[2], "00004", 21044000, 105840300, rules.nchecks, owner, now);
    if (!rc)
        rc = facility(s, &rules, venues[3], "00004", 21043100, 105842800, rules.nchecks, owner, now);
    if (!rc) {
        const struct unit *u = unit_find("00004");
        struct safety_assessment a = {.venue_id = venues[3], .day = vn_day(now), .by = official, .kind = "inspection",
                                      .checks = "", .score = -1, .status = "unsafe",
                                      .note = "Kiểm tra tại chỗ: không khai báo y tế khi vào, phòng chờ đông.",
                                      .province_code = u->province, .district_code = u->district,
                                      .commune_code = u->code, .created_at = now};
        rc = safety_assessment_put(s, &a);
    }
    if (!rc)
        rc = facility(s, &rules, venues[4], "00004", 21045600, 105841100, -1, owner, now);
    return rc;
}
