/*
 * demo.c - demo venues for `cordon demo`: a market and a noodle shop in
 * Phúc Xá, and the facilities of the safety map's demo in Trúc Bạch (a
 * school, a clinic, a factory, an office), approved, owned by the demo venue
 * owner.  Found again on a rerun by their client ids.
 */
#include "core/arena.h"
#include "store/store.h"
#include "venue/venue_int.h"

static int one(struct store *s, struct arena *a, const struct venue_new *in, int64_t reviewer, int64_t *id)
{
    struct venue v;
    int rc = venue__find_by_client_id(s, a, in->client_id, &v);
    if (rc == STORE_OK) {
        *id = v.id;
        return STORE_OK;
    }
    rc = venue__insert(s, in, id);
    if (!rc)
        rc = venue__set_status(s, *id, "approved", reviewer, NULL);
    return rc;
}

int venue_demo(struct store *s, int64_t owner_id, int64_t reviewer_id, int64_t ids[VENUE_DEMO_COUNT])
{
    struct arena a;
    arena_init(&a);
    const struct venue_new venues[VENUE_DEMO_COUNT] = {
        {"demo-venue-market", "Chợ Phúc Xá", "market", "00001", "Phố Nghĩa Dũng", 500, owner_id},
        {"demo-venue-pho", "Phở Gia Truyền Phúc Xá", "restaurant", "00001", "18 Phó Đức Chính", 60, owner_id},
    };
    int rc = STORE_OK;
    for (int i = 0; i < VENUE_DEMO_COUNT && !rc; i++)
        rc = one(s, &a, &venues[i], reviewer_id, &ids[i]);
    arena_release(&a);
    return rc;
}

int venue_demo_facilities(struct store *s, int64_t owner_id, int64_t reviewer_id, int64_t ids[VENUE_FACILITY_COUNT])
{
    struct arena a;
    arena_init(&a);
    const struct venue_new venues[VENUE_FACILITY_COUNT] = {
        {"demo-venue-school", "Trường Tiểu học Trúc Bạch", "school", "00004", "Phố Trúc Bạch", 600, owner_id},
        {"demo-venue-clinic", "Phòng khám đa khoa Trúc Bạch", "clinic", "00004", "12 Phạm Hồng Thái", 80, owner_id},
        {"demo-venue-factory", "Xưởng may Trúc Bạch", "factory", "00004", "5 Ngũ Xã", 120, owner_id},
        {"demo-venue-office", "Văn phòng tổ dân phố số 3", "office", "00004", "2 Châu Long", 20, owner_id},
    };
    int rc = STORE_OK;
    for (int i = 0; i < VENUE_FACILITY_COUNT && !rc; i++)
        rc = one(s, &a, &venues[i], reviewer_id, &ids[i]);
    arena_release(&a);
    return rc;
}
