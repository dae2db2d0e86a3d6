#include "area/unit.h"

#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/mem.h"
#include "core/text.h"
#include "store/store.h"

/* The shipped list, data/admin_units.csv, compiled in by the build. */
extern const unsigned char admin_units_csv[];
extern const size_t admin_units_csv_len;

/*
 * Registry
 */

static struct unit *units;  /* sorted by code */
static size_t nunits;
static const struct unit **slots; /* open-addressing hash on code */
static size_t nslots;

static size_t hash_code(const char *code)
{
    size_t h = 5381;
    for (; *code; code++)
        h = h * 33 + (unsigned char)*code;
    return h;
}

const struct unit *unit_find(const char *code)
{
    if (!slots || !code)
        return NULL;
    for (size_t i = hash_code(code) & (nslots - 1);; i = (i + 1) & (nslots - 1)) {
        if (!slots[i])
            return NULL;
        if (!strcmp(slots[i]->code, code))
            return slots[i];
    }
}

void unit_registry_free(void)
{
    for (size_t i = 0; i < nunits; i++) {
        free(units[i].name);
        free(units[i].name_with_type);
        free(units[i].search);
        free(units[i].children);
    }
    free(units);
    free(slots);
    units = NULL;
    slots = NULL;
    nunits = nslots = 0;
}

static void copy_field(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%s", src ? src : "");
}

int unit_registry_load(struct store *s)
{
    int64_t count = 0;
    int rc = store_int(s, &count, "SELECT COUNT(*) FROM units", "");
    if (rc)
        return rc;
    unit_registry_free();
    units = xcalloc((size_t)count + 1, sizeof(*units));
    struct store_stmt *st;
    rc = store_query(s, &st,
                     "SELECT code, parent_code, level, type, name, name_with_type, province_code, district_code"
                     " FROM units ORDER BY code",
                     "");
    if (rc)
        return rc;
    while ((rc = store_step(st)) == STORE_ROW && nunits < (size_t)count) {
        struct unit *u = &units[nunits++];
        copy_field(u->code, sizeof(u->code), store_col_text(st, 0));
        copy_field(u->parent, sizeof(u->parent), store_col_text(st, 1));
        u->level = (int)store_col_int(st, 2);
        copy_field(u->type, sizeof(u->type), store_col_text(st, 3));
        u->name = xstrdup(store_col_text(st, 4));
        u->name_with_type = xstrdup(store_col_text(st, 5));
        copy_field(u->province, sizeof(u->province), store_col_text(st, 6));
        copy_field(u->district, sizeof(u->district), store_col_text(st, 7));
        char folded[512];
        text_fold(u->name_with_type, folded, sizeof(folded));
        u->search = xstrdup(folded);
    }
    store_finalize(st);
    if (rc != STORE_DONE && rc != STORE_ROW)
        return rc ? rc : STORE_ERROR;

    for (nslots = 16; nslots < nunits * 2; nslots *= 2)
        ;
    slots = xcalloc(nslots, sizeof(*slots));
    for (size_t i = 0; i < nunits; i++) {
        size_t j = hash_code(units[i].code) & (nslots - 1);
        while (slots[j])
            j = (j + 1) & (nslots - 1);
        slots[j] = &units[i];
    }
    /* Children in code order: count, allocate, fill. */
    for (size_t i = 0; i < nunits; i++) {
        struct unit *p = (struct unit *)unit_find(units[i].parent);
        if (p)
            p->nchildren++;
    }
    for (size_t i = 0; i < nunits; i++) {
        units[i].children = xcalloc(units[i].nchildren + 1, sizeof(struct unit *));
        units[i].nchildren = 0;
    }
    for (size_t i = 0; i < nunits; i++) {
        struct unit *p = (struct unit *)unit_find(units[i].parent);
        if (p)
            p->children[p->nchildren++] = &units[i];
    }
    log_info("msg=\"administrative units loaded\" units=%zu", nunits);
    return STORE_OK;
}

bool unit_within(const char *scope, const char *code)
{
    const struct unit *s = unit_find(scope), *u = unit_find(code);
    if (!s || !u)
        return false;
    switch (s->level) {
    case 0:
        return true;
    case 1:
        return !strcmp(u->code, s->code) || !strcmp(u->province, s->code);
    case 2:
        return !strcmp(u->code, s->code) || !strcmp(u->district, s->code);
    default:
        return !strcmp(u->code, s->code);
    }
}

void unit_ancestors(const struct unit *u, const char **province, const char **district, const char **commune)
{
    *province = u->level >= 1 ? (u->level == 1 ? u->code : u->province) : NULL;
    *district = u->level >= 2 ? (u->level == 2 ? u->code : u->district) : NULL;
    *commune = u->level == 3 ? u->code : NULL;
}

int unit_check(const char *code, const char *field, enum err unknown_err, const struct unit **out, struct fault *f)
{
    /* an absent query parameter or body field reaches here as NULL */
    if (!code || !*code)
        return fault_set(f, ERR_MISSING_FIELD, field, "%s is required", field);
    size_t n = strlen(code);
    bool digits = n > 0;
    for (const char *p = code; *p; p++)
        if (*p < '0' || *p > '9')
            digits = false;
    if (strcmp(code, UNIT_NATION) && !(digits && (n == 2 || n == 3 || n == 5)))
        return fault_set(f, ERR_INVALID_FIELD, field,
                         "%s must be VN or a GSO unit code of 2 (province), 3 (district) or 5 (commune) digits",
                         field);
    const struct unit *u = unit_find(code);
    if (!u)
        return fault_set(f, unknown_err, field, "no administrative unit has code %s", code);
    if (out)
        *out = u;
    return 0;
}

/*
 * Search
 */

/* Lower rank sorts first: exact name, then name prefix, then by level and code. */
static int rank(const struct unit *u, const char *q)
{
    char name[256];
    text_fold(u->name, name, sizeof(name));
    if (!strcmp(name, q))
        return 0;
    if (!strncmp(name, q, strlen(q)))
        return 1;
    return 2;
}

static bool matches(const struct unit *u, const char *q)
{
    /* every word of q occurs in the folded name, as a word prefix */
    char words[256];
    snprintf(words, sizeof(words), "%s", q);
    char *save = NULL;
    for (char *w = strtok_r(words, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
        size_t wl = strlen(w);
        const char *p = u->search;
        bool found = false;
        while ((p = strstr(p, w))) {
            if (p == u->search || p[-1] == ' ') {
                found = true;
                break;
            }
            p++;
        }
        if (!found)
            return false;
        (void)wl;
    }
    return true;
}

struct ranked {
    const struct unit *u;
    int rank;
};

static int cmp_ranked(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;
    if (x->rank != y->rank)
        return x->rank - y->rank;
    if (x->u->level != y->u->level)
        return x->u->level - y->u->level;
    return strcmp(x->u->code, y->u->code);
}

size_t unit_search(const char *query, const struct unit **out, size_t max)
{
    char q[256];
    text_fold(query, q, sizeof(q));
    if (!*q || !max)
        return 0;
    struct ranked *hits = xmalloc(sizeof(*hits) * (nunits + 1));
    size_t n = 0;
    for (size_t i = 0; i < nunits; i++)
        if (units[i].level > 0 && matches(&units[i], q))
            hits[n++] = (struct ranked){&units[i], rank(&units[i], q)};
    qsort(hits, n, sizeof(*hits), cmp_ranked);
    if (n > max)
        n = max;
    for (size_t i = 0; i < n; i++)
        out[i] = hits[i].u;
    free(hits);
    return n;
}

/*
 * Reference data
 */

/* Splits one CSV line (RFC 4180 quoting) into at most max fields, in place. */
static int csv_split(char *line, char **fields, int max)
{
    int n = 0;
    char *p = line;
    while (n < max) {
        char *out = p;
        fields[n++] = p;
        if (*p == '"') {
            char *r = p + 1;
            for (;;) {
                if (!*r)
                    break;
                if (*r == '"') {
                    if (r[1] == '"') {
                        *out++ = '"';
                        r += 2;
                        continue;
                    }
                    r++;
                    break;
                }
                *out++ = *r++;
            }
            p = r;
        } else {
            while (*p && *p != ',')
                *out++ = *p++;
        }
        char sep = *p;
        *out = '\0';
        if (sep != ',')
            break;
        p++;
    }
    return n;
}

static int insert_unit(struct store *s, const char *code, const char *parent, int level, const char *type,
                       const char *name, const char *name_with_type, const char *province, const char *district)
{
    char folded[512];
    text_fold(name_with_type, folded, sizeof(folded));
    return store_run(s, NULL,
                     "INSERT INTO units (code, parent_code, level, type, name, name_with_type, name_search,"
                     " province_code, district_code) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                     " ON CONFLICT (code) DO UPDATE SET parent_code = excluded.parent_code, level = excluded.level,"
                     " type = excluded.type, name = excluded.name, name_with_type = excluded.name_with_type,"
                     " name_search = excluded.name_search, province_code = excluded.province_code,"
                     " district_code = excluded.district_code",
                     "ssdssssss", code, parent, level, type, name, name_with_type, folded, province, district);
}

int unit_reference_load(struct store *s, void (*progress)(size_t done, size_t total))
{
    char *csv = xstrndup((const char *)admin_units_csv, admin_units_csv_len);
    size_t total = 1; /* the nation */
    for (const char *p = csv; *p; p++)
        total += *p == '\n';
    total--; /* header line */

    int64_t have = 0;
    int rc = store_int(s, &have, "SELECT COUNT(*) FROM units", "");
    if (!rc && (size_t)have == total) {
        free(csv);
        if (progress)
            progress(total, total);
        return STORE_OK;
    }
    /* district code -> province code, filled as districts go by (the file lists levels in order) */
    char (*district_province)[3] = xcalloc(1000, sizeof(*district_province));
    rc = store_begin(s, true);
    if (!rc)
        rc = insert_unit(s, UNIT_NATION, NULL, 0, "quoc-gia", "Việt Nam", "Việt Nam", NULL, NULL);
    size_t done = 1;
    char *save = NULL;
    char *line = strtok_r(csv, "\n", &save); /* header */
    while (!rc && (line = strtok_r(NULL, "\n", &save))) {
        size_t len = strlen(line);
        if (len && line[len - 1] == '\r')
            line[len - 1] = '\0';
        char *f[6];
        if (csv_split(line, f, 6) != 6)
            continue;
        int level = atoi(f[0]);
        const char *province = NULL, *district = NULL, *parent = f[2];
        if (level == 1) {
            parent = UNIT_NATION;
        } else if (level == 2) {
            province = f[2];
            memcpy(district_province[atoi(f[1]) % 1000], f[2], 2);
        } else {
            district = f[2];
            province = district_province[atoi(f[2]) % 1000];
        }
        rc = insert_unit(s, f[1], parent, level, f[3], f[4], f[5], province, district);
        if (progress && ++done % 500 == 0)
            progress(done, total);
    }
    if (!rc)
        rc = store_commit(s);
    else
        store_rollback(s);
    if (!rc && progress)
        progress(total, total);
    free(district_province);
    free(csv);
    return rc;
}
