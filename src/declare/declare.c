/*
 * declare.c - the rules of declarations: kinds, fields, dates, references.
 *
 * Plain C over jansson: no SQL, no HTTP, so the rules are unit-tested alone
 * (tests/unit/test_declare.c).  Every refusal names the field at fault.
 */
#include "declare/declare.h"

#include <stdio.h>
#include <string.h>

#include "area/unit.h"
#include "checkpoint/checkpoint.h"
#include "core/jsonin.h"
#include "qr/qr.h"

/* ---------------------------------------------------------------- names */

static const char *const kind_names[DECLARE_KIND_COUNT + 1] = {"health", "domestic_travel", "entry", NULL};

static const char *const symptom_names[] = {"fever",       "cough",   "shortness_of_breath", "sore_throat",
                                            "loss_of_taste_smell", "fatigue", "other", NULL};
static const char *const exposure_names[] = {"contact_with_case", "visited_outbreak_area", "returned_from_abroad",
                                             NULL};
static const char *const health_statuses[] = {"well", "unwell", NULL};
static const char *const vehicles[] = {"car", "motorbike", "bus", "train", "plane", "ship", "other", NULL};

/* The fields each kind reads; a body of one kind may hold none of another's. */
static const char *const kind_fields[DECLARE_KIND_COUNT][6] = {
    {"symptoms", "exposure", "health_status", NULL},
    {"origin_commune", "destination_commune", "vehicle", "vehicle_number", "travel_date", NULL},
    {"from_country", "entry_point", "flight_number", "arrival_date", NULL},
};

/*
 * ISO 3166-1 alpha-2: the 249 officially assigned codes, sorted, two
 * characters each.  Kept as data so the list is easy to check against the
 * standard; reserved and user-assigned codes (UK, EU, XK, ZZ ...) are refused.
 */
static const char countries[] =
    "ADAEAFAGAIALAMAOAQARASATAUAWAXAZ"
    "BABBBDBEBFBGBHBIBJBLBMBNBOBQBRBSBTBVBWBYBZ"
    "CACCCDCFCGCHCICKCLCMCNCOCRCUCVCWCXCYCZ"
    "DEDJDKDMDODZ"
    "ECEEEGEHERESET"
    "FIFJFKFMFOFR"
    "GAGBGDGEGFGGGHGIGLGMGNGPGQGRGSGTGUGWGY"
    "HKHMHNHRHTHU"
    "IDIEILIMINIOIQIRISIT"
    "JEJMJOJP"
    "KEKGKHKIKMKNKPKRKWKYKZ"
    "LALBLCLILKLRLSLTLULVLY"
    "MAMCMDMEMFMGMHMKMLMMMNMOMPMQMRMSMTMUMVMWMXMYMZ"
    "NANCNENFNGNINLNONPNRNUNZ"
    "OM"
    "PAPEPFPGPHPKPLPMPNPRPSPTPWPY"
    "QA"
    "RERORSRURW"
    "SASBSCSDSESGSHSISJSKSLSMSNSOSRSSSTSVSXSYSZ"
    "TCTDTFTGTHTJTKTLTMTNTOTRTTTVTWTZ"
    "UAUGUMUSUYUZ"
    "VAVCVEVGVIVNVU"
    "WFWS"
    "YEYT"
    "ZAZMZW";

bool declare_country_known(const char *code)
{
    if (!code || strlen(code) != 2)
        return false;
    size_t lo = 0, hi = (sizeof(countries) - 1) / 2; /* binary search over the sorted pairs */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strncmp(countries + 2 * mid, code, 2);
        if (c == 0)
            return true;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

const char *declare_kind_name(int kind)
{
    return kind >= 0 && kind < DECLARE_KIND_COUNT ? kind_names[kind] : "unknown";
}

int declare_kind_parse(const char *name)
{
    for (int i = 0; i < DECLARE_KIND_COUNT; i++)
        if (!strcmp(name, kind_names[i]))
            return i;
    return -1;
}

static int name_index(const char *const *names, const char *s)
{
    for (int i = 0; names[i]; i++)
        if (!strcmp(names[i], s))
            return i;
    return -1;
}

/* "a, b or c" for messages. */
static const char *names_list(struct arena *a, const char *const *names)
{
    const char *out = "";
    for (int i = 0; names[i]; i++)
        out = arena_printf(a, "%s%s%s", out, i == 0 ? "" : names[i + 1] ? ", " : " or ", names[i]);
    return out;
}

/* Writes n decimal digits of v (0 <= v) at p. */
static void put_digits(char *p, unsigned v, int n)
{
    for (int i = n - 1; i >= 0; i--, v /= 10)
        p[i] = (char)('0' + v % 10);
}

/* Writes the date as YYYYMMDD (8 characters) or YYYY-MM-DD (10), without a NUL. */
static void put_date(char *p, int64_t day, bool dashes)
{
    int y, m, d;
    civil_from_days(day, &y, &m, &d);
    int sep = dashes ? 1 : 0;
    put_digits(p, (unsigned)(y < 0 ? 0 : y), 4);
    put_digits(p + 4 + sep, (unsigned)m, 2);
    put_digits(p + 6 + 2 * sep, (unsigned)d, 2);
    if (dashes)
        p[4] = p[7] = '-';
}

static bool crockford_char(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z' && c != 'I' && c != 'L' && c != 'O' && c != 'U');
}

bool declare_reference_valid(const char *s)
{
    if (!s || strlen(s) != DECLARE_REF_LEN || strncmp(s, "TK-", 3) || s[11] != '-')
        return false;
    char date[11];
    snprintf(date, sizeof(date), "%.4s-%.2s-%.2s", s + 3, s + 7, s + 9);
    int64_t day;
    if (!vn_date_parse(date, &day))
        return false;
    for (int i = 12; i < DECLARE_REF_LEN; i++)
        if (!crockford_char(s[i]))
            return false;
    return true;
}

void declare_reference_make(int64_t now, char out[DECLARE_REF_LEN + 1])
{
    memcpy(out, "TK-", 3);
    put_date(out + 3, vn_day(now), false);
    out[11] = '-';
    qr_code_generate(out + 12, 6); /* writes the NUL at out[18] */
}

/* ---------------------------------------------------------------- symptom lists */

const char *declare_bits_join(struct arena *a, unsigned bits, bool symptoms)
{
    const char *const *names = symptoms ? symptom_names : exposure_names;
    const char *out = "";
    for (int i = 0; names[i]; i++)
        if (bits & (1u << i))
            out = arena_printf(a, "%s%s%s", out, *out ? "," : "", names[i]);
    return out;
}

unsigned declare_bits_split(const char *joined, bool symptoms)
{
    const char *const *names = symptoms ? symptom_names : exposure_names;
    unsigned bits = 0;
    const char *p = joined ? joined : "";
    while (*p) {
        size_t len = strcspn(p, ",");
        for (int i = 0; names[i]; i++)
            if (strlen(names[i]) == len && !strncmp(names[i], p, len))
                bits |= 1u << i;
        p += len;
        if (*p == ',')
            p++;
    }
    return bits;
}

json_t *declare_bits_to_json(unsigned bits, bool symptoms)
{
    const char *const *names = symptoms ? symptom_names : exposure_names;
    json_t *arr = json_array();
    for (int i = 0; names[i]; i++)
        if (bits & (1u << i))
            json_array_append_new(arr, json_string(names[i]));
    return arr;
}

/* ---------------------------------------------------------------- parsing */

/* An array of distinct names from the list; absent or null is the empty set. */
static int read_names(struct arena *a, json_t *body, const char *field, const char *const *names, unsigned *bits,
                      struct fault *f)
{
    json_t *v = json_object_get(body, field), *e;
    size_t i;
    *bits = 0;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_array(v))
        return fault_set(f, ERR_INVALID_FIELD, field, "%s must be an array of %s", field, names_list(a, names));
    json_array_foreach(v, i, e)
    {
        int k = json_is_string(e) ? name_index(names, json_string_value(e)) : -1;
        if (k < 0)
            return fault_set(f, ERR_INVALID_FIELD, field, "%s[%zu] is not one of %s", field, i,
                             names_list(a, names));
        if (*bits & (1u << k))
            return fault_set(f, ERR_INVALID_FIELD, field, "%s lists %s twice", field, names[k]);
        *bits |= 1u << k;
    }
    return 0;
}

static int read_choice(struct arena *a, json_t *body, const char *field, const char *const *names, const char **out,
                       struct fault *f)
{
    int rc = jsonin_str(body, field, true, 32, out, f);
    if (!rc && name_index(names, *out) < 0)
        rc = fault_set(f, ERR_INVALID_FIELD, field, "%s must be one of %s", field, names_list(a, names));
    return rc;
}

static int read_commune(json_t *body, const char *field, const char **out, struct fault *f)
{
    const struct unit *u;
    int rc = jsonin_str(body, field, true, 8, out, f);
    if (!rc)
        rc = unit_check(*out, field, ERR_INVALID_FIELD, &u, f);
    if (!rc && u->level != 3)
        rc = fault_set(f, ERR_INVALID_FIELD, field, "%s must be a commune or ward code (5 digits)", field);
    return rc;
}

static int read_date(json_t *body, const char *field, int64_t today, const char **out, struct fault *f)
{
    int64_t day;
    int rc = jsonin_str(body, field, true, 10, out, f);
    if (rc)
        return rc;
    if (!vn_date_parse(*out, &day))
        return fault_set(f, ERR_INVALID_FIELD, field, "%s must be a real date written YYYY-MM-DD", field);
    if (day > today + DECLARE_DATE_WINDOW || day < today - DECLARE_DATE_WINDOW)
        return fault_set(f, ERR_INVALID_FIELD, field, "%s must lie within %d days of today", field,
                         DECLARE_DATE_WINDOW);
    return 0;
}

/* Free text typed by a person: no control characters. */
static int read_text(json_t *body, const char *field, bool required, size_t maxchars, const char **out,
                     struct fault *f)
{
    int rc = jsonin_str(body, field, required, maxchars, out, f);
    for (const unsigned char *p = (const unsigned char *)*out; !rc && p && *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            rc = fault_set(f, ERR_INVALID_FIELD, field, "%s must not contain control characters", field);
    return rc;
}

/* An identifier such as a plate or flight number: the allowed characters, upper-cased into a. */
static int read_code(struct arena *a, json_t *body, const char *field, size_t minlen, size_t maxlen,
                     const char *punct, const char **out, struct fault *f)
{
    const char *s;
    int rc = jsonin_str(body, field, false, maxlen, &s, f);
    *out = NULL;
    if (rc || !s)
        return rc;
    char *up = arena_strdup(a, s);
    size_t n = strlen(up);
    bool ok = n >= minlen && n <= maxlen;
    for (char *p = up; ok && *p; p++) {
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
        ok = (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || (*p && strchr(punct, *p));
    }
    if (!ok)
        return fault_set(f, ERR_INVALID_FIELD, field, "%s must be %zu-%zu characters of letters, digits%s%s", field,
                         minlen, maxlen, *punct ? " and " : "", punct);
    *out = up;
    return 0;
}

/* Cars, motorbikes and buses carry a plate a checkpoint reads and searches; trains, planes and
 * ships a service number of their own, kept as typed (upper-cased). */
static bool road_vehicle(const char *vehicle)
{
    return !strcmp(vehicle, "car") || !strcmp(vehicle, "motorbike") || !strcmp(vehicle, "bus");
}

/* A plate in checkpoint's one written form ("47a 12345" -> "47A-123.45"). */
static int read_plate(struct arena *a, const char *field, const char **inout, struct fault *f)
{
    char plate[CHECKPOINT_PLATE_MAX];
    int rc = checkpoint_plate_normalise(*inout, field, plate, f);
    if (!rc)
        *inout = arena_strdup(a, plate);
    return rc;
}

int declare_parse(struct arena *a, json_t *body, int64_t today, struct declaration *d, struct fault *f)
{
    if (d->kind < 0 || d->kind >= DECLARE_KIND_COUNT)
        return fault_set(f, ERR_INVALID_FIELD, "kind", "kind must be one of %s", names_list(a, kind_names));
    for (int k = 0; k < DECLARE_KIND_COUNT; k++) {
        if (k == d->kind)
            continue;
        for (int i = 0; kind_fields[k][i]; i++)
            if (json_object_get(body, kind_fields[k][i]))
                return fault_set(f, ERR_UNKNOWN_FIELD, kind_fields[k][i], "%s is not a field of a %s declaration",
                                 kind_fields[k][i], kind_names[d->kind]);
    }
    int rc = 0;
    switch (d->kind) {
    case DECLARE_HEALTH:
        rc = read_names(a, body, "symptoms", symptom_names, &d->symptoms, f);
        if (!rc)
            rc = read_names(a, body, "exposure", exposure_names, &d->exposure, f);
        if (!rc)
            rc = read_choice(a, body, "health_status", health_statuses, &d->health_status, f);
        break;
    case DECLARE_DOMESTIC_TRAVEL:
        rc = read_commune(body, "origin_commune", &d->origin_commune, f);
        if (!rc)
            rc = read_commune(body, "destination_commune", &d->destination_commune, f);
        if (!rc)
            rc = read_choice(a, body, "vehicle", vehicles, &d->vehicle, f);
        if (!rc)
            rc = read_code(a, body, "vehicle_number", 2, 20, " .-", &d->vehicle_number, f);
        if (!rc && d->vehicle_number && road_vehicle(d->vehicle))
            rc = read_plate(a, "vehicle_number", &d->vehicle_number, f);
        if (!rc)
            rc = read_date(body, "travel_date", today, &d->travel_date, f);
        break;
    case DECLARE_ENTRY:
        rc = jsonin_str(body, "from_country", true, 2, &d->from_country, f);
        if (!rc && !(strlen(d->from_country) == 2 && d->from_country[0] >= 'A' && d->from_country[0] <= 'Z' &&
                     d->from_country[1] >= 'A' && d->from_country[1] <= 'Z'))
            rc = fault_set(f, ERR_INVALID_FIELD, "from_country",
                           "from_country must be an ISO 3166-1 alpha-2 code: two upper-case letters");
        if (!rc && !declare_country_known(d->from_country))
            rc = fault_set(f, ERR_INVALID_FIELD, "from_country", "from_country %s is not an assigned ISO 3166-1 code",
                           d->from_country);
        if (!rc)
            rc = read_text(body, "entry_point", true, 100, &d->entry_point, f);
        if (!rc)
            rc = read_code(a, body, "flight_number", 2, 10, "", &d->flight_number, f);
        if (!rc)
            rc = read_date(body, "arrival_date", today, &d->arrival_date, f);
        break;
    }
    d->flagged = declare_health_flagged(d->symptoms, d->exposure);
    return rc;
}

/* ---------------------------------------------------------------- JSON */

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

json_t *declare_to_json(const struct declaration *d, const char *qr)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(d->id));
    json_object_set_new(o, "reference", json_string(d->reference));
    json_object_set_new(o, "client_id", json_string(d->client_id));
    json_object_set_new(o, "person_id", json_integer(d->person_id));
    json_object_set_new(o, "kind", json_string(declare_kind_name(d->kind)));
    switch (d->kind) {
    case DECLARE_HEALTH:
        json_object_set_new(o, "symptoms", declare_bits_to_json(d->symptoms, true));
        json_object_set_new(o, "exposure", declare_bits_to_json(d->exposure, false));
        json_object_set_new(o, "health_status", str_or_null(d->health_status));
        break;
    case DECLARE_DOMESTIC_TRAVEL:
        json_object_set_new(o, "origin_commune", str_or_null(d->origin_commune));
        json_object_set_new(o, "destination_commune", str_or_null(d->destination_commune));
        json_object_set_new(o, "vehicle", str_or_null(d->vehicle));
        json_object_set_new(o, "vehicle_number", str_or_null(d->vehicle_number));
        json_object_set_new(o, "travel_date", str_or_null(d->travel_date));
        break;
    case DECLARE_ENTRY:
        json_object_set_new(o, "from_country", str_or_null(d->from_country));
        json_object_set_new(o, "entry_point", str_or_null(d->entry_point));
        json_object_set_new(o, "flight_number", str_or_null(d->flight_number));
        json_object_set_new(o, "arrival_date", str_or_null(d->arrival_date));
        break;
    }
    json_object_set_new(o, "flagged", json_boolean(d->flagged));
    json_object_set_new(o, "commune_code", str_or_null(d->commune_code));
    json_object_set_new(o, "declared_at", json_integer(d->declared_at));
    json_object_set_new(o, "declared_by_staff", json_boolean(d->declared_by != 0));
    if (qr)
        json_object_set_new(o, "qr", json_string(qr));
    return o;
}

bool declare_health_flagged(unsigned symptoms, unsigned exposure)
{
    return symptoms != 0 || exposure != 0;
}
