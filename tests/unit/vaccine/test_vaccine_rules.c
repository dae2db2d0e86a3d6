/*
 * test_vaccine_rules.c - the vaccination rules over the shipped data
 * (data/vaccine_products.json, data/priority_groups.json): parsing and its
 * refusals, dates and ages, eligibility, dose checks (sequence, ages, mixing,
 * boosters, intervals), the next dose, status, screening; and the demo data
 * on a real SQLite store (idempotent).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "area/unit.h"
#include "core/kek.h"
#include "store/migrate.h"
#include "store/store.h"
#include "vaccine/vaccine.h"

#define DAY 86400

static struct vaccine_data *d;

static int load(void **state)
{
    (void)state;
    char dir[600], err[256];
    snprintf(dir, sizeof(dir), "%s/data", CORDON_SOURCE_DIR);
    if (vaccine_data_load_dir(dir, &d, err, sizeof(err))) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    setenv("CORDON_VACCINE_DATA", dir, 1); /* for vaccine_data() in the demo test */
    return 0;
}

static int unload(void **state)
{
    (void)state;
    vaccine_data_free(d);
    return 0;
}

static void test_data_shipped(void **state)
{
    (void)state;
    const struct vaccine_product *p = vaccine_product_find(d, "pfizer");
    assert_non_null(p);
    assert_int_equal(p->doses, 2);
    assert_int_equal(p->interval_min[0], 21);
    assert_string_equal(p->dcc_vp, "1119349007");
    assert_string_equal(p->cvx, "208");
    assert_non_null(vaccine_product_find(d, "abdala"));
    assert_int_equal(vaccine_product_find(d, "abdala")->doses, 3);
    assert_null(vaccine_product_find(d, "nope"));
    assert_non_null(vaccine_group_find(d, "health_workers"));
    assert_true(vaccine_condition_known(d, "chronic_disease"));
    assert_false(vaccine_condition_known(d, "flu"));
    assert_true(d->nchecks >= 5);
    assert_int_equal(d->observation_minutes, 30);
}

static void test_data_refused(void **state)
{
    (void)state;
    struct vaccine_data *x;
    char err[256];
    const char *groups = "{\"groups\":[{\"code\":\"g\",\"name_vi\":\"G\",\"name_en\":\"G\"}],"
                         "\"screening\":[{\"code\":\"a\",\"if_yes\":\"defer\",\"question_vi\":\"?\",\"question_en\":\"?\"}]}";
    const char *prod = "{\"products\":[{\"code\":\"p\",\"name\":\"P\",\"doses\":2,\"intervals_days\":[[21,28]],"
                       "\"dcc\":{\"vp\":\"J07BX03\",\"mp\":\"CoronaVac\",\"ma\":\"Sinovac-Biotech\"}}]}";
    assert_int_equal(vaccine_data_parse(prod, groups, &x, err, sizeof(err)), 0);
    vaccine_data_free(x);
    /* intervals missing for a two-dose product */
    assert_int_equal(vaccine_data_parse("{\"products\":[{\"code\":\"p\",\"name\":\"P\",\"doses\":2,"
                                        "\"dcc\":{\"vp\":\"J07BX03\",\"mp\":\"CoronaVac\",\"ma\":\"Sinovac-Biotech\"}}]}",
                                        groups, &x, err, sizeof(err)),
                     -1);
    assert_null(x);
    assert_non_null(strstr(err, "intervals_days"));
    /* mixing names an unknown product */
    assert_int_equal(vaccine_data_parse("{\"products\":[{\"code\":\"p\",\"name\":\"P\",\"doses\":1,"
                                        "\"dcc\":{\"vp\":\"J07BX03\",\"mp\":\"CoronaVac\",\"ma\":\"Sinovac-Biotech\"}}],\"mixing\":[[\"p\",\"q\"]]}",
                                        groups, &x, err, sizeof(err)),
                     -1);
    assert_non_null(strstr(err, "mixing"));
    /* bad if_yes */
    assert_int_equal(vaccine_data_parse(prod,
                                        "{\"groups\":[{\"code\":\"g\",\"name_vi\":\"G\",\"name_en\":\"G\"}],"
                                        "\"screening\":[{\"code\":\"a\",\"if_yes\":\"maybe\",\"question_vi\":\"?\","
                                        "\"question_en\":\"?\"}]}",
                                        &x, err, sizeof(err)),
                     -1);
    assert_int_equal(vaccine_data_parse("not json", groups, &x, err, sizeof(err)), -1);
    /* a certificate code outside the EU value sets */
    assert_int_equal(vaccine_data_parse("{\"products\":[{\"code\":\"p\",\"name\":\"P\",\"doses\":1,"
                                        "\"dcc\":{\"vp\":\"J07BX03\",\"mp\":\"Snake-Oil\",\"ma\":\"Sinovac-Biotech\"}}]}",
                                        groups, &x, err, sizeof(err)),
                     -1);
    assert_non_null(strstr(err, "Snake-Oil is not a code of EU value set vaccine-medicinal-product"));
}

static void test_dates(void **state)
{
    (void)state;
    char day[11];
    vaccine_day(1630429200, day); /* 2021-08-31T17:00:00Z = 2021-09-01 00:00 in Ha Noi */
    assert_string_equal(day, "2021-09-01");
    vaccine_day(1630429199, day);
    assert_string_equal(day, "2021-08-31");
    assert_int_equal(vaccine_age_years("1980-09-01", 1630429200), 41);
    assert_int_equal(vaccine_age_years("1980-09-02", 1630429200), 40);
    assert_int_equal(vaccine_age_years("bad", 1630429200), -1);
    assert_int_equal(vaccine_age_years(NULL, 1630429200), -1);
    assert_string_equal(vaccine_age_group(17), "12-17");
    assert_string_equal(vaccine_age_group(65), "65+");
    assert_string_equal(vaccine_age_group(-1), "unknown");
}

static void test_eligibility(void **state)
{
    (void)state;
    struct fault f = {0};
    const char *chronic[] = {"chronic_disease"};
    assert_int_equal(vaccine_check_eligibility(d, vaccine_group_find(d, "general"), 30, NULL, 0, &f), 0);
    assert_int_equal(vaccine_check_eligibility(d, vaccine_group_find(d, "general"), 15, NULL, 0, &f), ERR_INVALID_FIELD);
    assert_string_equal(f.field, "priority_group");
    assert_int_equal(vaccine_check_eligibility(d, vaccine_group_find(d, "adolescents"), 15, NULL, 0, &f), 0);
    assert_int_equal(vaccine_check_eligibility(d, vaccine_group_find(d, "adolescents"), 11, NULL, 0, &f),
                     ERR_INVALID_FIELD);
    assert_int_equal(vaccine_check_eligibility(d, vaccine_group_find(d, "elderly"), 64, NULL, 0, &f), ERR_INVALID_FIELD);
    assert_int_equal(vaccine_check_eligibility(d, vaccine_group_find(d, "chronic_disease"), 40, NULL, 0, &f),
                     ERR_INVALID_FIELD);
    assert_string_equal(f.field, "conditions");
    assert_int_equal(vaccine_check_eligibility(d, vaccine_group_find(d, "chronic_disease"), 40, chronic, 1, &f), 0);
    assert_int_equal(vaccine_check_eligibility(d, vaccine_group_find(d, "general"), -1, NULL, 0, &f), ERR_INVALID_FIELD);
}

static void test_dose_rules(void **state)
{
    (void)state;
    struct fault f = {0};
    const int64_t t0 = 1630429200;
    const struct vaccine_product *pf = vaccine_product_find(d, "pfizer"), *az = vaccine_product_find(d, "astrazeneca"),
                                 *sp = vaccine_product_find(d, "sinopharm"), *ab = vaccine_product_find(d, "abdala");
    struct vaccine_dose_hist h[4] = {{1, "astrazeneca", t0}};
    /* first dose: any product for the age */
    assert_int_equal(vaccine_dose_check(d, h, 0, az, 1, 40, t0, "product", "at", &f), 0);
    assert_int_equal(vaccine_dose_check(d, h, 0, az, 1, 16, t0, "product", "at", &f), ERR_CONFLICT);
    assert_string_equal(f.field, "product");
    assert_int_equal(vaccine_dose_check(d, h, 0, ab, 1, 70, t0, "product", "at", &f), ERR_CONFLICT);
    /* sequence */
    assert_int_equal(vaccine_dose_check(d, h, 1, az, 3, 40, t0 + 60 * DAY, "product", "at", &f), ERR_INVALID_FIELD);
    assert_string_equal(f.field, "dose_number");
    assert_int_equal(vaccine_dose_check(d, h, 1, az, 1, 40, t0 + 60 * DAY, "product", "at", &f), ERR_CONFLICT);
    /* interval: AstraZeneca 56 days */
    assert_int_equal(vaccine_dose_check(d, h, 1, az, 2, 40, t0 + 55 * DAY, "product", "at", &f), ERR_CONFLICT);
    assert_string_equal(f.field, "at");
    assert_int_equal(vaccine_dose_check(d, h, 1, az, 2, 40, t0 + 56 * DAY, "product", "at", &f), 0);
    /* mixing: AstraZeneca then Pfizer allowed, Sinopharm not */
    assert_int_equal(vaccine_dose_check(d, h, 1, pf, 2, 40, t0 + 60 * DAY, "product", "at", &f), 0);
    assert_int_equal(vaccine_dose_check(d, h, 1, sp, 2, 40, t0 + 60 * DAY, "product", "at", &f), ERR_CONFLICT);
    assert_string_equal(f.field, "product");
    /* booster after the primary series: booster products only, 90 days after */
    h[1] = (struct vaccine_dose_hist){2, "pfizer", t0 + 60 * DAY};
    assert_int_equal(vaccine_dose_check(d, h, 2, sp, 3, 40, t0 + 200 * DAY, "product", "at", &f), ERR_CONFLICT);
    assert_int_equal(vaccine_dose_check(d, h, 2, vaccine_product_find(d, "moderna"), 3, 40, t0 + 149 * DAY, "product",
                                        "at", &f),
                     ERR_CONFLICT);
    assert_string_equal(f.field, "at");
    assert_int_equal(vaccine_dose_check(d, h, 2, vaccine_product_find(d, "moderna"), 3, 40, t0 + 150 * DAY, "product",
                                        "at", &f),
                     0);
}

static void test_next_and_status(void **state)
{
    (void)state;
    const int64_t t0 = 1630429200;
    struct vaccine_dose_hist h[4] = {{1, "pfizer", t0}, {2, "pfizer", t0 + 21 * DAY}, {3, "moderna", t0 + 200 * DAY}};
    struct vaccine_next nx;
    assert_string_equal(vaccine_status(d, h, 0), "none");
    vaccine_next_dose(d, h, 0, &nx);
    assert_int_equal(nx.number, 1);
    assert_int_equal(nx.earliest, 0);
    assert_string_equal(vaccine_status(d, h, 1), "partial");
    vaccine_next_dose(d, h, 1, &nx);
    assert_int_equal(nx.number, 2);
    assert_false(nx.booster);
    assert_int_equal(nx.earliest, t0 + 21 * DAY);
    assert_int_equal(nx.latest, t0 + 84 * DAY);
    assert_string_equal(vaccine_status(d, h, 2), "complete");
    vaccine_next_dose(d, h, 2, &nx);
    assert_true(nx.booster);
    assert_int_equal(nx.earliest, t0 + 21 * DAY + 90 * DAY);
    assert_string_equal(vaccine_status(d, h, 3), "booster");
    struct vaccine_dose_hist a[3] = {{1, "abdala", t0}, {2, "abdala", t0 + 14 * DAY}};
    assert_string_equal(vaccine_status(d, a, 2), "partial");
    vaccine_next_dose(d, a, 2, &nx);
    assert_int_equal(nx.earliest, t0 + 28 * DAY);
}

static void test_screening(void **state)
{
    (void)state;
    struct fault f = {0};
    enum vaccine_outcome o;
    json_t *reasons;
    int days;
    json_t *ans = json_object();
    for (int i = 0; i < d->nchecks; i++)
        json_object_set_new(ans, d->checks[i].code, json_false());
    assert_int_equal(vaccine_screen(d, ans, &o, &reasons, &days, &f), 0);
    assert_int_equal(o, VACCINE_PROCEED);
    assert_int_equal(json_array_size(reasons), 0);
    json_decref(reasons);
    json_object_set_new(ans, "acute_illness", json_true());
    json_object_set_new(ans, "covid_recent", json_true());
    assert_int_equal(vaccine_screen(d, ans, &o, &reasons, &days, &f), 0);
    assert_int_equal(o, VACCINE_DEFER);
    assert_int_equal(days, 90);
    assert_int_equal(json_array_size(reasons), 2);
    json_decref(reasons);
    json_object_set_new(ans, "severe_allergy", json_true());
    assert_int_equal(vaccine_screen(d, ans, &o, &reasons, &days, &f), 0);
    assert_int_equal(o, VACCINE_REFER);
    json_decref(reasons);
    json_object_del(ans, "severe_allergy");
    assert_int_equal(vaccine_screen(d, ans, &o, &reasons, &days, &f), ERR_MISSING_FIELD);
    assert_string_equal(f.field, "answers.severe_allergy");
    json_object_set_new(ans, "severe_allergy", json_integer(1));
    assert_int_equal(vaccine_screen(d, ans, &o, &reasons, &days, &f), ERR_INVALID_FIELD);
    json_object_set_new(ans, "severe_allergy", json_false());
    json_object_set_new(ans, "headache", json_false());
    assert_int_equal(vaccine_screen(d, ans, &o, &reasons, &days, &f), ERR_UNKNOWN_FIELD);
    assert_int_equal(vaccine_screen(d, NULL, &o, &reasons, &days, &f), ERR_MISSING_FIELD);
    json_decref(ans);
}

/* Pregnancy is not asked of men nor of anyone over 55; asked when sex or age is unknown. */
static void test_screening_applies(void **state)
{
    (void)state;
    const struct vaccine_check *preg = NULL, *fever = NULL;
    for (int i = 0; i < d->nchecks; i++) {
        if (!strcmp(d->checks[i].code, "pregnant_under_13w"))
            preg = &d->checks[i];
        if (!strcmp(d->checks[i].code, "acute_illness"))
            fever = &d->checks[i];
    }
    assert_non_null(preg);
    assert_false(vaccine_check_applies(preg, "male", 30));
    assert_false(vaccine_check_applies(preg, "female", 76));
    assert_true(vaccine_check_applies(preg, "female", 55));
    assert_true(vaccine_check_applies(preg, "other", 30));
    assert_true(vaccine_check_applies(preg, NULL, -1));
    assert_true(vaccine_check_applies(fever, "male", 76));
    struct fault f = {0};
    enum vaccine_outcome o;
    json_t *reasons;
    int days;
    json_t *ans = json_object();
    for (int i = 0; i < d->nchecks; i++)
        if (&d->checks[i] != preg)
            json_object_set_new(ans, d->checks[i].code, json_false());
    /* left out for a man: fine; for a woman of 30: missing */
    assert_int_equal(vaccine_screen_for(d, "male", 40, ans, &o, &reasons, &days, &f), 0);
    json_decref(reasons);
    assert_int_equal(vaccine_screen_for(d, "female", 30, ans, &o, &reasons, &days, &f), ERR_MISSING_FIELD);
    assert_string_equal(f.field, "answers.pregnant_under_13w");
    /* answered false anyway: ignored; answered true: refused */
    json_object_set_new(ans, "pregnant_under_13w", json_false());
    assert_int_equal(vaccine_screen_for(d, "female", 76, ans, &o, &reasons, &days, &f), 0);
    assert_int_equal(o, VACCINE_PROCEED);
    json_decref(reasons);
    json_object_set_new(ans, "pregnant_under_13w", json_true());
    assert_int_equal(vaccine_screen_for(d, "male", 40, ans, &o, &reasons, &days, &f), ERR_INVALID_FIELD);
    assert_string_equal(f.field, "answers.pregnant_under_13w");
    json_decref(ans);
}

static int count(struct store *s, const char *table)
{
    char sql[128];
    int64_t n = -1;
    snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM %s", table);
    store_int(s, &n, sql, "");
    return (int)n;
}

static void test_demo(void **state)
{
    (void)state;
    char path[64], url[96], err[256];
    snprintf(path, sizeof(path), "/tmp/cordon-test-vaccine-%d.db", (int)getpid());
    snprintf(url, sizeof(url), "sqlite:%s", path);
    struct store *s;
    assert_int_equal(store_open(url, &s, err, sizeof(err)), 0);
    assert_int_equal(migrate_apply(s, NULL), STORE_OK);
    assert_int_equal(unit_reference_load(s, NULL), STORE_OK);
    assert_int_equal(unit_registry_load(s), STORE_OK);
    assert_int_equal(vaccine_demo(s), 0);
    int doses = count(s, "vaccine_doses");
    assert_true(doses >= 5);
    assert_int_equal(count(s, "vaccine_certificates"), doses);
    assert_int_equal(count(s, "vaccine_sites"), 1);
    assert_int_equal(count(s, "vaccine_registrations"), 7); /* six, and the demo family's father */
    assert_int_equal(vaccine_demo(s), 0); /* again: nothing new */
    assert_int_equal(count(s, "vaccine_doses"), doses);
    assert_int_equal(count(s, "vaccine_sessions"), 4); /* today and tomorrow (Pfizer), tomorrow and after (AstraZeneca) */
    assert_int_equal(count(s, "vaccine_appointments"), 3); /* a booking, two asking for another slot */
    int64_t booked = -1;
    store_int(s, &booked, "SELECT SUM(booked) FROM vaccine_sessions", "");
    assert_int_equal(booked, 1);
    store_close(s);
    unit_registry_free();
    char p[128];
    unlink(path);
    snprintf(p, sizeof(p), "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof(p), "%s-shm", path);
    unlink(p);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    /* Signing keys are stored sealed under a key-encryption key (core/kek.h). */
    struct kek kek;
    if (kek_from_hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", &kek))
        return 1;
    kek_use(&kek);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_data_shipped), cmocka_unit_test(test_data_refused), cmocka_unit_test(test_dates),
        cmocka_unit_test(test_eligibility),  cmocka_unit_test(test_dose_rules),   cmocka_unit_test(test_next_and_status),
        cmocka_unit_test(test_screening),    cmocka_unit_test(test_screening_applies), cmocka_unit_test(test_demo),
    };
    return cmocka_run_group_tests(tests, load, unload);
}
