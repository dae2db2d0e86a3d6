/*
 * The DCC JSON schema as code (src/dcc/schema.c): each rule, by release, and
 * the shipped value sets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "dcc/schema.h"

static const char vaccination[] =
    "{\"ver\":\"%s\",\"nam\":{\"fn\":\"Tr\xe1\xba\xa7n\",\"fnt\":\"TRAN\",\"gn\":\"V\xc4\x83n\",\"gnt\":\"VAN\"},"
    "\"dob\":\"%s\",\"v\":[{\"tg\":\"840539006\",\"vp\":\"1119349007\",\"mp\":\"EU/1/20/1528\","
    "\"ma\":\"ORG-100030215\",\"dn\":%s,\"sd\":2,\"dt\":\"%s\",\"co\":\"%s\",\"is\":\"Ministry of Health\","
    "\"ci\":\"URN:UVCI:01:VN:1\"}]}";

/* Checks the vaccination payload with these values; returns the faulty field or "" when it conforms. */
static const char *check(const char *ver, const char *dob, const char *dn, const char *dt, const char *co)
{
    static char where[32];
    char text[1024], why[112];
    snprintf(text, sizeof(text), vaccination, ver, dob, dn, dt, co);
    json_t *p = json_loads(text, 0, NULL);
    assert_non_null(p);
    int rc = dcc_schema_check(p, dcc_valuesets_shipped(), where, sizeof(where), why, sizeof(why));
    json_decref(p);
    if (!rc)
        where[0] = '\0';
    return where;
}

static void test_dates_of_birth(void **state)
{
    (void)state;
    for (const char *const *ok = (const char *const[]){"1979-04-14", "1979-04", "1979", "", "2000-02-29", NULL}; *ok;
         ok++)
        assert_string_equal(check("1.3.0", *ok, "1", "2021-06-01", "VN"), "");
    for (const char *const *bad = (const char *const[]){"1815-08-24", "2100-01-01", "79-04-14", "1979-4-14",
                                                        "1979-04-14T00:00:00", "1979-04-14-01", NULL};
         *bad; bad++)
        assert_string_equal(check("1.3.0", *bad, "1", "2021-06-01", "VN"), "dob");
    /* Release 1.0: a time may follow; empty is not a date. */
    assert_string_equal(check("1.0.0", "1979-04-14T00:00:00", "1", "2021-06-01", "VN"), "");
    assert_string_equal(check("1.0.0", "", "1", "2021-06-01", "VN"), "dob");
}

static void test_doses_by_release(void **state)
{
    (void)state;
    assert_string_equal(check("1.3.0", "1970", "12", "2021-06-01", "VN"), "");
    assert_string_equal(check("1.2.1", "1970", "12", "2021-06-01", "VN"), "v[0].dn");
    assert_string_equal(check("1.0.0", "1970", "10", "2021-06-01", "VN"), "v[0].dn");
    assert_string_equal(check("1.3.0", "1970", "0", "2021-06-01", "VN"), "v[0].dn");
    assert_string_equal(check("1.3.0", "1970", "1.5", "2021-06-01", "VN"), "v[0].dn");
    assert_string_equal(check("1.3.0", "1970", "2.0", "2021-06-01", "VN"), ""); /* CBOR may carry 2.0 */
    assert_string_equal(check("1.3.0", "1970", "\"1\"", "2021-06-01", "VN"), "v[0].dn");
}

static void test_dates_and_countries(void **state)
{
    (void)state;
    for (const char *const *ok = (const char *const[]){"2021-06-01", "2021-06-01T10:00:00Z", "2021-06-01T10:00Z",
                                                       "2021-06-01T10:00:00.123+02:00", "2021-06-01T10:00:00+0200",
                                                       NULL};
         *ok; ok++)
        assert_string_equal(check("1.3.0", "1970", "1", *ok, "VN"), "");
    for (const char *const *bad = (const char *const[]){"2021-13-01", "2021-06-32", "01/06/2021", "2021-06-01T",
                                                        "2021-06-01T10:00:00+2", "", NULL};
         *bad; bad++)
        assert_string_equal(check("1.3.0", "1970", "1", *bad, "VN"), "v[0].dt");
    assert_string_equal(check("1.3.0", "1970", "1", "2021-06-01", "XY"), "v[0].co");
    assert_string_equal(check("1.3.0", "1970", "1", "2021-06-01", "vn"), "v[0].co");
    assert_string_equal(check("1.3.0", "1970", "1", "2021-06-01", ""), "v[0].co");
    assert_string_equal(check("1.3.0", "1970", "1", "2021-06-01", "XK"), ""); /* Kosovo is in the value set */
}

static void test_versions(void **state)
{
    (void)state;
    assert_string_equal(check("1.3.0", "1970", "1", "2021-06-01", "VN"), "");
    assert_string_equal(check("10.20.30", "1970", "1", "2021-06-01", "VN"), "");
    assert_string_equal(check("1-3-0", "1970", "1", "2021-06-01", "VN"), ""); /* the schema's '.' is any character */
    assert_string_equal(check("1.3", "1970", "1", "2021-06-01", "VN"), "ver");
    assert_string_equal(check("v1.3.0", "1970", "1", "2021-06-01", "VN"), "ver");
    assert_string_equal(check("", "1970", "1", "2021-06-01", "VN"), "ver");
}

/* A payload from text, checked; returns the faulty field or "". */
static const char *check_text(const char *text, const struct dcc_valuesets *vs)
{
    static char where[32];
    char why[112];
    json_t *p = json_loads(text, 0, NULL);
    assert_non_null(p);
    int rc = dcc_schema_check(p, vs, where, sizeof(where), why, sizeof(why));
    json_decref(p);
    return rc ? where : "";
}

static void test_names_and_groups(void **state)
{
    (void)state;
    const struct dcc_valuesets *vs = dcc_valuesets_shipped();
    const char *rec = "\"r\":[{\"tg\":\"840539006\",\"fr\":\"2021-05-07\",\"co\":\"PL\",\"is\":\"X\","
                      "\"df\":\"2021-05-18\",\"du\":\"2021-09-05\",\"ci\":\"X\"}]";
    char text[1024];
    snprintf(text, sizeof(text), "{\"ver\":\"1.3.0\",\"nam\":{\"fnt\":\"KROL<NOWAK\"},\"dob\":\"1958\",%s}", rec);
    assert_string_equal(check_text(text, vs), "");
    snprintf(text, sizeof(text), "{\"ver\":\"1.3.0\",\"nam\":{\"fnt\":\"Krol\"},\"dob\":\"1958\",%s}", rec);
    assert_string_equal(check_text(text, vs), "nam.fnt");
    snprintf(text, sizeof(text), "{\"ver\":\"1.0.0\",\"nam\":{\"fnt\":\"Krol\"},\"dob\":\"1958\",%s}", rec);
    assert_string_equal(check_text(text, vs), ""); /* 1.0 had no ICAO pattern */
    snprintf(text, sizeof(text), "{\"ver\":\"1.3.0\",\"nam\":{\"gnt\":\"ANNA\"},\"dob\":\"1958\",%s}", rec);
    assert_string_equal(check_text(text, vs), "nam.fnt");
    snprintf(text, sizeof(text), "{\"ver\":\"1.3.2\",\"nam\":{\"gnt\":\"ANNA\"},\"dob\":\"1958\",%s}", rec);
    assert_string_equal(check_text(text, vs), "");
    snprintf(text, sizeof(text), "{\"ver\":\"1.3.2\",\"nam\":{\"fn\":\"Anna\"},\"dob\":\"1958\",%s}", rec);
    assert_string_equal(check_text(text, vs), "nam.fnt");
    /* 80 characters of Vietnamese are 80, not their bytes. */
    char longname[400] = "";
    for (int i = 0; i < 80; i++)
        strcat(longname, "\xe1\xbb\x87"); /* ệ */
    snprintf(text, sizeof(text), "{\"ver\":\"1.3.0\",\"nam\":{\"fn\":\"%s\",\"fnt\":\"E\"},\"dob\":\"1958\",%s}",
             longname, rec);
    assert_string_equal(check_text(text, vs), "");
    strcat(longname, "a");
    snprintf(text, sizeof(text), "{\"ver\":\"1.3.0\",\"nam\":{\"fn\":\"%s\",\"fnt\":\"E\"},\"dob\":\"1958\",%s}",
             longname, rec);
    assert_string_equal(check_text(text, vs), "nam.fn");

    assert_string_equal(check_text("{\"ver\":\"1.3.0\",\"nam\":{\"fnt\":\"A\"},\"dob\":\"1958\"}", vs), "v");
    assert_string_equal(check_text("{\"ver\":\"1.3.0\",\"nam\":{\"fnt\":\"A\"},\"dob\":\"1958\",\"r\":[]}", vs), "r");
    assert_string_equal(check_text("{\"ver\":\"1.3.0\",\"nam\":{\"fnt\":\"A\"},\"dob\":\"1958\",\"r\":{}}", vs), "r");
    assert_string_equal(check_text("{\"ver\":\"1.0.0\",\"nam\":{\"fnt\":\"A\"},\"dob\":\"1958\",\"r\":null}", vs), "");
    assert_string_equal(check_text("{\"ver\":\"1.3.0\",\"nam\":{\"fnt\":\"A\"},\"dob\":\"1958\",\"r\":null}", vs), "r");
    assert_string_equal(check_text("{\"ver\":\"1.3.0\",\"nam\":{\"fnt\":\"A\"},\"dob\":\"1958\",\"r\":[1]}", vs), "r[0]");
    assert_string_equal(check_text("{\"ver\":\"1.3.0\",\"nam\":\"A\",\"dob\":\"1958\",\"r\":[]}", vs), "nam");
    assert_string_equal(check_text("{\"ver\":\"1.3.0\",\"dob\":\"1958\",\"r\":[]}", vs), "nam");
    json_t *arr = json_array();
    char where[32], why[112];
    assert_int_equal(dcc_schema_check(arr, vs, where, sizeof(where), why, sizeof(why)), -1);
    assert_string_equal(why, "the certificate must be a JSON object");
    json_decref(arr);
}

static void test_value_sets(void **state)
{
    (void)state;
    const struct dcc_valuesets *vs = dcc_valuesets_shipped();
    assert_non_null(vs);
    assert_string_equal(dcc_valueset_display(vs, "vaccine-medicinal-product", "EU/1/20/1528"), "Comirnaty");
    assert_string_equal(dcc_valueset_display(vs, "country-2-codes", "VN"), "Viet Nam");
    assert_non_null(dcc_valueset_display(vs, "test-manf", "1232"));
    assert_null(dcc_valueset_display(vs, "test-manf", "9999"));
    assert_null(dcc_valueset_display(vs, "no-such-set", "VN"));
    assert_null(dcc_valueset_display(NULL, "country-2-codes", "VN"));
    /* Without value sets, codes are not checked; structure still is. */
    assert_string_equal(check_text("{\"ver\":\"1.3.0\",\"nam\":{\"fnt\":\"A\"},\"dob\":\"\",\"r\":[{\"tg\":\"x\","
                                   "\"fr\":\"2021-05-07\",\"co\":\"XY\",\"is\":\"X\",\"df\":\"2021-05-18\","
                                   "\"du\":\"2021-09-05\",\"ci\":\"X\"}]}",
                                   NULL),
                        "");
    char err[160];
    struct dcc_valuesets *none;
    assert_int_equal(dcc_valuesets_load_file("/nonexistent/valuesets.json", &none, err, sizeof(err)), -1);
    assert_true(strlen(err) > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dates_of_birth),     cmocka_unit_test(test_doses_by_release),
        cmocka_unit_test(test_dates_and_countries), cmocka_unit_test(test_versions),
        cmocka_unit_test(test_names_and_groups),   cmocka_unit_test(test_value_sets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
