/* Unit tests of declare/declare.c: the rules of declarations, without a server. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "area/unit.h"
#include "core/arena.h"
#include "declare/declare.h"
#include "store/migrate.h"
#include "store/store.h"

static char db_path[64];

/* The unit registry, loaded from the shipped list into a scratch SQLite file. */
static int setup(void **state)
{
    (void)state;
    snprintf(db_path, sizeof(db_path), "/tmp/cordon-test-declare-%d.db", (int)getpid());
    char url[96], err[256];
    snprintf(url, sizeof(url), "sqlite:%s", db_path);
    struct store *s;
    if (store_open(url, &s, err, sizeof(err)))
        return -1;
    int rc = migrate_apply(s, NULL);
    if (!rc)
        rc = unit_reference_load(s, NULL);
    if (!rc)
        rc = unit_registry_load(s);
    store_close(s);
    return rc ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    unit_registry_free();
    char p[96];
    unlink(db_path);
    snprintf(p, sizeof(p), "%s-wal", db_path);
    unlink(p);
    snprintf(p, sizeof(p), "%s-shm", db_path);
    unlink(p);
    return 0;
}

/* 2021-08-01, the day the unit list was published: day 18840 since 1970-01-01. */
#define TODAY 18840

/* Parses the JSON text as a declaration of kind; returns the rc and fills d and f. */
static int parse(struct arena *a, const char *kind, const char *text, struct declaration *d, struct fault *f)
{
    json_error_t e;
    json_t *body = json_loads(text, 0, &e);
    assert_non_null(body);
    arena_on_release(a, (void (*)(void *))json_decref, body);
    memset(d, 0, sizeof(*d));
    d->kind = declare_kind_parse(kind);
    fault_clear(f);
    return declare_parse(a, body, TODAY, d, f);
}

static void references(void **state)
{
    (void)state;
    char ref[DECLARE_REF_LEN + 1], other[DECLARE_REF_LEN + 1];
    int64_t t = (int64_t)TODAY * 86400 + 17 * 3600; /* 2021-08-02 00:00 in Vietnam */
    declare_reference_make(t, ref);
    assert_int_equal(strlen(ref), DECLARE_REF_LEN);
    assert_memory_equal(ref, "TK-20210802-", 12);
    assert_true(declare_reference_valid(ref));
    declare_reference_make(t, other);
    assert_string_not_equal(ref, other); /* 30 random bits each */
    assert_true(declare_reference_valid("TK-20261122-7Q4M2X"));
    assert_false(declare_reference_valid("TK-20261122-7Q4M2"));   /* short */
    assert_false(declare_reference_valid("TK-20261122-7Q4M2XX")); /* long */
    assert_false(declare_reference_valid("TK-20261122-7Q4M2U"));  /* U is not Crockford */
    assert_false(declare_reference_valid("TK-20261122-7q4m2x"));  /* lower case */
    assert_false(declare_reference_valid("TK-20260230-7Q4M2X"));  /* no such day */
    assert_false(declare_reference_valid("XX-20261122-7Q4M2X"));
    assert_false(declare_reference_valid("TK-20261122_7Q4M2X"));
    assert_false(declare_reference_valid(NULL));
}

static void countries(void **state)
{
    (void)state;
    const char *known[] = {"VN", "AD", "ZW", "US", "GB", "CN", "KR", "LA", "KH", "SS", "BQ", "AX", NULL};
    for (int i = 0; known[i]; i++)
        assert_true(declare_country_known(known[i]));
    const char *unknown[] = {"UK", "EU", "XK", "ZZ", "AA", "vn", "Vn", "V", "VNM", "", NULL};
    for (int i = 0; unknown[i]; i++)
        assert_false(declare_country_known(unknown[i]));
    /* All 676 pairs of letters: exactly the 249 assigned codes are known. */
    int n = 0;
    for (char a = 'A'; a <= 'Z'; a++)
        for (char b = 'A'; b <= 'Z'; b++) {
            char c[3] = {a, b, '\0'};
            n += declare_country_known(c);
        }
    assert_int_equal(n, 249);
}

static void bits(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    unsigned s = DECLARE_FEVER | DECLARE_LOSS_OF_TASTE_SMELL | DECLARE_OTHER_SYMPTOM;
    const char *joined = declare_bits_join(&a, s, true);
    assert_string_equal(joined, "fever,loss_of_taste_smell,other");
    assert_int_equal(declare_bits_split(joined, true), s);
    assert_string_equal(declare_bits_join(&a, 0, true), "");
    assert_int_equal(declare_bits_split("", true), 0);
    assert_int_equal(declare_bits_split(NULL, false), 0);
    unsigned e = DECLARE_CONTACT_WITH_CASE | DECLARE_RETURNED_FROM_ABROAD;
    assert_int_equal(declare_bits_split(declare_bits_join(&a, e, false), false), e);
    arena_release(&a);
}

static void health(void **state)
{
    (void)state;
    struct arena a;
    struct declaration d;
    struct fault f;
    arena_init(&a);
    assert_int_equal(parse(&a, "health", "{\"health_status\":\"well\"}", &d, &f), 0);
    assert_false(d.flagged);
    assert_int_equal(d.symptoms, 0);
    assert_int_equal(parse(&a, "health", "{\"health_status\":\"well\",\"symptoms\":[],\"exposure\":[]}", &d, &f), 0);
    assert_false(d.flagged);
    assert_int_equal(parse(&a, "health", "{\"health_status\":\"unwell\",\"symptoms\":[\"fever\",\"cough\"]}", &d, &f),
                     0);
    assert_true(d.flagged);
    assert_int_equal(d.symptoms, DECLARE_FEVER | DECLARE_COUGH);
    assert_int_equal(parse(&a, "health", "{\"health_status\":\"well\",\"exposure\":[\"contact_with_case\"]}", &d, &f),
                     0);
    assert_true(d.flagged);
    assert_int_equal(d.exposure, DECLARE_CONTACT_WITH_CASE);
    /* unwell alone does not flag: the list is for symptoms and exposure */
    assert_int_equal(parse(&a, "health", "{\"health_status\":\"unwell\"}", &d, &f), 0);
    assert_false(d.flagged);
    arena_release(&a);
}

static void travel_and_entry(void **state)
{
    (void)state;
    struct arena a;
    struct declaration d;
    struct fault f;
    arena_init(&a);
    assert_int_equal(parse(&a, "domestic_travel",
                           "{\"origin_commune\":\"00001\",\"destination_commune\":\"26734\",\"vehicle\":\"car\","
                           "\"vehicle_number\":\"29a-123.45\",\"travel_date\":\"2021-08-31\"}",
                           &d, &f),
                     0);
    assert_string_equal(d.vehicle_number, "29A-123.45"); /* upper-cased */
    assert_string_equal(d.travel_date, "2021-08-31");
    assert_false(d.flagged);
    assert_int_equal(parse(&a, "entry",
                           "{\"from_country\":\"KR\",\"entry_point\":\"Sân bay Nội Bài\",\"flight_number\":\"vn417\","
                           "\"arrival_date\":\"2021-07-02\"}",
                           &d, &f),
                     0);
    assert_string_equal(d.flight_number, "VN417");
    assert_string_equal(d.entry_point, "Sân bay Nội Bài");
    assert_int_equal(parse(&a, "entry", "{\"from_country\":\"JP\",\"entry_point\":\"Cửa khẩu Mộc Bài\","
                                        "\"arrival_date\":\"2021-08-01\"}", &d, &f), 0);
    assert_null(d.flight_number);
    arena_release(&a);
}

/* Each bad body names exactly its field. */
static void refusals(void **state)
{
    (void)state;
    static const struct {
        const char *kind, *body, *field;
        int code;
    } cases[] = {
        {"health", "{}", "health_status", ERR_MISSING_FIELD},
        {"health", "{\"health_status\":\"sick\"}", "health_status", ERR_INVALID_FIELD},
        {"health", "{\"health_status\":1}", "health_status", ERR_INVALID_FIELD},
        {"health", "{\"health_status\":\"well\",\"symptoms\":[\"headache\"]}", "symptoms", ERR_INVALID_FIELD},
        {"health", "{\"health_status\":\"well\",\"symptoms\":\"fever\"}", "symptoms", ERR_INVALID_FIELD},
        {"health", "{\"health_status\":\"well\",\"symptoms\":[1]}", "symptoms", ERR_INVALID_FIELD},
        {"health", "{\"health_status\":\"well\",\"symptoms\":[\"fever\",\"fever\"]}", "symptoms", ERR_INVALID_FIELD},
        {"health", "{\"health_status\":\"well\",\"exposure\":[\"party\"]}", "exposure", ERR_INVALID_FIELD},
        {"health", "{\"health_status\":\"well\",\"vehicle\":\"car\"}", "vehicle", ERR_UNKNOWN_FIELD},
        {"domestic_travel", "{\"destination_commune\":\"26734\",\"vehicle\":\"car\",\"travel_date\":\"2021-08-01\"}",
         "origin_commune", ERR_MISSING_FIELD},
        {"domestic_travel", "{\"origin_commune\":\"99999\",\"destination_commune\":\"26734\",\"vehicle\":\"car\","
                            "\"travel_date\":\"2021-08-01\"}", "origin_commune", ERR_INVALID_FIELD},
        {"domestic_travel", "{\"origin_commune\":\"001\",\"destination_commune\":\"26734\",\"vehicle\":\"car\","
                            "\"travel_date\":\"2021-08-01\"}", "origin_commune", ERR_INVALID_FIELD},
        {"domestic_travel", "{\"origin_commune\":\"00001\",\"destination_commune\":\"2673\",\"vehicle\":\"car\","
                            "\"travel_date\":\"2021-08-01\"}", "destination_commune", ERR_INVALID_FIELD},
        {"domestic_travel", "{\"origin_commune\":\"00001\",\"destination_commune\":\"26734\",\"vehicle\":\"horse\","
                            "\"travel_date\":\"2021-08-01\"}", "vehicle", ERR_INVALID_FIELD},
        {"domestic_travel", "{\"origin_commune\":\"00001\",\"destination_commune\":\"26734\",\"vehicle\":\"car\","
                            "\"vehicle_number\":\"29A<1>\",\"travel_date\":\"2021-08-01\"}", "vehicle_number",
         ERR_INVALID_FIELD},
        {"domestic_travel", "{\"origin_commune\":\"00001\",\"destination_commune\":\"26734\",\"vehicle\":\"car\","
                            "\"travel_date\":\"2021-02-30\"}", "travel_date", ERR_INVALID_FIELD},
        {"domestic_travel", "{\"origin_commune\":\"00001\",\"destination_commune\":\"26734\",\"vehicle\":\"car\","
                            "\"travel_date\":\"2021-09-01\"}", "travel_date", ERR_INVALID_FIELD}, /* 31 days on */
        {"domestic_travel", "{\"origin_commune\":\"00001\",\"destination_commune\":\"26734\",\"vehicle\":\"car\","
                            "\"travel_date\":\"2021-07-01\"}", "travel_date", ERR_INVALID_FIELD}, /* 31 days ago */
        {"domestic_travel", "{\"origin_commune\":\"00001\",\"destination_commune\":\"26734\",\"vehicle\":\"car\","
                            "\"travel_date\":\"2021-08-01\",\"from_country\":\"KR\"}", "from_country",
         ERR_UNKNOWN_FIELD},
        {"entry", "{\"from_country\":\"kr\",\"entry_point\":\"Nội Bài\",\"arrival_date\":\"2021-08-01\"}",
         "from_country", ERR_INVALID_FIELD},
        {"entry", "{\"from_country\":\"KOR\",\"entry_point\":\"Nội Bài\",\"arrival_date\":\"2021-08-01\"}",
         "from_country", ERR_INVALID_FIELD},
        {"entry", "{\"from_country\":\"UK\",\"entry_point\":\"Nội Bài\",\"arrival_date\":\"2021-08-01\"}",
         "from_country", ERR_INVALID_FIELD},
        {"entry", "{\"from_country\":\"KR\",\"arrival_date\":\"2021-08-01\"}", "entry_point", ERR_MISSING_FIELD},
        {"entry", "{\"from_country\":\"KR\",\"entry_point\":\"a\\u0001b\",\"arrival_date\":\"2021-08-01\"}",
         "entry_point", ERR_INVALID_FIELD},
        {"entry", "{\"from_country\":\"KR\",\"entry_point\":\"Nội Bài\",\"flight_number\":\"VN 417\","
                  "\"arrival_date\":\"2021-08-01\"}", "flight_number", ERR_INVALID_FIELD},
        {"entry", "{\"from_country\":\"KR\",\"entry_point\":\"Nội Bài\",\"arrival_date\":\"01/08/2021\"}",
         "arrival_date", ERR_INVALID_FIELD},
        {"entry", "{\"from_country\":\"KR\",\"entry_point\":\"Nội Bài\",\"arrival_date\":\"2021-08-01\","
                  "\"symptoms\":[]}", "symptoms", ERR_UNKNOWN_FIELD},
        {"spaceflight", "{}", "kind", ERR_INVALID_FIELD},
    };
    struct arena a;
    struct declaration d;
    struct fault f;
    arena_init(&a);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int rc = parse(&a, cases[i].kind, cases[i].body, &d, &f);
        if (rc != cases[i].code || !f.field || strcmp(f.field, cases[i].field)) {
            print_error("case %zu (%s %s): rc %d field %s: %s\n", i, cases[i].kind, cases[i].body, rc,
                        f.field ? f.field : "(none)", f.message);
            fail();
        }
    }
    arena_release(&a);
}

static void to_json(void **state)
{
    (void)state;
    struct declaration d = {.id = 7, .client_id = "abcdefgh", .person_id = 3, .kind = DECLARE_HEALTH,
                            .symptoms = DECLARE_COUGH, .health_status = "unwell", .flagged = true,
                            .commune_code = "00001", .declared_at = 1627776000};
    strcpy(d.reference, "TK-20210801-ABCDEF");
    json_t *o = declare_to_json(&d, "CDN1.D.TK-20210801-ABCDEF.k1.sig");
    char *text = json_dumps(o, JSON_SORT_KEYS | JSON_COMPACT);
    assert_string_equal(text, "{\"client_id\":\"abcdefgh\",\"commune_code\":\"00001\",\"declared_at\":1627776000,"
                              "\"declared_by_staff\":false,\"exposure\":[],\"flagged\":true,\"health_status\":\"unwell\","
                              "\"id\":7,\"kind\":\"health\",\"person_id\":3,\"qr\":\"CDN1.D.TK-20210801-ABCDEF.k1.sig\","
                              "\"reference\":\"TK-20210801-ABCDEF\",\"symptoms\":[\"cough\"]}");
    free(text);
    json_decref(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(references), cmocka_unit_test(countries),        cmocka_unit_test(bits),
        cmocka_unit_test(health),     cmocka_unit_test(travel_and_entry), cmocka_unit_test(refusals),
        cmocka_unit_test(to_json),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
