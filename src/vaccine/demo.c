/*
 * demo.c - vaccination demo data for `cordon demo`: a site in Phường Phúc Xá
 * (Ba Đình, Hà Nội) with daily capacity for three products, today's and
 * tomorrow's sessions, seven registered people (name, date of birth,
 * phone; one is the demo family's father, whose second dose is due), first
 * doses two months ago, second doses today for some, a booking for
 * tomorrow, their certificates and one adverse event, and two people who
 * asked for another slot (the staff's reschedule queue).  Every row carries a
 * fixed client id, so running it again adds nothing.
 */
#include <stdio.h>
#include <string.h>

#include "area/unit.h"
#include "core/arena.h"
#include "core/clock.h"
#include "people/people.h"
#include "store/store.h"
#include "vaccine/vaccine_int.h"

#define DEMO_COMMUNE "00001"
#define DAY 86400

static const struct {
    const char *phone, *name, *dob, *group, *product;
    int doses; /* given so far: 1 a month ago, 2 also today */
} demo_people[] = {
    {"0912000101", "Nguyễn Thị Mai", "1988-04-12", "health_workers", "pfizer", 2},
    {"0912000102", "Trần Văn Hùng", "1979-11-03", "frontline", "astrazeneca", 1},
    {"0912000103", "Lê Thị Lan", "1948-02-27", "elderly", "pfizer", 2},
    {"0912000104", "Phạm Văn Nam", "1983-09-15", "education", "moderna", 1},
    {"0912000105", "Hoàng Thị Hương", "1995-06-30", "general", "pfizer", 1},
    {"0912000106", "Vũ Minh Tuấn", "2001-01-08", "general", NULL, 0},
    /* the demo family's father (src/people/demo.c): his second dose is due */
    {"0912000001", "Nguyễn Văn An", "1985-03-12", "general", "astrazeneca", 1},
};

struct demo_ctx {
    struct arena *a;
    const struct vaccine_data *d;
    json_t *site;
    json_t *today, *tomorrow, *tomorrow_az;
};

static int ensure_site(struct store *s, struct demo_ctx *c)
{
    int64_t id;
    int rc = vaccine__site_find_client(s, "demo-site-phucxa", &id);
    if (rc == STORE_DONE) {
        const struct unit *u = unit_find(DEMO_COMMUNE);
        const char *prov = "01", *dist = "001", *comm = DEMO_COMMUNE;
        if (u)
            unit_ancestors(u, &prov, &dist, &comm);
        rc = vaccine__site_insert(s, "demo-site-phucxa", "Trạm Y tế phường Phúc Xá", "1 Nghĩa Dũng, Phúc Xá", prov,
                                  dist, comm, 0, clock_now(), &id);
        if (!rc)
            rc = vaccine__site_capacity_set(s, id, "pfizer", 300);
        if (!rc)
            rc = vaccine__site_capacity_set(s, id, "astrazeneca", 200);
        if (!rc)
            rc = vaccine__site_capacity_set(s, id, "moderna", 150);
    }
    if (rc)
        return rc;
    return vaccine__site_get(s, id, &c->site);
}

static int ensure_session(struct store *s, struct demo_ctx *c, int64_t when, const char *product, json_t **out)
{
    char day[11];
    vaccine_day(when, day);
    const char *cid = arena_printf(c->a, "demo-session-%s-%s", day, product);
    int64_t id, midnight;
    int rc = vaccine__session_find_client(s, cid, &id);
    if (rc == STORE_DONE) {
        vaccine__parse_day(day, "07:30", &midnight);
        rc = vaccine__session_insert(s, cid, vaccine__int(c->site, "id"), product, day, midnight,
                                     midnight + 9 * 3600, 120, c->site, 0, clock_now(), &id);
    }
    if (rc)
        return rc;
    return vaccine__session_get(s, id, out);
}

/* An appointment in session se whose person asked for another slot: it holds no seat. */
static int demo_reschedule(struct store *s, struct demo_ctx *c, const struct person *p, const json_t *se, int dose,
                           int64_t now)
{
    const char *cid = arena_printf(c->a, "demo-resched-%lld", (long long)p->id);
    json_t *old;
    int rc = vaccine__appointment_find_client(s, cid, &old);
    if (rc == STORE_OK) {
        json_decref(old);
        return 0;
    }
    rc = vaccine__appointment_active(s, p->id, &old);
    if (rc == STORE_OK) {
        json_decref(old);
        return 0;
    }
    if (rc != STORE_DONE)
        return rc;
    int64_t id, st = vaccine__int(se, "starts_at");
    rc = vaccine__appointment_insert(s, cid, p->id, se, dose, "invited", st, st + 1800, "invitation", now - 3600, &id);
    if (!rc)
        rc = vaccine__appointment_set(s, id, "reschedule_requested", now - 1800);
    return rc;
}

static int demo_person(struct store *s, struct demo_ctx *c, int i, int64_t now)
{
    struct person p;
    bool existing;
    struct fault f;
    /* With a date of birth: a certificate names its holder and gives it. */
    const struct people_fields who = {.full_name = demo_people[i].name, .date_of_birth = demo_people[i].dob,
                                     .phone = demo_people[i].phone, .commune_code = DEMO_COMMUNE};
    fault_clear(&f);
    int rc = people_create(s, c->a, &who, 0, &p, &existing, &f);
    if (rc)
        return rc;
    json_t *reg;
    rc = vaccine__registration_get_person(s, p.id, &reg);
    if (rc == STORE_OK)
        json_decref(reg);
    else if (rc == STORE_DONE) {
        int64_t id;
        rc = vaccine__registration_insert(s, arena_printf(c->a, "demo-reg-%s", demo_people[i].phone), &p,
                                          demo_people[i].group, "", "list", -1, 0, 0, now, &id);
    }
    if (!rc && i == 5 && c->tomorrow) /* never vaccinated: the first dose's slot does not suit them */
        rc = demo_reschedule(s, c, &p, c->tomorrow, 1, now);
    if (rc || !demo_people[i].product)
        return rc;
    const struct vaccine_product *prod = vaccine_product_find(c->d, demo_people[i].product);
    if (!prod)
        return STORE_OK;
    for (int n = 1; n <= demo_people[i].doses; n++) {
        const char *cid = arena_printf(c->a, "demo-dose-%s-%d", demo_people[i].phone, n);
        json_t *old;
        rc = vaccine__dose_find_client(s, cid, &old);
        if (rc == STORE_OK) {
            json_decref(old);
            continue;
        }
        if (rc != STORE_DONE)
            return rc;
        int64_t at = n == 1 ? now - 60 * DAY : now - 3600;
        struct vaccine_dose_hist h[2] = {{1, prod->code, now - 60 * DAY}, {2, prod->code, at}};
        struct vaccine_next next;
        vaccine_next_dose(c->d, h, n, &next);
        struct vaccine_dose_new in = {
            .client_id = cid, .person_id = p.id, .dose_number = n, .product = prod->code,
            .lot = n == 1 ? "FF2587" : "FK7713", .site = c->site, .vaccinator_name = "phucxa.vaccinator", .at = at,
            .observation_until = at + (int64_t)c->d->observation_minutes * 60, .next_earliest = next.earliest,
            .next_latest = next.latest, .age = -1, .completes = n == prod->doses, .booster = n > prod->doses,
            .priority_group = demo_people[i].group, .person = &p, .now = now};
        int64_t dose_id, cert_id;
        rc = vaccine__dose_insert(s, &in, &dose_id);
        if (!rc)
            rc = vaccine__certificate_issue(s, c->a, &p, dose_id, n, prod, prod->doses, at, &cert_id);
        if (!rc && i == 1) {
            json_t *dose;
            int64_t ae;
            rc = vaccine__dose_get(s, dose_id, &dose);
            if (!rc) {
                rc = vaccine__adverse_insert(s, "demo-ae-1", dose, "mild", "Sốt nhẹ 38°C, đau chỗ tiêm",
                                             at + 6 * 3600, "citizen", 0, p.id, now, &ae);
                json_decref(dose);
            }
        }
        if (rc)
            return rc;
    }
    /* Due for a second AstraZeneca dose, and asking for another day than the one offered. */
    if (i == 1 && c->tomorrow_az)
        return demo_reschedule(s, c, &p, c->tomorrow_az, 2, now);
    /* A booking for tomorrow for someone whose next dose is due. */
    if (i == 4 && c->tomorrow) {
        json_t *appt;
        rc = vaccine__appointment_active(s, p.id, &appt);
        if (rc == STORE_OK) {
            json_decref(appt);
            return 0;
        }
        bool taken;
        rc = vaccine__seat_take(s, vaccine__int(c->tomorrow, "id"), &taken);
        if (!rc && taken) {
            int64_t id, st = vaccine__int(c->tomorrow, "starts_at");
            rc = vaccine__appointment_insert(s, "demo-appt-1", p.id, c->tomorrow, 2, "invited", st, st + 1800,
                                             "invitation", now, &id);
        }
    }
    return rc;
}

static int demo_tx(struct store *s, void *p)
{
    struct demo_ctx *c = p;
    int64_t now = clock_now();
    json_t *later = NULL; /* a day later: a session the reschedule queue can offer */
    json_decref(c->site);
    json_decref(c->today);
    json_decref(c->tomorrow);
    json_decref(c->tomorrow_az);
    c->site = c->today = c->tomorrow = c->tomorrow_az = NULL;
    int rc = ensure_site(s, c);
    if (!rc)
        rc = ensure_session(s, c, now, "pfizer", &c->today);
    if (!rc)
        rc = ensure_session(s, c, now + DAY, "pfizer", &c->tomorrow);
    if (!rc)
        rc = ensure_session(s, c, now + DAY, "astrazeneca", &c->tomorrow_az);
    if (!rc)
        rc = ensure_session(s, c, now + 2 * DAY, "astrazeneca", &later);
    json_decref(later);
    for (size_t i = 0; !rc && i < sizeof(demo_people) / sizeof(demo_people[0]); i++)
        rc = demo_person(s, c, (int)i, now);
    return rc;
}

int vaccine_demo(struct store *s)
{
    struct demo_ctx c = {0};
    struct arena a;
    arena_init(&a);
    c.a = &a;
    c.d = vaccine_data();
    int rc = c.d ? vaccine__issuer_ready(s) : ERR_UNAVAILABLE;
    if (!rc)
        rc = store_tx(s, demo_tx, &c);
    json_decref(c.site);
    json_decref(c.today);
    json_decref(c.tomorrow);
    json_decref(c.tomorrow_az);
    arena_release(&a);
    return rc;
}
