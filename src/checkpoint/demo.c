/*
 * demo.c - a checkpoint with a day of passages: the Long Biên bridge
 * checkpoint at Phường Phúc Xá, served by the demo officer badinh.checkpoint,
 * with cars and motorbikes that passed it since this morning carrying the
 * demo's people (so a confirmed case, an F1 in quarantine and others get
 * their different answers).  Safe to run again (client ids).
 */
#include <stdio.h>
#include <string.h>

#include "admin/account.h"
#include "area/unit.h"
#include "checkpoint/checkpoint.h"
#include "core/clock.h"

#define DEMO_COMMUNE "00001"

int checkpoint_demo(struct store *s, const int64_t *people, int npeople)
{
    struct arena a;
    arena_init(&a);
    const struct unit *u = unit_find(DEMO_COMMUNE);
    int64_t now = clock_now();
    struct checkpoint cp = {.client_id = "demo-checkpoint-long-bien",
                            .name = "Chốt kiểm soát cầu Long Biên",
                            .road = "Đường Yên Phụ, đầu cầu Long Biên",
                            .direction = "both",
                            .has_location = true,
                            .lat_e6 = 21043300,
                            .lon_e6 = 105851400,
                            .province_code = u ? u->province : "01",
                            .district_code = u ? u->district : "001",
                            .commune_code = DEMO_COMMUNE,
                            .created_at = now};
    bool created;
    struct account officer;
    int rc = checkpoint_insert(s, &cp, 0, &created);
    if (!rc)
        rc = account_find_login(s, &a, "badinh.checkpoint", &officer);
    if (!rc)
        rc = checkpoint_officer_add(s, cp.id, officer.id);
    /* Passages since the start of today (local), spread over the hours already gone. */
    static const struct {
        const char *plate, *type, *direction, *origin, *destination;
        int riders[4];
    } day[] = {
        {"29A-123.45", "car", "in", "00004", "00001", {0, 1, 2, -1}},
        {"29B1-456.78", "motorbike", "out", "00001", "00004", {5, -1}},
        {"47A-123.45", "truck", "in", "00001", "00001", {6, -1}},
        {NULL, NULL, "in", NULL, NULL, {3, -1}},
        {"30E-1234", "car", "out", "00001", "00004", {4, 6, -1}},
    };
    int64_t start = vn_day_start(vn_day(now)), span = now - start;
    int n = (int)(sizeof(day) / sizeof(day[0]));
    for (int i = 0; !rc && i < n; i++) {
        char client_id[48];
        snprintf(client_id, sizeof(client_id), "demo-passage-%d", i + 1);
        struct checkpoint_passage old;
        rc = checkpoint_passage_by_client_id(s, &a, client_id, &old);
        if (rc != STORE_DONE)
            continue;
        struct checkpoint_rider riders[4];
        memset(riders, 0, sizeof(riders));
        int nr = 0;
        for (int k = 0; k < 4 && day[i].riders[k] >= 0; k++)
            if (day[i].riders[k] < npeople)
                riders[nr++] = (struct checkpoint_rider){.person_id = people[day[i].riders[k]],
                                                         .by_field = k ? "cccd" : "qr"};
        struct checkpoint_passage p = {.client_id = client_id,
                                       .checkpoint_id = cp.id,
                                       .direction = day[i].direction,
                                       .plate = day[i].plate,
                                       .vehicle_type = day[i].type,
                                       .origin_commune = day[i].origin,
                                       .destination_commune = day[i].destination,
                                       .passed_at = start + span * (i + 1) / (n + 1),
                                       .recorded_at = now,
                                       .recorded_by = officer.id,
                                       .province_code = cp.province_code,
                                       .district_code = cp.district_code,
                                       .commune_code = cp.commune_code,
                                       .riders = riders,
                                       .nriders = nr};
        p.day = vn_day(p.passed_at);
        rc = checkpoint_answer_riders(s, &a, &p);
        if (!rc)
            rc = checkpoint_passage_insert(s, &p);
    }
    arena_release(&a);
    return rc;
}
