/*
 * demo.c - `cordon demo`: demo accounts so a newcomer sees Cordon working.
 *
 * Safe to run again: existing demo accounts get a fresh password, which is
 * printed, so the login shown is always the one that works.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin/account.h"
#include "admin/role.h"
#include "area/unit.h"
#include "checkpoint/checkpoint.h"
#include "feedback/feedback.h"
#include "safety/safety.h"
#include "cmd/cmd.h"
#include "core/arena.h"
#include "core/clock.h"
#include "core/err.h"
#include "declare/declare.h"
#include "people/people.h"
#include "quarantine/quarantine.h"
#include "situation/situation.h"
#include "testing/testing.h"
#include "tracing/tracing.h"
#include "vaccine/vaccine.h"
#include "venue/checkin.h"
#include "venue/venue.h"
#include "core/secret.h"
#include "store/store.h"

static const char usage[] =
    "usage: cordon demo [--db URL] [--config FILE] [--people N --checkins M [--days D]]\n"
    "\n"
    "Loads demo data into a migrated database: staff accounts at every level in\n"
    "Ha Noi (national admin, province, district and commune admins, a sampler, a\n"
    "venue owner); a family in Phuc Xa ward whose father signs in with his phone\n"
    "(0912000001) and manages his daughter and mother; two approved venues with\n"
    "check-ins; two flagged health declarations to call; a sampling session with\n"
    "pooled tubes and results at the Ba Dinh lab; vaccination sites, sessions, doses and\n"
    "certificates; a confirmed case traced to F1 and F2, with F1 in home\n"
    "quarantine. Prints the logins. Safe to run again:\n"
    "it finds what it made before and only gives the accounts fresh passwords.\n"
    "\n"
    "  --people N     also bulk-load a synthetic population of N people in households,\n"
    "  --checkins M   with M venue check-ins over the last D days (default 14), in one\n"
    "  --days D       transaction with reused statements (2 million people and 20\n"
    "                 million check-ins take minutes); for trying tracing at scale.\n"
    "  --place CODE   where that population lives and checks in (default 00001, Phuc Xa):\n"
    "                 a commune, or a district, province or VN spread over its communes.\n";

static const struct {
    const char *username, *full_name, *role, *unit;
} demo_accounts[] = {
    {"admin", "Quản trị quốc gia", "national_admin", "VN"},
    {"hanoi.admin", "Nguyễn Văn An", "province_admin", "01"},
    {"badinh.admin", "Trần Thị Bình", "district_admin", "001"},
    {"phucxa.admin", "Lê Văn Cường", "commune_admin", "00001"},
    {"phucxa.sampler", "Phạm Thị Dung", "sampler", "00001"},
    {"hcm.admin", "Võ Minh Em", "province_admin", "79"},
    {"phucxa.shop", "Đỗ Văn Giang", "venue_owner", "00001"},
    {"badinh.lab", "Hoàng Văn Khoa", "lab", "001"},
    {"phucxa.vaccinator", "Bùi Thị Lan", "vaccinator", "00001"},
    {"badinh.checkpoint", "Đinh Văn Hùng", "checkpoint_officer", "001"},
    /* the commune of the safety map's facilities: two of them not assessed today to check on site */
    {"trucbach.admin", "Ngô Thị Mai", "commune_admin", "00004"},
};

enum { DEMO_COMMUNE_ADMIN = 3, DEMO_SAMPLER = 4, DEMO_VENUE_OWNER = 6 };

static int account_id(struct store *s, int i, int64_t *id)
{
    struct arena a;
    arena_init(&a);
    struct account acc;
    int rc = account_find_login(s, &a, demo_accounts[i].username, &acc);
    *id = acc.id;
    arena_release(&a);
    return rc;
}

/*
 * Platform 1: the family of Nguyễn Văn An checks in at the market (with one
 * scan) and the noodle shop; his neighbour declares a cough and is flagged, and so
 * does Dũng in Trúc Bạch (a fever after visiting an outbreak area).
 */
static int platform1(struct store *s, void *ctx)
{
    int64_t *people = ctx; /* [PEOPLE_DEMO_COUNT], filled for the tracing demo */
    int64_t venues[VENUE_DEMO_COUNT], owner, official;
    int rc = people_demo(s, people);
    if (!rc)
        rc = account_id(s, DEMO_VENUE_OWNER, &owner);
    if (!rc)
        rc = account_id(s, DEMO_COMMUNE_ADMIN, &official);
    if (!rc)
        rc = venue_demo(s, owner, official, venues);
    int64_t now = clock_now();
    const struct unit *u = unit_find("00001");
    static const struct {
        const char *client_id;
        int person, venue, hours_ago;
    } visits[] = {
        {"demo-checkin-market-1", 0, 0, 26}, {"demo-checkin-market-1", 1, 0, 26}, {"demo-checkin-market-1", 2, 0, 26},
        {"demo-checkin-pho-1", 0, 1, 3},     {"demo-checkin-pho-2", 3, 1, 2},
        /* Trúc Bạch: Bình and his neighbour Dũng at the market, later Dũng with An's mother */
        {"demo-checkin-market-2", 4, 0, 7},  {"demo-checkin-market-3", 6, 0, 7},  {"demo-checkin-market-4", 6, 0, 4},
        {"demo-checkin-market-4", 2, 0, 4},
    };
    for (size_t i = 0; i < sizeof(visits) / sizeof(visits[0]) && !rc; i++) {
        struct checkin_new c = {.client_id = visits[i].client_id,
                                .venue_id = venues[visits[i].venue],
                                .person_id = people[visits[i].person],
                                .at = now - visits[i].hours_ago * 3600,
                                .method = visits[i].person == 2 ? CHECKIN_STAFF_QR : CHECKIN_POSTER,
                                .province_code = u->province,
                                .district_code = u->district,
                                .commune_code = u->code,
                                .by_account = visits[i].person == 2 ? owner : 0,
                                .by_person = visits[i].person == 2 ? 0 : people[0]};
        bool created;
        rc = checkin_insert(s, &c, &created);
    }
    /* Two flagged declarations not yet called, on the default list (the last 24 hours) of the
     * commune health stations of Phúc Xá and of Trúc Bạch. */
    static const struct {
        const char *client_id, *commune;
        int person, hours_ago;
        unsigned symptoms, exposure;
    } flagged[] = {
        {"demo-declaration-1", "00001", 3, 1, DECLARE_COUGH | DECLARE_SORE_THROAT, 0},
        {"demo-declaration-2", "00004", 6, 5, DECLARE_FEVER, DECLARE_VISITED_OUTBREAK_AREA},
    };
    for (size_t i = 0; i < sizeof(flagged) / sizeof(flagged[0]) && !rc; i++) {
        const struct unit *c = unit_find(flagged[i].commune);
        struct declaration d = {.client_id = flagged[i].client_id,
                                .person_id = people[flagged[i].person],
                                .kind = DECLARE_HEALTH,
                                .symptoms = flagged[i].symptoms,
                                .exposure = flagged[i].exposure,
                                .health_status = "unwell",
                                .flagged = true,
                                .province_code = c->province,
                                .district_code = c->district,
                                .commune_code = c->code,
                                .declared_at = now - flagged[i].hours_ago * 3600};
        declare_reference_make(d.declared_at, d.reference);
        bool created;
        rc = declare_insert(s, &d, &created);
    }
    return rc;
}

/* The situation page's week of history, in one transaction. */
static int situation_week(struct store *s, void *ctx)
{
    (void)ctx;
    return situation_demo(s);
}

static int quarantine_checkins(struct store *s, void *ctx)
{
    (void)ctx;
    return quarantine_demo(s);
}

static int checkpoint_day(struct store *s, void *ctx)
{
    return checkpoint_demo(s, ctx, PEOPLE_DEMO_COUNT);
}

/* The safety map: the demo's venues and four facilities of Trúc Bạch, one of each colour. */
static int safety_facilities(struct store *s, void *ctx)
{
    (void)ctx;
    int64_t owner, official, ids[VENUE_DEMO_COUNT + VENUE_FACILITY_COUNT];
    int rc = account_id(s, DEMO_VENUE_OWNER, &owner);
    if (!rc)
        rc = account_id(s, DEMO_COMMUNE_ADMIN, &official);
    if (!rc)
        rc = venue_demo(s, owner, official, ids);
    if (!rc)
        rc = venue_demo_facilities(s, owner, official, ids + VENUE_DEMO_COUNT);
    return rc ? rc : safety_demo(s, owner, official, ids, VENUE_DEMO_COUNT + VENUE_FACILITY_COUNT);
}

/* Feedback at each status; the demo citizen (people[0], phone 0912000001) sent the answered one. */
static int feedback_reports(struct store *s, void *ctx)
{
    int64_t *people = ctx, official;
    int rc = account_id(s, DEMO_COMMUNE_ADMIN, &official);
    return rc ? rc : feedback_demo(s, official, people[0], "0912000001");
}

static int upsert(struct store *s, int i, const char *password)
{
    struct arena a;
    arena_init(&a);
    struct account acc;
    int rc = account_find_login(s, &a, demo_accounts[i].username, &acc);
    if (rc == STORE_OK) {
        char hash[SECRET_PWHASH_LEN];
        struct account_change c = {.password_hash = hash, .disabled = 0};
        rc = secret_password_hash(password, hash) ? STORE_ERROR : account_update(s, acc.id, &c);
    } else if (rc == STORE_DONE) {
        struct account_new in = {.username = demo_accounts[i].username, .password = password,
                                 .full_name = demo_accounts[i].full_name, .unit_code = demo_accounts[i].unit,
                                 .role = role_parse(demo_accounts[i].role)};
        struct fault f = {0};
        int64_t id;
        rc = account_check_new(&in, &f) ? STORE_INVALID : account_insert(s, &in, 0, &id);
    }
    arena_release(&a);
    return rc;
}

int cmd_demo(int argc, char **argv)
{
    struct config c;
    if (cmd_config(argc, argv, &c))
        return 1;
    static const struct option opts[] = {CMD_COMMON_OPTIONS,
                                         {"people", required_argument, NULL, 'p'},
                                         {"checkins", required_argument, NULL, 'k'},
                                         {"days", required_argument, NULL, 'y'},
                                         {"place", required_argument, NULL, 'l'},
                                         {0}};
    const char *place = "00001";
    long long synth_people = 0, synth_checkins = 0, days = 14;
    int ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        long long *target = ch == 'p' ? &synth_people : ch == 'k' ? &synth_checkins : ch == 'y' ? &days : NULL;
        if (target) {
            char *end;
            *target = strtoll(optarg, &end, 10);
            if (*end || *target < 0 || (ch == 'y' && (*target < 1 || *target > 365))) {
                fprintf(stderr, "cordon demo: bad number \"%s\"\n%s", optarg, usage);
                return 2;
            }
            continue;
        }
        if (ch == 'l') {
            place = optarg;
            continue;
        }
        int code = cmd_common_exit(ch, usage, &c);
        if (code >= 0)
            return code;
    }
    if ((synth_people > 0) != (synth_checkins > 0)) {
        fprintf(stderr, "cordon demo: --people and --checkins go together\n");
        return 2;
    }
    struct store *s;
    if (cmd_open(&c, true, &s))
        return 1;
    if (!unit_find(place)) {
        fprintf(stderr, "cordon demo: no administrative unit \"%s\" (--place)\n", place);
        store_close(s);
        return 2;
    }
    char password[17];
    secret_password_generate(password, 16);
    size_t n = sizeof(demo_accounts) / sizeof(demo_accounts[0]);
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        rc = upsert(s, (int)i, password);
        cmd_progress("demo accounts", i + 1, n);
    }
    int64_t people[PEOPLE_DEMO_COUNT];
    if (!rc) {
        rc = store_tx(s, platform1, people);
        if (!rc)
            cmd_progress("platform 1: people, venues, check-ins", 1, 1);
    }
    if (!rc) {
        int64_t sampler;
        rc = account_id(s, DEMO_SAMPLER, &sampler);
        if (!rc)
            rc = testing_demo(s, sampler);
        if (!rc)
            cmd_progress("platform 2: sampling, pooled tubes, results", 1, 1);
    }
    if (!rc) {
        rc = vaccine_demo(s);
        if (!rc)
            cmd_progress("platform 3: vaccination sites, doses, certificates", 1, 1);
    }
    if (!rc) {
        /* Three cases in two wards of Ba Đình. The neighbour who declared a cough tests
         * positive: her contacts at the noodle shop and their households become F1 and F2,
         * and F1 go into home quarantine by the policy. In Trúc Bạch, Bình's son and his
         * neighbour from the market are F1; An's mother, whom the neighbour met later, F2.
         * Then An himself, already F1, is confirmed. */
        const struct tracing_demo_case cases[] = {
            {"demo-case-1", people[3], "00001", 86400, 20 * 3600, 3600},
            {"demo-case-2", people[4], "00004", 0, 20 * 3600, 2 * 3600},
            {"demo-case-3", people[0], "00001", 0, 10 * 3600, 1800},
        };
        rc = tracing_demo(s, cases, sizeof(cases) / sizeof(cases[0]));
        if (!rc)
            rc = store_tx(s, quarantine_checkins, NULL);
        if (!rc)
            cmd_progress("tracing: three confirmed cases, F1, F2, quarantine", 1, 1);
    }
    if (!rc) {
        rc = store_tx(s, situation_week, NULL);
        if (!rc)
            cmd_progress("situation: a week of cases in Hoàn Kiếm and Đống Đa", 1, 1);
    }
    if (!rc) {
        /* after tracing: the people who pass get the answers their records give */
        rc = store_tx(s, checkpoint_day, people);
        if (!rc)
            cmd_progress("checkpoints: the Long Biên bridge checkpoint and a day of passages", 1, 1);
    }
    if (!rc) {
        rc = store_tx(s, feedback_reports, people);
        if (!rc)
            cmd_progress("feedback: reports at each status, one overdue at the district", 1, 1);
    }
    if (!rc) {
        rc = store_tx(s, safety_facilities, NULL);
        if (!rc)
            cmd_progress("safety map: facilities of each colour", 1, 1);
    }
    if (!rc && synth_people) {
        int64_t owner, first;
        rc = account_id(s, DEMO_VENUE_OWNER, &owner);
        struct tracing_synth o = {.people = synth_people,
                                  .checkins = synth_checkins,
                                  .days = (int)days,
                                  .now = clock_now(),
                                  .seed = 7,
                                  .owner_account = owner,
                                  .commune_code = place,
                                  .progress = cmd_progress};
        if (!rc)
            rc = tracing_synth_load(s, &o, &first);
    }
    if (rc) {
        fprintf(stderr, "cordon demo: could not load the demo data (%s) %s\n", err_code(store_err(rc)), store_errmsg(s));
    } else {
        printf("\nDemo logins (password for all: %s)\n", password);
        for (size_t i = 0; i < n; i++)
            printf("  %-16s %-16s %s\n", demo_accounts[i].username, demo_accounts[i].role,
                   unit_find(demo_accounts[i].unit)->name_with_type);
        printf("\nCitizen sign-in: phone 0912000001 (manages two family members) or 0912000002;\n"
               "the one-time code is in the outbox (GET /api/v1/outbox as admin) and, with dev = 1, in the log.\n");
        printf("\nAdmin login: admin / %s\n", password);
    }
    store_close(s);
    unit_registry_free();
    return rc ? 1 : 0;
}
