/*
 * demo.c - demo data for `cordon demo`: a sampling site in Phường Phúc Xá
 * (Ba Đình, Hà Nội), today's RT-PCR session with pools of 10 sent to the Ba
 * Đình lab unit, 40 people in 4 tubes, and results on three of them
 * (negative, negative, pool positive) while the fourth is pending.  The
 * demo family of Nguyễn Văn An (0912000001) is among them: An in the first
 * tube (negative), his daughter Mai in the pool-positive third (a retest).
 * The demo sampler is assigned to the session; run again on a later day, the
 * demo adds that day's session (with tubes, the sampler assigned) so the
 * sampler always has today's work.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/arena.h"
#include "core/clock.h"
#include "people/people.h"
#include "store/store.h"
#include "testing/testing.h"

#define DEMO_COMMUNE "00001"
#define DEMO_LAB_UNIT "001"

static const char *const given[] = {"An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hùng", "Lan", "Minh", "Nam"};
static const char *const family[] = {"Nguyễn Văn", "Trần Thị", "Lê Văn", "Phạm Thị"};

/* Today's session of the demo site, on a later run: empty, with tubes, the sampler assigned. */
static int demo_today(struct store *st, struct arena *a, const struct testing_site *site, const char *today,
                      int64_t sampler, int64_t now)
{
    char cid[48], tubes_cid[48];
    snprintf(cid, sizeof(cid), "demo-session-phucxa-%s", today);
    snprintf(tubes_cid, sizeof(tubes_cid), "demo-tubes-phucxa-%s", today);
    int64_t n = 0;
    int rc = store_int(st, &n, "SELECT COUNT(*) FROM testing_sessions WHERE site_id = ? AND session_date = ?", "is",
                       site->id, today);
    if (rc || n)
        return rc; /* the first run's session is today's */
    struct testing_session s = {.client_id = cid, .site_id = site->id, .date = today,
                                .team = "Tổ lấy mẫu số 1", .type = TESTING_RT_PCR, .pool_size = 10,
                                .lab_unit_code = DEMO_LAB_UNIT, .province_code = "01", .district_code = "001",
                                .commune_code = DEMO_COMMUNE, .created_at = now};
    bool created;
    int64_t batch_id;
    const char **codes;
    int count;
    rc = testing_session_insert(st, &s, 0, &created);
    if (!rc && sampler)
        rc = testing_sampler_assign(st, s.id, sampler);
    if (!rc)
        rc = testing_tubes_issue(st, a, &s, tubes_cid, 6, 0, &batch_id, &codes, &count);
    return rc;
}

static int demo_tx(struct store *st, void *p)
{
    int64_t sampler = *(const int64_t *)p;
    struct arena a;
    arena_init(&a);
    int64_t now = clock_now();
    char today[11];
    vn_date_format(vn_day(now), today);
    struct testing_site site = {.client_id = "demo-site-phucxa", .name = "Điểm lấy mẫu Nhà văn hoá Phúc Xá",
                                .address = "Ngõ 2 Nghĩa Dũng, Phúc Xá", .province_code = "01",
                                .district_code = "001", .commune_code = DEMO_COMMUNE, .created_at = now};
    bool created;
    int rc = testing_site_insert(st, &site, 0, &created);
    if (!rc && !created) {
        rc = demo_today(st, &a, &site, today, sampler, now); /* already loaded */
        goto out;
    }
    if (rc)
        goto out;
    struct testing_session s = {.client_id = "demo-session-phucxa-1", .site_id = site.id, .date = today,
                                .team = "Tổ lấy mẫu số 1", .type = TESTING_RT_PCR, .pool_size = 10,
                                .lab_unit_code = DEMO_LAB_UNIT, .province_code = "01", .district_code = "001",
                                .commune_code = DEMO_COMMUNE, .created_at = now};
    if ((rc = testing_session_insert(st, &s, 0, &created)))
        goto out;
    if (sampler && (rc = testing_sampler_assign(st, s.id, sampler)))
        goto out;
    int64_t batch_id;
    const char **codes;
    int n;
    if ((rc = testing_tubes_issue(st, &a, &s, "demo-tubes-phucxa-1", 6, 0, &batch_id, &codes, &n)))
        goto out;
    struct person an, *members = NULL;
    int nmembers = 0;
    bool pc;
    if ((rc = people_find_or_create_by_phone_name(st, &a, "0912000001", "Nguyễn Văn An", &an, &pc)) ||
        (rc = people_managed(st, &a, an.id, &members, &nmembers)))
        goto out;
    const struct person *mai = NULL;
    for (int m = 0; m < nmembers; m++)
        if (members[m].full_name && !strcmp(members[m].full_name, "Nguyễn Thị Mai"))
            mai = &members[m];
    for (int t = 0; t < 4 && t < n && !rc; t++) {
        for (int k = 0; k < 10 && !rc; k++) {
            int i = t * 10 + k;
            char name[64], phone[11], cid[32];
            snprintf(name, sizeof(name), "%s %s", family[i % 4], given[(i / 4) % 10]);
            snprintf(phone, sizeof(phone), "09%08d", 71000000 + i);
            snprintf(cid, sizeof(cid), "demo-sample-%04d", i);
            struct person person;
            if (i == 0)
                person = an;
            else if (i == 20 && mai)
                person = *mai;
            else if ((rc = people_find_or_create_by_phone_name(st, &a, phone, name, &person, &pc)))
                break;
            struct testing_collect in = {.client_id = cid, .session = &s, .tube_code = codes[t],
                                         .person_id = person.id, .phone = person.phone, .by = 0,
                                         .tube_field = "tube_id", .person_field = "phone"};
            struct testing_sample sample = {.collected_at = now - 3 * 3600 + i * 60};
            struct testing_tube tube;
            struct fault f;
            rc = testing_collect_record(st, &a, &in, &sample, &tube, &pc, &f);
        }
    }
    if (rc)
        goto out;
    int64_t batch;
    if ((rc = testing_batch_open(st, "single", 0, DEMO_LAB_UNIT, now, &batch)))
        goto out;
    static const int results[] = {TESTING_NEGATIVE, TESTING_NEGATIVE, TESTING_POSITIVE};
    for (int t = 0; t < 3 && !rc; t++) {
        bool changed;
        const char *existing;
        rc = testing_result_set(st, codes[t], results[t], results[t] == TESTING_POSITIVE ? 281 : -1, 0, batch, now,
                                &changed, &existing);
    }
    struct testing_apply_summary sum = {0};
    if (!rc)
        rc = testing_propagate(st, batch, now, &sum);
out:
    arena_release(&a);
    return rc;
}

int testing_demo(struct store *s, int64_t sampler_account)
{
    return store_tx(s, demo_tx, &sampler_account);
}
