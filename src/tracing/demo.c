/*
 * demo.c - a confirmed case for `cordon demo`, traced at once, so a newcomer
 * finds F1 and F2 on the commune work list and F1 in home quarantine.
 */
#include "core/clock.h"
#include "store/store.h"
#include "tracing/tracing.h"
#include "tracing/tracing_int.h"

int tracing_demo(struct store *s, int64_t person_id, const char *province, const char *district,
                 const char *commune)
{
    int64_t now = clock_now(), id;
    bool created;
    const struct tracing_case_new c = {
        .client_id = "demo-case-1",
        .person_id = person_id,
        .confirmed_at = now - 3600,
        .onset_at = now - 86400,
        .province_code = province,
        .district_code = district,
        .commune_code = commune,
    };
    int rc = tracing_case_insert(s, &c, now, &id, &created);
    if (rc)
        return rc;
    const char *detail;
    return tracing_job_auto(s, now, &detail); /* traces every case not traced yet; a rerun finds none */
}
