/* Unit tests of the people rules (people.c, merge rule of merge.c) and the one-time code helpers (otp.c): no store, no HTTP. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "people/people_int.h"

#define NOW 1795348800 /* 2026-11-22T12:00:00Z */

static json_t *parse(const char *text)
{
    json_error_t e;
    json_t *v = json_loads(text, 0, &e);
    assert_non_null(v);
    return v;
}

/* Reads text as a person body; returns the rc and the fault's field. Strings of *in point into *body (decref it). */
static int read_body(const char *text, unsigned need, struct people_input *in, const char **field, json_t **body)
{
    struct fault f;
    fault_clear(&f);
    *body = parse(text);
    int rc = people__read_input(*body, need, NOW, in, &f);
    *field = f.field;
    return rc;
}

static void input_good(void **state)
{
    (void)state;
    struct people_input in;
    const char *field;
    json_t *body;
    int rc = read_body("{\"full_name\":\"Nguyễn Văn An\",\"date_of_birth\":\"1990-04-30\",\"sex\":\"male\","
                       "\"phone\":\"+84912345678\",\"cccd\":\"001090012345\",\"bhyt\":\"dn4010123456789\","
                       "\"street\":\"12 Phó Đức Chính\",\"client_id\":\"abc-12345\"}",
                       PEOPLE_NEED_NAME | PEOPLE_NEED_DOB, &in, &field, &body);
    assert_int_equal(rc, 0);
    assert_string_equal(in.phone, "0912345678");       /* national form */
    assert_string_equal(in.bhyt, "DN4010123456789");   /* upper case */
    assert_string_equal(in.name_fold, "nguyen van an"); /* folded for search and dedupe */
    assert_string_equal(in.client_id, "abc-12345");
    assert_null(in.cmnd);
    assert_null(in.commune_code);
    json_decref(body);
}

static void input_bad(void **state)
{
    (void)state;
    static const struct {
        const char *body;
        unsigned need;
        enum err code;
        const char *field;
    } cases[] = {
        {"{}", PEOPLE_NEED_NAME, ERR_MISSING_FIELD, "full_name"},
        {"{\"full_name\":\"An\"}", PEOPLE_NEED_NAME | PEOPLE_NEED_DOB, ERR_MISSING_FIELD, "date_of_birth"},
        {"{\"full_name\":\"An\",\"date_of_birth\":\"1990-01-01\"}", PEOPLE_NEED_COMMUNE, ERR_MISSING_FIELD,
         "commune_code"},
        {"{\"full_name\":\"An 2\"}", 0, ERR_INVALID_FIELD, "full_name"},
        {"{\"full_name\":\"...\"}", 0, ERR_INVALID_FIELD, "full_name"},
        {"{\"full_name\":\"\"}", 0, ERR_INVALID_FIELD, "full_name"},
        {"{\"full_name\":12}", 0, ERR_INVALID_FIELD, "full_name"},
        {"{\"date_of_birth\":\"1990-02-30\"}", 0, ERR_INVALID_FIELD, "date_of_birth"},
        {"{\"date_of_birth\":\"2099-01-01\"}", 0, ERR_INVALID_FIELD, "date_of_birth"},
        {"{\"sex\":\"m\"}", 0, ERR_INVALID_FIELD, "sex"},
        {"{\"sex\":\"Male\"}", 0, ERR_INVALID_FIELD, "sex"},
        {"{\"phone\":\"0212345678\"}", 0, ERR_INVALID_FIELD, "phone"},
        {"{\"phone\":\"091234567\"}", 0, ERR_INVALID_FIELD, "phone"},
        {"{\"cccd\":\"12345\"}", 0, ERR_INVALID_FIELD, "cccd"},
        {"{\"cccd\":\"099090012345\"}", 0, ERR_INVALID_FIELD, "cccd"},
        {"{\"cmnd\":\"1234567890\"}", 0, ERR_INVALID_FIELD, "cmnd"},
        {"{\"cccd\":\"001090012345\",\"cmnd\":\"012345678\"}", 0, ERR_INVALID_FIELD, "cmnd"},
        {"{\"bhyt\":\"DN9010123456789\"}", 0, ERR_INVALID_FIELD, "bhyt"},
        {"{\"commune_code\":\"ab\"}", 0, ERR_INVALID_FIELD, "commune_code"},
        {"{\"street\":\"a\\u0001b\"}", 0, ERR_INVALID_FIELD, "street"},
        {"{\"street\":\"---\"}", 0, ERR_INVALID_FIELD, "street"},
        {"{\"client_id\":\"short\"}", 0, ERR_INVALID_FIELD, "client_id"},
        {"{\"client_id\":\"has space 123\"}", 0, ERR_INVALID_FIELD, "client_id"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct people_input in;
        const char *field = NULL;
        json_t *body;
        int rc = read_body(cases[i].body, cases[i].need, &in, &field, &body);
        json_decref(body);
        if (rc != (int)cases[i].code || !field || strcmp(field, cases[i].field))
            fail_msg("case %zu %s: rc %d field %s", i, cases[i].body, rc, field ? field : "(none)");
    }
}

static void household_rule(void **state)
{
    (void)state;
    struct person manager = {.commune_code = "00001", .street = "12 Phó Đức Chính"};
    struct people_input member = {.commune_code = "00001", .street = "12 pho duc chinh"};
    assert_true(people__same_address(&manager, &member)); /* compared folded */
    member.street = "14 Phó Đức Chính";
    assert_false(people__same_address(&manager, &member));
    member.street = "12 Phó Đức Chính";
    member.commune_code = "00004";
    assert_false(people__same_address(&manager, &member));
    member.commune_code = "00001";
    manager.street = NULL;
    assert_false(people__same_address(&manager, &member)); /* no street: no claim of one household */
}

static void profile_and_json(void **state)
{
    (void)state;
    struct person p = {.id = 7, .code = "K7M2QX9A4T", .phone = "0912345678", .qr_serial = 1, .created_at = 5};
    assert_false(people_profile_complete(&p));
    p.full_name = "Nguyễn Văn An";
    p.date_of_birth = "1990-04-30";
    assert_false(people_profile_complete(&p));
    p.commune_code = "00001";
    assert_true(people_profile_complete(&p));
    json_t *j = people_to_json(&p);
    assert_int_equal(json_integer_value(json_object_get(j, "id")), 7);
    assert_true(json_is_null(json_object_get(j, "household_id")));
    assert_true(json_is_null(json_object_get(j, "cccd")));
    assert_string_equal(json_string_value(json_object_get(j, "full_name")), "Nguyễn Văn An");
    assert_null(json_object_get(j, "qr_serial")); /* not part of the person object */
    json_decref(j);
}

static void otp_hash(void **state)
{
    (void)state;
    char a[65], b[65], c[65];
    people__otp_hash("0912345678", "123456", a);
    people__otp_hash("0912345678", "123456", b);
    people__otp_hash("0912345679", "123456", c);
    assert_string_equal(a, b);
    assert_string_not_equal(a, c); /* the phone salts the hash */
    assert_int_equal(strlen(a), 64);
    assert_null(strstr(a, "123456"));
}

static void otp_ttl_setting(void **state)
{
    (void)state;
    assert_int_equal(people__otp_ttl(), 300); /* default */
    people_configure(7);
    assert_int_equal(people__otp_ttl(), 7);
    people_configure(300);
}

/* A name sent decomposed (NFD) is checked and stored composed (NFC), and folds like the composed one. */
static void input_name_nfc(void **state)
{
    (void)state;
    struct people_input in;
    const char *field;
    json_t *body;
    int rc = read_body("{\"full_name\":\"Nguye\\u0302\\u0303n Thi\\u0323 Hu\\u031bo\\u031b\\u0300ng\"}", 0, &in, &field,
                       &body);
    assert_int_equal(rc, 0);
    assert_string_equal(in.full_name, "Nguyễn Thị Hường");
    assert_string_equal(in.name_fold, "nguyen thi huong");
    json_decref(body);
    rc = read_body("{\"phone\":\"84912345678\"}", 0, &in, &field, &body);
    assert_int_equal(rc, 0);
    assert_string_equal(in.phone, "0912345678");
    json_decref(body);
}

static struct people_input typed(const char *name, const char *dob, const char *cccd, const char *cmnd,
                                 const char *bhyt)
{
    static struct people_input in;
    memset(&in, 0, sizeof(in));
    people__set_name(&in, name);
    in.date_of_birth = dob;
    in.cccd = cccd;
    in.cmnd = cmnd;
    in.bhyt = bhyt;
    return in;
}

/* The identity rule: what both hold must agree; the field that disagrees is named. */
static void identity_rule(void **state)
{
    (void)state;
    struct person rec = {.id = 7, .full_name = "Lý Thường Kiệt", .date_of_birth = "1950-01-01",
                         .bhyt = "DN4010100000001"};
    struct fault f;
    struct people_input in = typed("Ly Thuong Kiet", "1950-01-01", "001050000001", NULL, "DN4010100000001");
    assert_int_equal(people__same_identity(&rec, "bhyt", &in, &f), 0);
    assert_true(people__input_adds(&rec, &in)); /* brings a CCCD */
    in = typed("Người Khác", "1950-01-01", "001050000001", NULL, "DN4010100000001");
    assert_int_equal(people__same_identity(&rec, "bhyt", &in, &f), ERR_CONFLICT);
    assert_string_equal(f.field, "full_name");
    in = typed("Lý Thường Kiệt", "1990-09-09", NULL, NULL, "DN4010100000001");
    assert_int_equal(people__same_identity(&rec, "bhyt", &in, &f), ERR_CONFLICT);
    assert_string_equal(f.field, "date_of_birth");
    assert_false(people__input_adds(&rec, &in));
    rec.cccd = "001050000009";
    in = typed("Lý Thường Kiệt", "1950-01-01", "001050000001", NULL, NULL);
    assert_int_equal(people__same_identity(&rec, "phone, full_name and date_of_birth", &in, &f), ERR_CONFLICT);
    assert_string_equal(f.field, "cccd");
    in = typed("Lý Thường Kiệt", "1950-01-01", NULL, "012345678", NULL);
    assert_int_equal(people__same_identity(&rec, "bhyt", &in, &f), ERR_CONFLICT);
    assert_string_equal(f.field, "cmnd");
    /* a record with no name or birth date yet (a walk-in) agrees with any */
    struct person walk_in = {.id = 8, .full_name = NULL, .date_of_birth = NULL};
    in = typed("Bùi Thị Xuân", "1988-08-08", "001088000001", NULL, NULL);
    assert_int_equal(people__same_identity(&walk_in, "phone", &in, &f), 0);
}

static void merge_rule(void **state)
{
    (void)state;
    struct fault f;
    struct person a = {.id = 1, .cccd = "001050000001"}, b = {.id = 2, .bhyt = "DN4010100000001"};
    assert_int_equal(people__merge_check(&a, &b, true, false, &f), 0);
    assert_int_equal(people__merge_check(&a, &a, false, false, &f), ERR_INVALID_FIELD);
    assert_string_equal(f.field, "merge_id");
    b.cccd = "001050000002";
    assert_int_equal(people__merge_check(&a, &b, false, false, &f), ERR_CONFLICT);
    assert_string_equal(f.field, "cccd");
    b.cccd = NULL;
    b.cmnd = "012345678";
    assert_int_equal(people__merge_check(&a, &b, false, false, &f), ERR_CONFLICT);
    assert_string_equal(f.field, "cmnd");
    b.cmnd = NULL;
    assert_int_equal(people__merge_check(&a, &b, true, true, &f), ERR_CONFLICT);
    assert_string_equal(f.field, "merge_id");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(input_good), cmocka_unit_test(input_bad),  cmocka_unit_test(household_rule),
        cmocka_unit_test(input_name_nfc), cmocka_unit_test(identity_rule), cmocka_unit_test(merge_rule),
        cmocka_unit_test(profile_and_json), cmocka_unit_test(otp_hash), cmocka_unit_test(otp_ttl_setting),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
