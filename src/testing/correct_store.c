/*
 * correct_store.c - a result corrected by the lab, and what follows from it.
 *
 * The old result's consequences are withdrawn where no one has acted on
 * them yet, and kept where someone has:
 *   the tube's result messages not yet sent        -> deleted from the outbox;
 *   open retest orders (pool positive, invalid)    -> withdrawn; sampled ones kept;
 *   the case a positive made                       -> withdrawn (a case event names
 *                                                     the reason and the account);
 *   its contacts not yet reached                   -> withdrawn; the others kept;
 *   its quarantine orders without a check-in       -> cancelled, their unsent
 *                                                     reminders deleted; others kept;
 *   its pending test orders                        -> cancelled; sampled ones kept;
 * and each person whose orders were withdrawn is told (their phone, or the
 * phone of the citizen who manages them).  Then the new result runs the
 * normal path (testing_propagate): a positive makes or confirms again the
 * case, and every member gets a message saying the result was corrected.
 */
#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "notify/notify.h"
#include "people/people.h"
#include "store/store.h"
#include "testing/testing.h"

/* Up to max ids of a one-integer-column query with one integer parameter. */
static enum store_rc ids_of(struct store *st, struct arena *a, const char *sql, int64_t arg, int64_t **out,
                            size_t *n)
{
    size_t cap = 16;
    *out = arena_alloc(a, cap * sizeof(**out));
    *n = 0;
    struct store_stmt *q;
    enum store_rc rc = store_query(st, &q, sql, "i", arg);
    while (rc == STORE_OK && (rc = store_step(q)) == STORE_ROW) {
        rc = STORE_OK;
        if (*n == cap) {
            int64_t *bigger = arena_alloc(a, cap * 2 * sizeof(**out));
            memcpy(bigger, *out, cap * sizeof(**out));
            *out = bigger;
            cap *= 2;
        }
        (*out)[(*n)++] = store_col_int(q, 0);
    }
    store_finalize(q);
    return rc == STORE_DONE ? STORE_OK : rc;
}

static enum store_rc withdraw_messages(struct store *st, const char *kind, int64_t id, int64_t *count)
{
    char cause[48];
    int64_t n = 0;
    snprintf(cause, sizeof(cause), "%s:%lld", kind, (long long)id);
    enum store_rc rc = notify_withdraw(st, cause, &n);
    *count += n;
    return rc;
}

static enum store_rc tell_withdrawn(struct store *st, struct arena *a, int64_t person_id, int64_t *queued)
{
    const char *phone, *name;
    enum store_rc rc = people_reach(st, a, person_id, &phone, &name);
    if (rc || !phone)
        return rc;
    char body[2048];
    const char *values[] = {name};
    rc = notify_template_render(st, name ? "result_correction_member" : "result_correction", "vi", values, body,
                                sizeof(body));
    if (!rc)
        rc = notify_queue(st, "sms", phone, "result_correction", body, NULL);
    if (!rc)
        (*queued)++;
    return rc;
}

#define QO_UNTOUCHED                                                                                         \
    " FROM quarantine_orders o WHERE o.case_id = ? AND o.status = 'active'"                                  \
    " AND NOT EXISTS (SELECT 1 FROM quarantine_checkins k WHERE k.order_id = o.id)"

static enum store_rc withdraw_case(struct store *st, struct arena *a, int64_t case_id, const char *reason,
                                   int64_t by, int64_t now, struct testing_correction *c)
{
    int64_t kept = 0, n = 0, *people, *orders;
    size_t npeople = 0, norders = 0;
    enum store_rc rc =
        store_int(st, &kept,
                  "SELECT (SELECT COUNT(*) FROM tracing_contacts WHERE case_id = ?"
                  " AND status NOT IN ('not_reached', 'withdrawn'))"
                  " + (SELECT COUNT(*) FROM test_orders WHERE case_id = ? AND status = 'sampled')"
                  " + (SELECT COUNT(*) FROM quarantine_orders o WHERE o.case_id = ? AND o.status = 'active'"
                  " AND EXISTS (SELECT 1 FROM quarantine_checkins k WHERE k.order_id = o.id))",
                  "iii", case_id, case_id, case_id);
    c->kept += kept;
    /* who is told: everyone whose order is withdrawn, once */
    if (!rc)
        rc = ids_of(st, a,
                    "SELECT person_id FROM test_orders WHERE case_id = ? AND status = 'pending'"
                    " UNION SELECT o.person_id" QO_UNTOUCHED,
                    case_id, &people, &npeople);
    if (!rc)
        rc = ids_of(st, a, "SELECT o.id" QO_UNTOUCHED, case_id, &orders, &norders);
    for (size_t i = 0; i < norders && !rc; i++) {
        rc = store_run(
            st, NULL,
            "UPDATE quarantine_orders SET status = 'cancelled', outcome = 'cancelled', end_reason = ?,"
            " ended_by = ?, ended_at = ?, updated_at = ? WHERE id = ?",
            "siiii", arena_printf(a, "result corrected: %s", reason), by, now, now, orders[i]);
        if (!rc)
            rc = withdraw_messages(st, "quarantine_order", orders[i], &c->messages_withdrawn);
    }
    c->orders += (int64_t)norders;
    if (!rc)
        rc = store_run(st, &n,
                       "UPDATE test_orders SET status = 'cancelled' WHERE case_id = ? AND status = 'pending'",
                       "i", case_id);
    c->orders += n;
    if (!rc)
        rc = store_run(st, &n,
                       "UPDATE tracing_contacts SET status = 'withdrawn', updated_at = ? WHERE case_id = ?"
                       " AND status = 'not_reached'",
                       "ii", now, case_id);
    c->contacts += n;
    if (!rc)
        rc = store_run(st, NULL, "UPDATE cases SET status = 'withdrawn' WHERE id = ?", "i", case_id);
    if (!rc)
        rc = store_run(st, NULL,
                       "INSERT INTO case_events (case_id, kind, at, detail, account_id) VALUES (?, "
                       "'withdrawn', ?, ?, ?)",
                       "iisi", case_id, now, arena_printf(a, "test result corrected: %s", reason), by);
    /* confirmed again later, it is traced again */
    if (!rc)
        rc = store_run(st, NULL, "DELETE FROM tracing_auto WHERE case_id = ?", "i", case_id);
    for (size_t i = 0; i < npeople && !rc; i++)
        rc = tell_withdrawn(st, a, people[i], &c->told);
    c->cases++;
    return rc;
}

enum store_rc testing_result_correct(struct store *st, struct arena *a, const struct testing_tube *t,
                                     int result, int ct, const char *reason, int64_t by,
                                     const char *unit_code, int64_t now, struct testing_correction *c)
{
    memset(c, 0, sizeof(*c));
    struct store_stmt *q;
    enum store_rc rc = store_query(st, &q, "SELECT result FROM testing_tubes WHERE id = ?", "i", t->id);
    if (!rc && (rc = store_step(q)) == STORE_ROW) {
        c->old_result = testing_result_parse(store_col_text(q, 0) ? store_col_text(q, 0) : "");
        rc = STORE_OK;
    }
    store_finalize(q);
    if (rc)
        return rc;
    if (c->old_result < 0)
        return STORE_DONE; /* no result yet: nothing to correct */
    if (c->old_result == result)
        return STORE_CONFLICT;
    int64_t *samples, *cases, n = 0;
    size_t nsamples, ncases;
    rc = ids_of(st, a, "SELECT id FROM testing_samples WHERE tube_id = ?", t->id, &samples, &nsamples);
    for (size_t i = 0; i < nsamples && !rc; i++) {
        rc = withdraw_messages(st, "testing_sample", samples[i], &c->messages_withdrawn);
        if (!rc)
            rc = store_run(st, &n,
                           "UPDATE testing_retest_orders SET status = 'withdrawn' WHERE sample_id = ? AND "
                           "status = 'open'",
                           "i", samples[i]);
        c->orders += n;
        if (!rc)
            rc = ids_of(st, a, "SELECT id FROM cases WHERE sample_id = ? AND status = 'confirmed'",
                        samples[i], &cases, &ncases);
        for (size_t k = 0; k < ncases && !rc; k++)
            rc = withdraw_case(st, a, cases[k], reason, by, now, c);
    }
    /* the new result, by the normal path */
    if (!rc)
        rc =
            store_run(st, NULL,
                      "UPDATE testing_samples SET status = 'pending', resulted_at = NULL, result_batch = NULL"
                      " WHERE tube_id = ?",
                      "i", t->id);
    if (!rc)
        rc =
            store_run(st, NULL, "UPDATE testing_tubes SET result = NULL, ct = NULL WHERE id = ?", "i", t->id);
    if (!rc)
        rc = testing_batch_open(st, "correction", by, unit_code, now, &c->batch_id);
    bool changed;
    const char *existing;
    if (!rc)
        rc = testing_result_set(st, t->code, result, ct, by, c->batch_id, now, &changed, &existing);
    if (!rc) {
        c->sum.applied = 1;
        c->sum.batch_id = c->batch_id;
        rc = testing_propagate(st, c->batch_id, now, &c->sum);
    }
    if (!rc)
        rc = store_int(
            st, &c->id,
            "INSERT INTO testing_result_corrections (tube_id, old_result, new_result, reason, account_id,"
            " batch_id, cases_withdrawn, contacts_withdrawn, orders_withdrawn, messages_withdrawn, kept,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            "isssiiiiiiii", t->id, testing_result_name(c->old_result), testing_result_name(result), reason,
            by, c->batch_id, c->cases, c->contacts, c->orders, c->messages_withdrawn, c->kept, now);
    return rc;
}
