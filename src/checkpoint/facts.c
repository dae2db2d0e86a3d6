/*
 * facts.c - what the checkpoint's rules need to know of one person, asked
 * of the domains that keep it through their public headers: tracing (case,
 * F1), quarantine (an active order), declare (a travel declaration),
 * testing (the latest negative result), vaccine (the status of the series).
 */
#include <string.h>

#include "checkpoint/checkpoint.h"
#include "core/clock.h"
#include "declare/declare.h"
#include "quarantine/quarantine.h"
#include "testing/testing.h"
#include "tracing/tracing.h"
#include "vaccine/vaccine.h"

#define RECENT 20 /* declarations and results looked at, newest first */

enum store_rc checkpoint_facts_read(struct store *s, struct arena *a, int64_t person_id, int64_t now,
                                    struct checkpoint_facts *out)
{
    memset(out, 0, sizeof(*out));
    out->now = now;
    enum store_rc rc = tracing_person_exposure(s, person_id, &out->case_at, &out->f1_at);
    if (!rc)
        rc = quarantine_person_active(s, person_id, vn_day(now), &out->in_quarantine);
    struct declaration *d = NULL;
    int nd = 0;
    if (!rc)
        rc = declare_list_person(s, a, person_id, RECENT, &d, &nd);
    for (int i = 0; !rc && i < nd; i++)
        if ((d[i].kind == DECLARE_DOMESTIC_TRAVEL || d[i].kind == DECLARE_ENTRY) && d[i].declared_at > out->declared_at)
            out->declared_at = d[i].declared_at;
    struct testing_sample *t = NULL;
    int nt = 0;
    if (!rc)
        rc = testing_person_results(s, a, person_id, RECENT, &t, &nt);
    for (int i = 0; !rc && i < nt; i++)
        if (t[i].status && !strcmp(t[i].status, "negative") && t[i].collected_at > out->negative_at)
            out->negative_at = t[i].collected_at;
    if (!rc)
        rc = vaccine_person_status(s, a, person_id, &out->vaccination);
    return rc;
}

enum store_rc checkpoint_answer_riders(struct store *s, struct arena *a, struct checkpoint_passage *p)
{
    struct checkpoint_rule rules[CHECKPOINT_MAX_RULES];
    int n;
    enum store_rc rc = checkpoint_rules_load(s, rules, &n);
    for (int i = 0; !rc && i < p->nriders; i++) {
        struct checkpoint_facts facts;
        rc = checkpoint_facts_read(s, a, p->riders[i].person_id, p->passed_at, &facts);
        if (!rc) {
            checkpoint_evaluate(rules, n, &facts, &p->riders[i].answer);
            p->riders[i].vaccination = facts.vaccination;
        }
    }
    return rc;
}
