/*
 * schema.c - the EU DCC JSON schema as code (see schema.h).
 *
 * What changed between schema releases, and so what "ver" selects here:
 *   1.0.x-1.1.x  names, issuer, certificate id and testing centre at most 50
 *                characters; the date of birth may carry a time; t and r may
 *                be null; dose numbers 1-9.
 *   1.2.x        at most 80 characters; standardised names (fnt, gnt) only
 *                A-Z and '<'; date of birth YYYY[-MM[-DD]] or empty; a group
 *                holds exactly one entry.
 *   1.3.0-1.3.1  dose numbers are any positive integer.
 *   1.3.2 on     fnt is no longer required: one of fnt and gnt is.
 * In every release exactly one of v, t and r is present.  The formats "date"
 * and "date-time" are both read as a full date optionally followed by a
 * time, because 1.0.0 declared vaccination dates date-time while issuers
 * wrote dates, and validators did not enforce formats.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dcc/schema.h"

/* ---- Value sets ---------------------------------------------------------- */

struct dcc_valuesets {
    json_t *sets; /* {"<id>": {"values": {"<code>": "<display>"}}}, owned */
};

/* The shipped data/dcc_valuesets.json, compiled in by the build. */
extern const unsigned char dcc_valuesets_json[];

static int valuesets_from(json_t *doc, struct dcc_valuesets **out, char *err, size_t errlen)
{
    json_t *sets = json_object_get(doc, "valuesets");
    const char *id;
    json_t *set;
    if (!json_is_object(sets)) {
        snprintf(err, errlen, "no \"valuesets\" object");
        goto bad;
    }
    json_object_foreach(sets, id, set)
    {
        json_t *values = json_object_get(set, "values");
        const char *code;
        json_t *display;
        if (!json_is_object(values)) {
            snprintf(err, errlen, "value set %s has no \"values\" object", id);
            goto bad;
        }
        json_object_foreach(values, code, display)
        {
            if (!json_is_string(display)) {
                snprintf(err, errlen, "value set %s: the display of %s is not a string", id, code);
                goto bad;
            }
        }
    }
    *out = malloc(sizeof(**out));
    if (!*out) {
        snprintf(err, errlen, "out of memory");
        goto bad;
    }
    (*out)->sets = json_incref(sets);
    json_decref(doc);
    return 0;
bad:
    json_decref(doc);
    return -1;
}

int dcc_valuesets_default(struct dcc_valuesets **out)
{
    char err[160];
    json_t *doc = json_loads((const char *)dcc_valuesets_json, 0, NULL);
    return doc ? valuesets_from(doc, out, err, sizeof(err)) : -1;
}

static struct dcc_valuesets *shipped;
static pthread_once_t shipped_once = PTHREAD_ONCE_INIT;

static void load_shipped(void)
{
    if (dcc_valuesets_default(&shipped))
        shipped = NULL;
}

const struct dcc_valuesets *dcc_valuesets_shipped(void)
{
    pthread_once(&shipped_once, load_shipped);
    return shipped;
}

int dcc_valuesets_load_file(const char *path, struct dcc_valuesets **out, char *err, size_t errlen)
{
    json_error_t je;
    json_t *doc = json_load_file(path, 0, &je);
    if (!doc) {
        snprintf(err, errlen, "%s (line %d)", je.text, je.line);
        return -1;
    }
    return valuesets_from(doc, out, err, errlen);
}

int dcc_valuesets_configured(const char *path, struct dcc_valuesets **out, char *err, size_t errlen)
{
    char why[200] = "do not parse";
    if (path && *path ? !dcc_valuesets_load_file(path, out, why, sizeof(why)) : !dcc_valuesets_default(out))
        return 0;
    snprintf(err, errlen, "bad DCC value sets %s: %s", path && *path ? path : "(shipped)", why);
    return -1;
}

void dcc_valuesets_free(struct dcc_valuesets *vs)
{
    if (!vs)
        return;
    json_decref(vs->sets);
    free(vs);
}

const char *dcc_valueset_display(const struct dcc_valuesets *vs, const char *set, const char *code)
{
    if (!vs || !set || !code)
        return NULL;
    return json_string_value(json_object_get(json_object_get(json_object_get(vs->sets, set), "values"), code));
}

/* ---- Rules of a schema release ------------------------------------------- */

struct rules {
    size_t max_len;       /* characters of names, issuer, certificate id, testing centre */
    bool icao_names;      /* fnt, gnt match ^[A-Z<]*$ */
    bool dob_with_time;   /* 1.0: YYYY[-MM[-DD]][Thh:mm:ss], not empty */
    bool null_groups;     /* t and r may be null */
    bool single_entry;    /* a group holds at most one entry */
    long max_dose;        /* 0: no maximum */
    bool fnt_or_gnt;      /* one of fnt, gnt required (else fnt) */
};

static struct rules rules_for(const char *ver)
{
    unsigned major = 1, minor = 3, patch = 0;
    if (sscanf(ver, "%3u%*c%3u%*c%3u", &major, &minor, &patch) < 1)
        major = 1;
    unsigned v = major * 1000000 + minor * 1000 + patch;
    struct rules r = {.max_len = 80, .icao_names = true, .single_entry = true};
    if (v < 1002000) {
        r = (struct rules){.max_len = 50, .dob_with_time = true, .null_groups = true, .max_dose = 9};
    } else if (v < 1003000) {
        r.max_dose = 9;
    } else if (v >= 1003002) {
        r.fnt_or_gnt = true;
    }
    return r;
}

/* ---- Checking ------------------------------------------------------------ */

struct check {
    const struct dcc_valuesets *vs;
    struct rules rules;
    char *where, *why;
    size_t wherelen, whylen;
};

__attribute__((format(printf, 4, 5))) static int fault(struct check *c, const char *prefix, const char *key,
                                                        const char *fmt, ...)
{
    snprintf(c->where, c->wherelen, "%s%s%s", prefix, *prefix && *key ? "." : "", key);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->why, c->whylen, fmt, ap);
    va_end(ap);
    return -1;
}

static bool digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* Characters (code points) of UTF-8 text, as JSON Schema's maxLength counts them. */
static size_t chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* ^\d+.\d+.\d+$ where '.' is any character, as the schema writes it. */
static bool version_ok(const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 1; i + 3 < n; i++)
        for (size_t j = i + 2; j + 1 < n; j++)
            if (digits(s, i) && digits(s + i + 1, j - i - 1) && digits(s + j + 1, n - j - 1))
                return true;
    return false;
}

/* 1.2 on: ^((19|20)\d\d(-\d\d){0,2}){0,1}$   1.0: ^(19|20)\d\d(-\d\d){0,2}((T)(\d{2}):(\d{2}):(\d{2}))?$ */
static bool dob_ok(const char *s, bool with_time)
{
    if (!*s)
        return !with_time;
    if (!(s[0] == '1' && s[1] == '9') && !(s[0] == '2' && s[1] == '0'))
        return false;
    if (strnlen(s, 4) < 4 || !digits(s + 2, 2))
        return false;
    s += 4;
    for (int parts = 0; parts < 2 && s[0] == '-'; parts++, s += 3)
        if (strnlen(s, 3) < 3 || !digits(s + 1, 2))
            return false;
    if (with_time && s[0] == 'T')
        return strlen(s) == 9 && digits(s + 1, 2) && s[3] == ':' && digits(s + 4, 2) && s[6] == ':' &&
               digits(s + 7, 2);
    return !*s;
}

/* A full date YYYY-MM-DD, optionally followed by Thh:mm[:ss[.fff]][Z|+hh:mm|-hh:mm|+hhmm]. */
static bool date_ok(const char *s)
{
    if (strnlen(s, 10) < 10 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' || !digits(s + 8, 2))
        return false;
    int month = (s[5] - '0') * 10 + s[6] - '0', day = (s[8] - '0') * 10 + s[9] - '0';
    if (month < 1 || month > 12 || day < 1 || day > 31)
        return false;
    s += 10;
    if (!*s)
        return true;
    if ((*s != 'T' && *s != 't' && *s != ' ') || strnlen(s, 6) < 6 || !digits(s + 1, 2) || s[3] != ':' ||
        !digits(s + 4, 2))
        return false;
    s += 6;
    if (s[0] == ':') {
        if (!digits(s + 1, 2) || strnlen(s, 3) < 3)
            return false;
        s += 3;
        if (*s == '.')
            for (s++; *s >= '0' && *s <= '9'; s++)
                ;
    }
    if (*s == 'Z' || *s == 'z')
        return !s[1];
    if (*s == '+' || *s == '-')
        return (strlen(s) == 6 && digits(s + 1, 2) && s[3] == ':' && digits(s + 4, 2)) ||
               (strlen(s) == 5 && digits(s + 1, 4)) || (strlen(s) == 3 && digits(s + 1, 2));
    return !*s;
}

enum kind { TEXT, ICAO, DATE, CODE, COUNTRY, DOSE };

struct field {
    const char *key;
    enum kind kind;
    bool required;
    const char *valueset; /* CODE, COUNTRY */
};

/* Checks one field of obj at prefix. */
static int field(struct check *c, const json_t *obj, const char *prefix, const struct field *f)
{
    const json_t *v = json_object_get(obj, f->key);
    if (!v)
        return f->required ? fault(c, prefix, f->key, "is required") : 0;
    if (f->kind == DOSE) {
        double d = json_number_value(v);
        if (!json_is_number(v) || d != (double)(long long)d)
            return fault(c, prefix, f->key, "must be an integer");
        if (d < 1 || (c->rules.max_dose && d > c->rules.max_dose))
            return c->rules.max_dose ? fault(c, prefix, f->key, "must be from 1 to %ld", c->rules.max_dose)
                                     : fault(c, prefix, f->key, "must be 1 or more");
        return 0;
    }
    const char *s = json_string_value(v);
    if (!s)
        return fault(c, prefix, f->key, "must be a string");
    switch (f->kind) {
    case ICAO:
        if (c->rules.icao_names && s[strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ<")])
            return fault(c, prefix, f->key, "may hold only A-Z and '<' (ICAO 9303)");
        /* fall through */
    case TEXT:
        if (chars(s) > c->rules.max_len)
            return fault(c, prefix, f->key, "is longer than %zu characters", c->rules.max_len);
        return 0;
    case DATE:
        return date_ok(s) ? 0 : fault(c, prefix, f->key, "\"%.40s\" is not an ISO 8601 date", s);
    case COUNTRY:
        if (!s[strcspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")])
            return fault(c, prefix, f->key, "\"%.20s\" is not a country code", s);
        /* fall through */
    case CODE:
        if (c->vs && !dcc_valueset_display(c->vs, f->valueset, s))
            return fault(c, prefix, f->key, "\"%.40s\" is not a code of value set %s", s, f->valueset);
        return 0;
    case DOSE:
        break;
    }
    return 0;
}

#define REQ true
#define OPT false
#define END {NULL, TEXT, false, NULL}

static const struct field vaccination_fields[] = {
    {"tg", CODE, REQ, "disease-agent-targeted"},
    {"vp", CODE, REQ, "vaccine-prophylaxis"},
    {"mp", CODE, REQ, "vaccine-medicinal-product"},
    {"ma", CODE, REQ, "vaccine-mah-manf"},
    {"dn", DOSE, REQ, NULL},
    {"sd", DOSE, REQ, NULL},
    {"dt", DATE, REQ, NULL},
    {"co", COUNTRY, REQ, "country-2-codes"},
    {"is", TEXT, REQ, NULL},
    {"ci", TEXT, REQ, NULL},
    END,
};

static const struct field test_fields[] = {
    {"tg", CODE, REQ, "disease-agent-targeted"},
    {"tt", CODE, REQ, "test-type"},
    {"nm", TEXT, OPT, NULL},
    {"ma", CODE, OPT, "test-manf"},
    {"sc", DATE, REQ, NULL},
    {"dr", DATE, OPT, NULL},
    {"tr", CODE, REQ, "test-result"},
    {"tc", TEXT, REQ, NULL},
    {"co", COUNTRY, REQ, "country-2-codes"},
    {"is", TEXT, REQ, NULL},
    {"ci", TEXT, REQ, NULL},
    END,
};

static const struct field recovery_fields[] = {
    {"tg", CODE, REQ, "disease-agent-targeted"},
    {"fr", DATE, REQ, NULL},
    {"co", COUNTRY, REQ, "country-2-codes"},
    {"is", TEXT, REQ, NULL},
    {"df", DATE, REQ, NULL},
    {"du", DATE, REQ, NULL},
    {"ci", TEXT, REQ, NULL},
    END,
};

static int fields(struct check *c, const json_t *obj, const char *prefix, const struct field *list)
{
    if (!json_is_object(obj))
        return fault(c, prefix, "", "must be an object");
    for (const struct field *f = list; f->key; f++)
        if (field(c, obj, prefix, f))
            return -1;
    return 0;
}

static int name(struct check *c, const json_t *nam)
{
    const struct field list[] = {
        {"fn", TEXT, OPT, NULL}, {"fnt", ICAO, !c->rules.fnt_or_gnt, NULL},
        {"gn", TEXT, OPT, NULL}, {"gnt", ICAO, OPT, NULL},
        END,
    };
    if (!nam)
        return fault(c, "", "nam", "is required");
    if (fields(c, nam, "nam", list))
        return -1;
    if (c->rules.fnt_or_gnt && !json_object_get(nam, "fnt") && !json_object_get(nam, "gnt"))
        return fault(c, "nam", "fnt", "one of fnt and gnt is required");
    return 0;
}

static const struct group {
    const char *key;
    const struct field *fields;
} groups[] = {{"v", vaccination_fields}, {"t", test_fields}, {"r", recovery_fields}};

static int group(struct check *c, const json_t *payload)
{
    const struct group *g = NULL;
    int present = 0;
    for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
        if (json_object_get(payload, groups[i].key)) {
            g = &groups[i];
            present++;
        }
    if (present != 1)
        return fault(c, "", "v", present ? "only one of v, t and r may be present"
                                         : "one of v (vaccination), t (test) and r (recovery) is required");
    const json_t *list = json_object_get(payload, g->key);
    if (json_is_null(list) && c->rules.null_groups && strcmp(g->key, "v"))
        return 0;
    if (!json_is_array(list))
        return fault(c, "", g->key, "must be an array");
    if (json_array_size(list) == 0)
        return fault(c, "", g->key, "must hold an entry");
    if (c->rules.single_entry && json_array_size(list) > 1)
        return fault(c, "", g->key, "must hold exactly one entry");
    for (size_t i = 0; i < json_array_size(list); i++) {
        char prefix[32];
        snprintf(prefix, sizeof(prefix), "%s[%zu]", g->key, i);
        if (fields(c, json_array_get(list, i), prefix, g->fields))
            return -1;
    }
    return 0;
}

int dcc_schema_check(const json_t *payload, const struct dcc_valuesets *vs, char *where, size_t wherelen, char *why,
                     size_t whylen)
{
    struct check c = {.vs = vs, .where = where, .wherelen = wherelen, .why = why, .whylen = whylen};
    if (!json_is_object(payload))
        return fault(&c, "", "", "the certificate must be a JSON object");
    const char *ver = json_string_value(json_object_get(payload, "ver"));
    if (!json_object_get(payload, "ver"))
        return fault(&c, "", "ver", "is required");
    if (!ver || !version_ok(ver))
        return fault(&c, "", "ver", "must be a version like 1.3.0");
    c.rules = rules_for(ver);
    if (name(&c, json_object_get(payload, "nam")))
        return -1;
    const char *dob = json_string_value(json_object_get(payload, "dob"));
    if (!json_object_get(payload, "dob"))
        return fault(&c, "", "dob", "is required");
    if (!dob || !dob_ok(dob, c.rules.dob_with_time))
        return fault(&c, "", "dob", "must be YYYY, YYYY-MM or YYYY-MM-DD from 1900 to 2099");
    return group(&c, payload);
}
