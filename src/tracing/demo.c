/*
 * demo.c - confirmed cases for `cordon demo`, traced at once, so a newcomer
 * finds F1 and F2 on the commune work lists and F1 in home quarantine.
 */
#include "area/unit.h"
#include "core/clock.h"
#include "store/store.h"
#include "tracing/tracing.h"
#include "tracing/tracing_int.h"

int tracing_demo(struct store *s, const struct tracing_demo_case *cases, int n)
{
    int64_t now = clock_now();
    int rc = 0;
    for (int i = 0; i < n && !rc; i++) {
        const struct unit *u = unit_find(cases[i].commune);
        if (!u)
            return STORE_ERROR;
        const struct tracing_case_new c = {
            .client_id = cases[i].client_id,
            .person_id = cases[i].person_id,
            .confirmed_at = now - cases[i].confirmed_ago,
            .onset_at = cases[i].onset_ago ? now - cases[i].onset_ago : 0,
            .sample_at = now - cases[i].sample_ago,
            .province_code = u->province,
            .district_code = u->district,
            .commune_code = u->code,
        };
        int64_t id;
        bool created;
        rc = tracing_case_insert(s, &c, now, &id, &created);
    }
    if (rc)
        return rc;
    const char *detail;
    return tracing_job_auto(s, now, &detail); /* traces every case not traced yet; a rerun finds none */
}
