/*
 * people.c - the rules of person records: which fields a body may hold, how
 * each is checked and normalised, the JSON form, profile completeness and
 * the household rule.  No SQL and no HTTP here, so the rules unit-test alone.
 *
 * Households: a family member a citizen adds joins the citizen's household
 * when both have the same commune and the same street (compared folded), or
 * when the member is given no address at all (then the member takes the
 * citizen's address too).  A household's id is the id of the person who
 * founded it.
 */
#include <stdio.h>
#include <string.h>

#include "area/unit.h"
#include "core/ids.h"
#include "core/jsonin.h"
#include "core/text.h"
#include "core/validate.h"
#include "people/people_int.h"

const char *const people__fields[] = {"full_name", "date_of_birth", "sex", "phone", "cccd", "cmnd",
                                      "bhyt", "commune_code", "street", NULL};
const char *const people__fields_with_client_id[] = {"full_name", "date_of_birth", "sex", "phone", "cccd", "cmnd",
                                                     "bhyt", "commune_code", "street", "client_id", NULL};

static int check_street(const char *s, struct fault *f)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7F)
            return fault_set(f, ERR_INVALID_FIELD, "street", "street must not hold control characters");
    char fold[8];
    text_fold(s, fold, sizeof(fold));
    if (!fold[0])
        return fault_set(f, ERR_INVALID_FIELD, "street", "street must hold letters or digits");
    return 0;
}

static int need_field(const char *v, unsigned need, unsigned bit, const char *name, struct fault *f)
{
    if (!v && (need & bit))
        return fault_set(f, ERR_MISSING_FIELD, name, "%s is required", name);
    return 0;
}

/*
 * The one set of person rules: POST /api/v1/people (through people__read_input)
 * and people_create (registration lists) both land here.
 */
int people__check_input(const struct people_fields *raw, unsigned need, int64_t now, struct people_input *in,
                        struct fault *f)
{
    memset(in, 0, sizeof(*in));
    if (raw->full_name && text_utf8_valid(raw->full_name, strlen(raw->full_name)))
        people__set_name(in, raw->full_name); /* checked in NFC: "Nguyễn" decomposed is 8 code points, not 6 */
    else
        in->full_name = raw->full_name;
    in->date_of_birth = raw->date_of_birth;
    in->sex = raw->sex;
    in->phone = raw->phone;
    in->cccd = raw->cccd;
    in->cmnd = raw->cmnd;
    in->bhyt = raw->bhyt;
    in->commune_code = raw->commune_code;
    in->street = raw->street;
    in->client_id = raw->client_id;
    int rc = need_field(in->full_name, need, PEOPLE_NEED_NAME, "full_name", f);
    if (!rc && in->full_name)
        rc = validate_person_name(in->full_name, "full_name", f);
    if (!rc)
        rc = need_field(in->date_of_birth, need, PEOPLE_NEED_DOB, "date_of_birth", f);
    if (!rc && in->date_of_birth)
        rc = ids_check_date_of_birth(in->date_of_birth, now, "date_of_birth", f);
    if (!rc && in->sex && strcmp(in->sex, "male") && strcmp(in->sex, "female") && strcmp(in->sex, "other"))
        rc = fault_set(f, ERR_INVALID_FIELD, "sex", "sex must be male, female or other");
    if (!rc && in->phone) {
        rc = validate_phone(in->phone, "phone", in->phone_buf, f);
        in->phone = in->phone_buf;
    }
    if (!rc && in->cccd)
        rc = ids_check_cccd(in->cccd, "cccd", f);
    if (!rc && in->cmnd)
        rc = ids_check_cmnd(in->cmnd, "cmnd", f);
    if (!rc && in->cccd && in->cmnd)
        rc = fault_set(f, ERR_INVALID_FIELD, "cmnd", "give either cccd or cmnd, not both");
    if (!rc && in->bhyt) {
        rc = ids_check_bhyt(in->bhyt, "bhyt", in->bhyt_buf, f);
        in->bhyt = in->bhyt_buf;
    }
    if (!rc)
        rc = need_field(in->commune_code, need, PEOPLE_NEED_COMMUNE, "commune_code", f);
    if (!rc && in->commune_code) {
        const struct unit *u;
        rc = unit_check(in->commune_code, "commune_code", ERR_INVALID_FIELD, &u, f);
        if (!rc && u->level != 3)
            rc = fault_set(f, ERR_INVALID_FIELD, "commune_code", "commune_code must be a commune or ward (5 digits)");
    }
    if (!rc && in->street && (!text_utf8_valid(in->street, strlen(in->street)) ||
                              text_utf8_length(in->street) > PEOPLE_STREET_MAX))
        rc = fault_set(f, ERR_INVALID_FIELD, "street", "street must be at most %d characters", PEOPLE_STREET_MAX);
    if (!rc && in->street)
        rc = check_street(in->street, f);
    if (!rc && in->client_id)
        rc = client_id_check(in->client_id, "client_id", f);
    return rc;
}

void people__set_name(struct people_input *in, const char *full_name)
{
    if (!text_nfc(full_name, in->name_buf, sizeof(in->name_buf)))
        snprintf(in->name_buf, sizeof(in->name_buf), "%s", full_name); /* cannot happen: NFC never grows */
    in->full_name = in->name_buf;
    text_fold(in->full_name, in->name_fold, sizeof(in->name_fold));
}

static bool differs(const char *recorded, const char *given)
{
    return recorded && given && strcmp(recorded, given);
}

int people__same_identity(const struct person *found, const char *by, const struct people_input *in,
                          struct fault *f)
{
    if (found->full_name && in->full_name) {
        char fold[PEOPLE_FOLD_MAX];
        text_fold(found->full_name, fold, sizeof(fold));
        if (strcmp(fold, in->name_fold))
            return fault_set(f, ERR_CONFLICT, "full_name", "this %s is recorded for a person with another full_name; "
                             "the commune health station can correct the records", by);
    }
    if (differs(found->date_of_birth, in->date_of_birth))
        return fault_set(f, ERR_CONFLICT, "date_of_birth", "this %s is recorded for a person with another "
                         "date_of_birth; the commune health station can correct the records", by);
    static const char *const ids[] = {"cccd", "cmnd", "bhyt"};
    const char *rec[] = {found->cccd, found->cmnd, found->bhyt};
    const char *giv[] = {in->cccd, in->cmnd, in->bhyt};
    for (int i = 0; i < 3; i++)
        if (differs(rec[i], giv[i]))
            return fault_set(f, ERR_CONFLICT, ids[i], "this %s is recorded for a person with another %s; the "
                             "commune health station can correct the records", by, ids[i]);
    /* a CMND is replaced by a CCCD, never held beside one: a record with one and input with the other disagree */
    if ((found->cmnd && in->cccd && !found->cccd) || (found->cccd && in->cmnd && !found->cmnd))
        return fault_set(f, ERR_CONFLICT, in->cccd ? "cccd" : "cmnd", "this %s is recorded for a person with "
                         "another identity card; the commune health station can correct the records", by);
    return 0;
}

bool people__input_adds(const struct person *found, const struct people_input *in)
{
    return (!found->full_name && in->full_name) || (!found->date_of_birth && in->date_of_birth) ||
           (!found->sex && in->sex) || (!found->phone && in->phone) || (!found->cccd && in->cccd) ||
           (!found->cmnd && in->cmnd) || (!found->bhyt && in->bhyt) || (!found->commune_code && in->commune_code) ||
           (!found->street && in->street);
}

int people_fields_check(const struct people_fields *in, int64_t now, struct fault *f)
{
    struct people_input checked;
    return people__check_input(in, PEOPLE_CREATE_NEED, now, &checked, f);
}

/* Reads the JSON strings (type and length as the contract states them), then applies the rules above. */
int people__read_input(json_t *body, unsigned need, int64_t now, struct people_input *in, struct fault *f)
{
    struct people_fields raw = {0};
    int rc = jsonin_str(body, "full_name", false, PEOPLE_NAME_IN_MAX, &raw.full_name, f);
    if (!rc)
        rc = jsonin_str(body, "date_of_birth", false, IDS_DATE_LEN, &raw.date_of_birth, f);
    if (!rc)
        rc = jsonin_str(body, "sex", false, 6, &raw.sex, f);
    if (!rc)
        rc = jsonin_str(body, "phone", false, 16, &raw.phone, f);
    if (!rc)
        rc = jsonin_str(body, "cccd", false, IDS_CCCD_LEN, &raw.cccd, f);
    if (!rc)
        rc = jsonin_str(body, "cmnd", false, IDS_CMND_LEN, &raw.cmnd, f);
    if (!rc)
        rc = jsonin_str(body, "bhyt", false, IDS_BHYT_LEN, &raw.bhyt, f);
    if (!rc)
        rc = jsonin_str(body, "commune_code", false, 5, &raw.commune_code, f);
    if (!rc)
        rc = jsonin_str(body, "street", false, PEOPLE_STREET_MAX, &raw.street, f);
    if (!rc && json_object_get(body, "client_id"))
        rc = jsonin_str(body, "client_id", false, SIZE_MAX, &raw.client_id, f);
    if (rc) {
        memset(in, 0, sizeof(*in));
        return rc;
    }
    return people__check_input(&raw, need, now, in, f);
}

bool people__same_address(const struct person *manager, const struct people_input *member)
{
    if (!manager->commune_code || !member->commune_code || strcmp(manager->commune_code, member->commune_code))
        return false;
    if (!manager->street || !member->street)
        return false;
    char a[PEOPLE_STREET_MAX * 4], b[PEOPLE_STREET_MAX * 4];
    text_fold(manager->street, a, sizeof(a));
    text_fold(member->street, b, sizeof(b));
    return !strcmp(a, b);
}

bool people_profile_complete(const struct person *p)
{
    return p->full_name && p->date_of_birth && p->commune_code;
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* What VIEW_MASKED shows: enough to find and serve the person, nothing to reach or impersonate them. */
static json_t *masked_json(const struct person *p)
{
    json_t *o = json_object();
    char buf[64];
    json_object_set_new(o, "id", json_integer(p->id));
    json_object_set_new(o, "code", json_string(p->code));
    json_object_set_new(o, "full_name", str_or_null(p->full_name));
    json_object_set_new(o, "birth_year",
                        p->date_of_birth && strlen(p->date_of_birth) >= 4 ? json_stringn(p->date_of_birth, 4)
                                                                          : json_null());
    static const char *const names[] = {"phone", "cccd", "cmnd", "bhyt"};
    const char *values[] = {p->phone, p->cccd, p->cmnd, p->bhyt};
    for (int i = 0; i < 4; i++) {
        access_mask(values[i], buf, sizeof(buf));
        json_object_set_new(o, names[i], values[i] ? json_string(buf) : json_null());
    }
    json_object_set_new(o, "commune_code", str_or_null(p->commune_code));
    json_object_set_new(o, "masked", json_true());
    return o;
}

json_t *people_to_json_view(const struct person *p, enum access_view view)
{
    if (view == VIEW_FULL || view == VIEW_OWN)
        return people_to_json(p);
    if (view == VIEW_MASKED)
        return masked_json(p);
    /* a role that only registers (venue staff): the ids it needs to refer to the person */
    return json_pack("{s:I, s:s}", "id", (json_int_t)p->id, "code", p->code);
}

json_t *people_to_json(const struct person *p)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(p->id));
    json_object_set_new(o, "code", json_string(p->code));
    json_object_set_new(o, "full_name", str_or_null(p->full_name));
    json_object_set_new(o, "date_of_birth", str_or_null(p->date_of_birth));
    json_object_set_new(o, "sex", str_or_null(p->sex));
    json_object_set_new(o, "phone", str_or_null(p->phone));
    json_object_set_new(o, "cccd", str_or_null(p->cccd));
    json_object_set_new(o, "cmnd", str_or_null(p->cmnd));
    json_object_set_new(o, "bhyt", str_or_null(p->bhyt));
    json_object_set_new(o, "commune_code", str_or_null(p->commune_code));
    json_object_set_new(o, "street", str_or_null(p->street));
    json_object_set_new(o, "household_id", p->household_id ? json_integer(p->household_id) : json_null());
    json_object_set_new(o, "created_at", json_integer(p->created_at));
    return o;
}
