/*
 * product.c - vaccination reference data (products, intervals, mixing;
 * priority groups and screening are parsed in priority.c) and the dose rules:
 * what dose may be given when, what comes next, and the status it gives.
 *
 * The data is read once per process and never changes while serving, so the
 * registry is shared by every request thread without locks.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "dcc/schema.h"
#include "vaccine/vaccine.h"
#include "vaccine/vaccine_int.h"

#define DAY 86400

/* ---------------------------------------------------------------- parsing */

static int bad(char *err, size_t errlen, const char *fmt, const char *what)
{
    snprintf(err, errlen, fmt, what);
    return -1;
}

/* A copy that lives as long as the data (kept in the JSON documents themselves). */
static const char *str_or_null(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static int int_or(json_t *o, const char *key, int def)
{
    json_t *v = json_object_get(o, key);
    return json_is_integer(v) ? (int)json_integer_value(v) : def;
}

static int parse_products(struct vaccine_data *d, char *err, size_t errlen)
{
    json_t *root = d->products_json;
    json_t *arr = json_object_get(root, "products");
    if (!json_is_array(arr) || json_array_size(arr) == 0)
        return bad(err, errlen, "vaccine_products.json: %s", "\"products\" must be a non-empty array");
    d->nproducts = (int)json_array_size(arr);
    d->products = calloc((size_t)d->nproducts, sizeof(*d->products));
    if (!d->products)
        return bad(err, errlen, "%s", "out of memory");
    d->booster_min_days = int_or(root, "booster_min_days", 90);
    d->observation_minutes = int_or(root, "observation_minutes", 30);
    for (int i = 0; i < d->nproducts; i++) {
        json_t *o = json_array_get(arr, (size_t)i);
        struct vaccine_product *p = &d->products[i];
        p->code = str_or_null(o, "code");
        p->name = str_or_null(o, "name");
        if (!p->code || !p->name)
            return bad(err, errlen, "vaccine_products.json: product %s lacks code or name", p->code ? p->code : "?");
        for (int j = 0; j < i; j++)
            if (!strcmp(d->products[j].code, p->code))
                return bad(err, errlen, "vaccine_products.json: product %s appears twice", p->code);
        p->doses = int_or(o, "doses", 0);
        if (p->doses < 1 || p->doses > VACCINE_MAX_DOSES - 1)
            return bad(err, errlen, "vaccine_products.json: product %s: doses must be 1..7", p->code);
        json_t *iv = json_object_get(o, "intervals_days");
        if (p->doses > 1 && (!json_is_array(iv) || (int)json_array_size(iv) != p->doses - 1))
            return bad(err, errlen, "vaccine_products.json: product %s: intervals_days needs doses-1 [min,max] pairs",
                       p->code);
        p->nintervals = p->doses - 1;
        for (int j = 0; j < p->nintervals; j++) {
            json_t *pair = json_array_get(iv, (size_t)j);
            json_t *mn = json_array_get(pair, 0), *mx = json_array_get(pair, 1);
            if (!json_is_integer(mn) || !json_is_integer(mx) || json_integer_value(mn) < 0 ||
                json_integer_value(mx) < json_integer_value(mn))
                return bad(err, errlen, "vaccine_products.json: product %s: bad [min,max] interval", p->code);
            p->interval_min[j] = (int)json_integer_value(mn);
            p->interval_max[j] = (int)json_integer_value(mx);
        }
        p->booster = json_is_true(json_object_get(o, "booster"));
        p->min_age = int_or(o, "min_age", -1);
        p->max_age = int_or(o, "max_age", -1);
        p->cvx = str_or_null(o, "cvx");
        json_t *dcc = json_object_get(o, "dcc");
        p->dcc_vp = str_or_null(dcc, "vp");
        p->dcc_mp = str_or_null(dcc, "mp");
        p->dcc_ma = str_or_null(dcc, "ma");
        if (!p->dcc_vp || !p->dcc_mp || !p->dcc_ma)
            return bad(err, errlen, "vaccine_products.json: product %s needs dcc.vp, dcc.mp and dcc.ma", p->code);
        /* Certificates carry these codes: one outside the EU value sets would fail every verifier. */
        const struct dcc_valuesets *vs = dcc_valuesets_shipped();
        const char *const sets[3][2] = {{"vaccine-prophylaxis", p->dcc_vp},
                                        {"vaccine-medicinal-product", p->dcc_mp},
                                        {"vaccine-mah-manf", p->dcc_ma}};
        for (int k = 0; k < 3; k++)
            if (!dcc_valueset_display(vs, sets[k][0], sets[k][1])) {
                snprintf(err, errlen, "vaccine_products.json: product %s: %s is not a code of EU value set %s",
                         p->code, sets[k][1], sets[k][0]);
                return -1;
            }
    }
    json_t *mix = json_object_get(root, "mixing");
    if (mix && !json_is_array(mix))
        return bad(err, errlen, "vaccine_products.json: %s", "\"mixing\" must be an array of product-code arrays");
    for (size_t g = 0; g < json_array_size(mix); g++) {
        if (g >= 32)
            return bad(err, errlen, "vaccine_products.json: %s", "at most 32 mixing groups");
        json_t *grp = json_array_get(mix, g);
        for (size_t k = 0; k < json_array_size(grp); k++) {
            const char *code = json_string_value(json_array_get(grp, k));
            struct vaccine_product *p = (struct vaccine_product *)vaccine_product_find(d, code ? code : "");
            if (!p)
                return bad(err, errlen, "vaccine_products.json: mixing names unknown product %s", code ? code : "?");
            p->mixing |= 1u << g;
        }
    }
    return 0;
}

int vaccine_data_parse(const char *products_text, const char *groups_text, struct vaccine_data **out, char *err,
                       size_t errlen)
{
    *out = NULL;
    struct vaccine_data *d = calloc(1, sizeof(*d));
    if (!d)
        return bad(err, errlen, "%s", "out of memory");
    json_error_t je;
    d->products_json = json_loads(products_text, 0, &je);
    if (!json_is_object(d->products_json)) {
        snprintf(err, errlen, "vaccine_products.json: line %d: %s", je.line, je.text);
        goto fail;
    }
    d->groups_json = json_loads(groups_text, 0, &je);
    if (!json_is_object(d->groups_json)) {
        snprintf(err, errlen, "priority_groups.json: line %d: %s", je.line, je.text);
        goto fail;
    }
    if (parse_products(d, err, errlen) || vaccine__parse_groups(d, err, errlen))
        goto fail;
    *out = d;
    return 0;
fail:
    vaccine_data_free(d);
    return -1;
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *text = NULL;
    if (fseek(f, 0, SEEK_END) == 0) {
        long n = ftell(f);
        if (n >= 0 && n < (4 << 20) && fseek(f, 0, SEEK_SET) == 0) {
            text = malloc((size_t)n + 1);
            if (text && fread(text, 1, (size_t)n, f) == (size_t)n)
                text[n] = '\0';
            else {
                free(text);
                text = NULL;
            }
        }
    }
    fclose(f);
    return text;
}

int vaccine_data_load_dir(const char *dir, struct vaccine_data **out, char *err, size_t errlen)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/vaccine_products.json", dir);
    char *products = read_file(path);
    snprintf(path, sizeof(path), "%s/priority_groups.json", dir);
    char *groups = read_file(path);
    int rc;
    if (!products || !groups) {
        snprintf(err, errlen, "cannot read %s/vaccine_products.json or %s/priority_groups.json", dir, dir);
        *out = NULL;
        rc = -1;
    } else
        rc = vaccine_data_parse(products, groups, out, err, errlen);
    free(products);
    free(groups);
    return rc;
}

void vaccine_data_free(struct vaccine_data *d)
{
    if (!d)
        return;
    for (int i = 0; i < d->ngroups; i++)
        free(d->groups[i].requires_any);
    for (int i = 0; i < d->nchecks; i++)
        free(d->checks[i].field);
    free(d->products);
    free(d->groups);
    free(d->checks);
    free(d->conditions);
    json_decref(d->products_json);
    json_decref(d->groups_json);
    free(d);
}

static struct vaccine_data *process_data;
static pthread_once_t process_once = PTHREAD_ONCE_INIT;

/* The shipped data/vaccine_products.json and data/priority_groups.json, compiled in by the build. */
extern const unsigned char vaccine_products_json[], priority_groups_json[];

static void process_load(void)
{
    const char *dir = getenv("CORDON_VACCINE_DATA");
    char err[256];
    int rc = dir && *dir ? vaccine_data_load_dir(dir, &process_data, err, sizeof(err))
                         : vaccine_data_parse((const char *)vaccine_products_json, (const char *)priority_groups_json,
                                              &process_data, err, sizeof(err));
    if (rc)
        log_error("msg=\"vaccination data not loaded\" detail=\"%s\"", err);
}

const struct vaccine_data *vaccine_data(void)
{
    pthread_once(&process_once, process_load);
    return process_data;
}

const struct vaccine_product *vaccine_product_find(const struct vaccine_data *d, const char *code)
{
    for (int i = 0; code && i < d->nproducts; i++)
        if (!strcmp(d->products[i].code, code))
            return &d->products[i];
    return NULL;
}

/* ---------------------------------------------------------------- dates */

void vaccine_day(int64_t t, char out[11])
{
    time_t local = (time_t)(t + VN_UTC_OFFSET);
    struct tm tm;
    gmtime_r(&local, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

int vaccine_age_years(const char *dob, int64_t at)
{
    int y, m, dd;
    if (!dob || strlen(dob) != 10 || sscanf(dob, "%4d-%2d-%2d", &y, &m, &dd) != 3)
        return -1;
    char today[11];
    vaccine_day(at, today);
    int ty, tm, td;
    if (sscanf(today, "%4d-%2d-%2d", &ty, &tm, &td) != 3)
        return -1;
    int age = ty - y;
    if (tm < m || (tm == m && td < dd))
        age--;
    return age < 0 ? -1 : age;
}

const char *vaccine_age_group(int age)
{
    if (age < 0)
        return "unknown";
    if (age < 12)
        return "0-11";
    if (age < 18)
        return "12-17";
    if (age < 50)
        return "18-49";
    if (age < 65)
        return "50-64";
    return "65+";
}

/* ---------------------------------------------------------------- dose rules */

static int primary_count(const struct vaccine_data *d, const struct vaccine_dose_hist *h, int n)
{
    const struct vaccine_product *first = n > 0 ? vaccine_product_find(d, h[0].product) : NULL;
    return first ? first->doses : 0;
}

int vaccine_dose_check(const struct vaccine_data *d, const struct vaccine_dose_hist *h, int n,
                       const struct vaccine_product *p, int number, int age, int64_t at, const char *product_field,
                       const char *time_field, struct fault *f)
{
    if (number != n + 1)
        return fault_set(f, n + 1 > number ? ERR_CONFLICT : ERR_INVALID_FIELD, "dose_number",
                         "the next dose for this person is dose %d", n + 1);
    if (number > VACCINE_MAX_DOSES)
        return fault_set(f, ERR_CONFLICT, "dose_number", "at most %d doses are recorded", VACCINE_MAX_DOSES);
    if (age >= 0 && p->min_age >= 0 && age < p->min_age)
        return fault_set(f, ERR_CONFLICT, product_field, "%s is given from age %d", p->code, p->min_age);
    if (age >= 0 && p->max_age >= 0 && age > p->max_age)
        return fault_set(f, ERR_CONFLICT, product_field, "%s is given up to age %d", p->code, p->max_age);
    if (n == 0)
        return 0;
    int primary = primary_count(d, h, n);
    bool booster = number > primary;
    if (booster && !p->booster)
        return fault_set(f, ERR_CONFLICT, product_field, "%s is not used as a booster", p->code);
    if (!booster) {
        bool same = true;
        unsigned groups = p->mixing;
        for (int i = 0; i < n; i++) {
            const struct vaccine_product *q = vaccine_product_find(d, h[i].product);
            if (strcmp(h[i].product, p->code))
                same = false;
            groups &= q ? q->mixing : 0;
        }
        if (!same && !groups)
            return fault_set(f, ERR_CONFLICT, product_field, "%s may not be mixed with %s in a primary series",
                             p->code, h[n - 1].product);
    }
    struct vaccine_next next;
    vaccine_next_dose(d, h, n, &next);
    char want[11], got[11];
    vaccine_day(next.earliest, want);
    vaccine_day(at, got);
    if (next.earliest && strcmp(got, want) < 0)
        return fault_set(f, ERR_CONFLICT, time_field, "dose %d may be given from %s (interval after dose %d)",
                         number, want, n);
    return 0;
}

void vaccine_next_dose(const struct vaccine_data *d, const struct vaccine_dose_hist *h, int n,
                       struct vaccine_next *out)
{
    memset(out, 0, sizeof(*out));
    out->number = n + 1;
    if (n == 0)
        return;
    int primary = primary_count(d, h, n);
    const struct vaccine_dose_hist *last = &h[n - 1];
    if (n >= primary) {
        out->booster = true;
        out->earliest = last->at + (int64_t)d->booster_min_days * DAY;
        return;
    }
    const struct vaccine_product *prev = vaccine_product_find(d, last->product);
    if (!prev || prev->nintervals == 0)
        return;
    int k = n - 1 < prev->nintervals ? n - 1 : prev->nintervals - 1;
    out->earliest = last->at + (int64_t)prev->interval_min[k] * DAY;
    out->latest = last->at + (int64_t)prev->interval_max[k] * DAY;
}

const char *vaccine_status(const struct vaccine_data *d, const struct vaccine_dose_hist *h, int n)
{
    if (n == 0)
        return "none";
    int primary = primary_count(d, h, n);
    if (n < primary)
        return "partial";
    return n == primary ? "complete" : "booster";
}
