/*
 * work_store.c - the counts of pending work (work.h), one query each over the
 * tables of venues, testing, tracing and vaccination.
 */
#include "work/work.h"
#include "store/sql.h"

enum store_rc work_count_venues_pending(struct store *s, const char *area, int64_t *n)
{
    struct store_sql q;
    store_sql_init(&q, "SELECT count(*) FROM venues WHERE status = 'pending'", "");
    store_sql_area(&q, NULL, area);
    return store_sql_int(s, n, &q);
}

enum store_rc work_count_test_orders(struct store *s, const char *area, int64_t *n)
{
    struct store_sql q;
    int64_t orders = 0, retests = 0;
    store_sql_init(&q, "SELECT count(*) FROM test_orders WHERE status = 'pending'", "");
    store_sql_area(&q, NULL, area);
    enum store_rc rc = store_sql_int(s, &orders, &q);
    if (rc)
        return rc;
    store_sql_init(&q, "SELECT count(*) FROM testing_retest_orders WHERE status = 'open'", "");
    store_sql_area(&q, NULL, area);
    rc = store_sql_int(s, &retests, &q);
    *n = orders + retests;
    return rc;
}

enum store_rc work_count_results_pending_lab(struct store *s, const char *lab_unit, int64_t *n)
{
    return store_int(s, n,
                     "SELECT count(*) FROM testing_tubes WHERE lab_unit_code = ? AND received_at IS NOT NULL "
                     "AND result IS NULL",
                     "s", lab_unit);
}

enum store_rc work_count_results_pending_area(struct store *s, const char *area, int64_t *n)
{
    struct store_sql q;
    store_sql_init(&q, "SELECT count(*) FROM testing_tubes WHERE received_at IS NOT NULL AND result IS NULL", "");
    store_sql_area(&q, NULL, area);
    return store_sql_int(s, n, &q);
}

enum store_rc work_count_reschedules(struct store *s, const char *area, int64_t *n)
{
    struct store_sql q;
    store_sql_init(&q, "SELECT count(*) FROM vaccine_appointments WHERE status = 'reschedule_requested'", "");
    store_sql_area(&q, NULL, area);
    return store_sql_int(s, n, &q);
}

enum store_rc work_count_doses_due(struct store *s, const char *area, int64_t now, int64_t *n)
{
    struct store_sql q;
    store_sql_init(&q,
                   "SELECT count(*) FROM vaccine_doses d WHERE d.next_earliest > 0 AND d.next_earliest <= ? "
                   "AND NOT EXISTS (SELECT 1 FROM vaccine_doses e WHERE e.person_id = d.person_id "
                   "AND e.dose_number > d.dose_number)",
                   "i", now);
    store_sql_area(&q, "d", area);
    return store_sql_int(s, n, &q);
}
