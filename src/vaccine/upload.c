/*
 * upload.c - registration lists (CSV or XLSX): the check of every row and
 * the all-or-nothing apply.
 *
 * The check reads the file (import/import.h), maps the header to columns
 * (English or Vietnamese names, case and diacritics ignored), then checks
 * each row: the person fields by the rules of POST /api/v1/people
 * (people_fields_check), the commune inside the caller's area, the priority
 * group and conditions against the reference data, eligibility by age and
 * condition (vaccine_check_eligibility), duplicates inside the file, and the
 * person already recorded (matched: same birth date, in the caller's area,
 * not registered yet).  Valid rows are kept as JSON text in
 * vaccine_upload_batches under a random token; nothing else is written.
 *
 * The apply runs in the caller's transaction: it claims the batch with a
 * conditional UPDATE (status 'checked'), so two concurrent applies of one
 * token write once, then for each row people_create and a registration.  Any
 * row that no longer holds fails the whole transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "area/unit.h"
#include "core/secret.h"
#include "core/text.h"
#include "core/validate.h"
#include "import/import.h"
#include "people/people.h"
#include "store/store.h"
#include "vaccine/upload.h"
#include "vaccine/vaccine_int.h"

/* ---------------------------------------------------------------- columns */

enum col {
    COL_NAME,
    COL_DOB,
    COL_SEX,
    COL_CCCD,
    COL_CMND,
    COL_BHYT,
    COL_PHONE,
    COL_COMMUNE,
    COL_STREET,
    COL_GROUP,
    COL_EMPLOYER,
    COL_CONDITIONS,
    COL_COUNT
};

static const char *const col_field[COL_COUNT] = {
    "full_name", "date_of_birth", "sex",    "cccd",           "cmnd",     "bhyt",
    "phone",     "commune_code",  "street", "priority_group", "employer", "conditions",
};

/* Header names accepted for each column, folded (text_fold) with spaces as '_'. */
static const char *const col_names[COL_COUNT][8] = {
    [COL_NAME] = {"full_name", "name", "ho_ten", "ho_va_ten", "ten", NULL},
    [COL_DOB] = {"date_of_birth", "dob", "birth_date", "ngay_sinh", "ngay_thang_nam_sinh", NULL},
    [COL_SEX] = {"sex", "gender", "gioi_tinh", "gioi", NULL},
    [COL_CCCD] = {"cccd", "cccd_cmnd", "so_cccd", "so_cccd_cmnd", "can_cuoc", "id_number", NULL},
    [COL_CMND] = {"cmnd", "so_cmnd", NULL},
    [COL_BHYT] = {"bhyt", "so_bhyt", "the_bhyt", "so_the_bhyt", "health_insurance", NULL},
    [COL_PHONE] = {"phone", "so_dien_thoai", "dien_thoai", "sdt", NULL},
    [COL_COMMUNE] = {"commune_code", "commune", "ma_xa", "ma_phuong_xa", "ma_xa_phuong", NULL},
    [COL_STREET] = {"street", "address", "dia_chi", NULL},
    [COL_GROUP] = {"priority_group", "group", "nhom_uu_tien", "doi_tuong_uu_tien", "doi_tuong", "nhom", NULL},
    [COL_EMPLOYER] = {"employer", "co_quan", "don_vi", "noi_lam_viec", "co_quan_don_vi", NULL},
    [COL_CONDITIONS] = {"conditions", "benh_nen", "tinh_trang_suc_khoe", "dieu_kien", NULL},
};

static void fold_key(const char *s, char *out, size_t outlen)
{
    text_fold(s, out, outlen);
    for (char *p = out; *p; p++)
        if (*p == ' ')
            *p = '_';
}

static int header_column(const char *cell)
{
    char norm[64];
    fold_key(cell, norm, sizeof(norm));
    for (int c = 0; c < COL_COUNT; c++)
        for (int i = 0; col_names[c][i]; i++)
            if (!strcmp(norm, col_names[c][i]))
                return c;
    return -1;
}

/* ---------------------------------------------------------------- cell values */

/* The cell trimmed of spaces and tabs, in a; NULL when empty or absent. */
static const char *cell(struct arena *a, const struct import_row *r, int col)
{
    if (col < 0 || col >= r->ncells)
        return NULL;
    const char *s = r->cells[col];
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        n--;
    return n ? arena_strndup(a, s, n) : NULL;
}

static bool all_digits(const char *s, size_t *n)
{
    size_t i = 0;
    for (; s[i]; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    *n = i;
    return i > 0;
}

/* male / female / other from English or Vietnamese words; NULL when unknown. */
static const char *normalise_sex(const char *s)
{
    char f[16];
    text_fold(s, f, sizeof(f));
    if (!strcmp(f, "male") || !strcmp(f, "m") || !strcmp(f, "nam"))
        return "male";
    if (!strcmp(f, "female") || !strcmp(f, "f") || !strcmp(f, "nu"))
        return "female";
    if (!strcmp(f, "other") || !strcmp(f, "khac"))
        return "other";
    return NULL;
}

/* A group by code, Vietnamese or English name (folded). */
static const struct vaccine_group *find_group(const struct vaccine_data *d, const char *s)
{
    char want[256], have[256];
    text_fold(s, want, sizeof(want));
    for (int i = 0; i < d->ngroups; i++) {
        const struct vaccine_group *g = &d->groups[i];
        const char *names[] = {g->code, g->name_vi, g->name_en};
        for (int k = 0; k < 3; k++) {
            text_fold(names[k], have, sizeof(have));
            if (want[0] && !strcmp(want, have))
                return g;
        }
    }
    return NULL;
}

/* A condition code by code, Vietnamese or English name (folded); NULL when unknown. */
static const char *find_condition(const struct vaccine_data *d, const char *s)
{
    char want[256], have[256];
    text_fold(s, want, sizeof(want));
    json_t *conds = json_object_get(d->groups_json, "conditions");
    for (size_t i = 0; want[0] && i < json_array_size(conds); i++) {
        json_t *c = json_array_get(conds, i);
        static const char *const keys[] = {"code", "name_vi", "name_en"};
        for (int k = 0; k < 3; k++) {
            const char *v = json_string_value(json_object_get(c, keys[k]));
            if (!v)
                continue;
            text_fold(v, have, sizeof(have));
            if (!strcmp(want, have))
                return json_string_value(json_object_get(c, "code"));
        }
    }
    return NULL;
}

/* ---------------------------------------------------------------- duplicates in the file */

struct seen {
    const char **keys;
    int64_t *lines;
    size_t cap; /* power of two, at least twice the keys */
};

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* The first line holding key, or 0 after recording it for this line. */
static int64_t seen_add(struct seen *t, const char *key, int64_t line)
{
    size_t i = hash_str(key) & (t->cap - 1);
    while (t->keys[i]) {
        if (!strcmp(t->keys[i], key))
            return t->lines[i];
        i = (i + 1) & (t->cap - 1);
    }
    t->keys[i] = key;
    t->lines[i] = line;
    return 0;
}

/* ---------------------------------------------------------------- one row */

/* A row as read: person fields, group, conditions, employer. */
struct row {
    int64_t line;
    struct people_fields pf;
    const struct vaccine_group *group;
    const char *conds[VACCINE_MAX_CONDITIONS];
    int nconds;
    const char *conditions; /* comma-joined codes */
    const char *employer;
};

struct checker {
    struct store *s;
    struct arena *a;
    const struct vaccine_data *d;
    const char *unit_code;
    int64_t now;
    int col[COL_COUNT];
    struct seen seen;
    struct vaccine_upload_check *out;
    const char *code; /* the current row's reason code (docs/api-vaccine.md) */
    int64_t ref;      /* the line a duplicate repeats */
};

static void add_error(struct checker *c, int64_t line, const char *field, const char *reason)
{
    const char *code = c->code ? c->code : "invalid";
    int64_t ref = c->ref;
    c->code = NULL;
    c->ref = 0;
    struct vaccine_upload_check *out = c->out;
    out->bad++;
    if (out->nerrors >= VACCINE_UPLOAD_MAX_ERRORS)
        return;
    if (!out->errors)
        out->errors = arena_alloc(c->a, VACCINE_UPLOAD_MAX_ERRORS * sizeof(*out->errors));
    out->errors[out->nerrors++] = (struct vaccine_upload_error){line, field, reason, code, ref};
}

/*
 * Spreadsheets drop the leading zeros of numbers: a CCCD (province 001-096
 * first) typed as a number keeps 10 or 11 digits, a mobile 9, a commune code
 * 1 to 4.  Digits-only values of such lengths are padded back to `want`.
 */
static const char *restore_zeros(struct arena *a, const char *s, size_t min, size_t want)
{
    size_t n;
    if (s && all_digits(s, &n) && n >= min && n < want)
        return arena_printf(a, "%0*d%s", (int)(want - n), 0, s);
    return s;
}

/*
 * Reads and checks the cells of r into *w.  0 when valid; otherwise the
 * field and reason of the first fault (reason in c->a).
 */
static int read_row(struct checker *c, const struct import_row *r, struct row *w, const char **field,
                    const char **reason)
{
    struct arena *a = c->a;
    struct fault f = {0};
    memset(w, 0, sizeof(*w));
    w->line = r->line;
    *field = NULL;
    if (r->bad_encoding) {
        c->code = "bad_encoding";
        *reason = "the row is not UTF-8 text (bad encoding); save the file as CSV UTF-8 or XLSX";
        return -1;
    }
    if (r->unterminated) {
        c->code = "unclosed_quote";
        *reason = "a quoted field is not closed";
        return -1;
    }
    if (r->too_wide) {
        c->code = "too_wide";
        *reason = "the row has too many cells or a cell that is too long";
        return -1;
    }
    struct people_fields *pf = &w->pf;
    pf->full_name = cell(a, r, c->col[COL_NAME]);
    const char *dob = cell(a, r, c->col[COL_DOB]);
    const char *sex = cell(a, r, c->col[COL_SEX]);
    const char *id = cell(a, r, c->col[COL_CCCD]);
    pf->cmnd = cell(a, r, c->col[COL_CMND]);
    pf->bhyt = cell(a, r, c->col[COL_BHYT]);
    pf->phone = restore_zeros(a, cell(a, r, c->col[COL_PHONE]), 9, 10);
    pf->commune_code = restore_zeros(a, cell(a, r, c->col[COL_COMMUNE]), 1, 5);
    pf->street = cell(a, r, c->col[COL_STREET]);
    const char *group = cell(a, r, c->col[COL_GROUP]);
    const char *conds = cell(a, r, c->col[COL_CONDITIONS]);
    w->employer = cell(a, r, c->col[COL_EMPLOYER]);

    /* The cccd column takes a CCCD (12 digits) or an old CMND (9 digits). */
    size_t n;
    id = restore_zeros(a, id, 10, 12);
    if (id && all_digits(id, &n) && n == 9 && !pf->cmnd)
        pf->cmnd = id;
    else
        pf->cccd = id;
    if (dob) {
        const char *iso = import_date(a, dob);
        if (!iso) {
            *field = "date_of_birth";
            c->code = "bad_date";
            *reason =
                arena_printf(a, "date_of_birth \"%.20s\" is not a date (YYYY-MM-DD or DD/MM/YYYY)", dob);
            return -1;
        }
        pf->date_of_birth = iso;
    }
    if (sex && !(pf->sex = normalise_sex(sex))) {
        *field = "sex";
        c->code = "bad_sex";
        *reason = arena_printf(a, "sex \"%.20s\" must be male, female, other (nam, nữ, khác)", sex);
        return -1;
    }
    if (people_fields_check(pf, c->now, &f)) {
        *field = f.field;
        c->code = "invalid_value";
        *reason = arena_strdup(a, f.message);
        return -1;
    }
    if (!pf->cccd && !pf->cmnd && !pf->bhyt && !pf->phone) {
        *field = "cccd";
        c->code = "no_identifier";
        *reason = "give a CCCD or CMND, a BHYT number or a phone so the person can be recognised";
        return -1;
    }
    if (!unit_within(c->unit_code, pf->commune_code)) {
        *field = "commune_code";
        c->code = "outside_area";
        *reason = arena_printf(a, "commune %s lies outside your area", pf->commune_code);
        return -1;
    }
    if (!group) {
        *field = "priority_group";
        c->code = "missing_group";
        *reason = "priority_group is required";
        return -1;
    }
    if (!(w->group = find_group(c->d, group))) {
        *field = "priority_group";
        c->code = "unknown_group";
        *reason = arena_printf(a, "unknown priority group \"%.60s\"", group);
        return -1;
    }
    char *joined = arena_alloc(a, VACCINE_MAX_CONDITIONS * 48 + 1);
    joined[0] = '\0';
    for (const char *p = conds; p && *p;) {
        const char *end = p + strcspn(p, ";,");
        char *one = arena_strndup(a, p, (size_t)(end - p));
        p = *end ? end + 1 : end;
        char fold[8];
        text_fold(one, fold, sizeof(fold));
        if (!fold[0])
            continue; /* "a; ;b" or a trailing ';' */
        const char *code = find_condition(c->d, one);
        if (!code) {
            *field = "conditions";
            c->code = "unknown_condition";
            *reason = arena_printf(a, "unknown condition \"%.60s\"", one);
            return -1;
        }
        bool again = false;
        for (int i = 0; i < w->nconds; i++)
            again |= !strcmp(w->conds[i], code);
        if (again)
            continue;
        if (w->nconds == VACCINE_MAX_CONDITIONS) {
            *field = "conditions";
            c->code = "too_many_conditions";
            *reason = arena_printf(a, "at most %d conditions", VACCINE_MAX_CONDITIONS);
            return -1;
        }
        if (w->nconds)
            strcat(joined, ",");
        strncat(joined, code, 40);
        w->conds[w->nconds++] = code;
    }
    w->conditions = joined;
    if (w->employer && (text_utf8_length(w->employer) > VACCINE_UPLOAD_EMPLOYER_MAX)) {
        *field = "employer";
        c->code = "employer_too_long";
        *reason = arena_printf(a, "employer must be at most %d characters", VACCINE_UPLOAD_EMPLOYER_MAX);
        return -1;
    }
    for (const unsigned char *p = (const unsigned char *)w->employer; p && *p; p++)
        if (*p < 0x20 || *p == 0x7F) {
            *field = "employer";
            c->code = "employer_control";
            *reason = "employer must not hold control characters";
            return -1;
        }
    int age = vaccine_age_years(pf->date_of_birth, c->now);
    if (vaccine_check_eligibility(c->d, w->group, age, w->conds, w->nconds, &f)) {
        *field = f.field;
        c->code = "not_eligible";
        *reason = arena_printf(a, "not eligible: %s", f.message);
        return -1;
    }
    return 0;
}

/* The same person twice in the file: by each id, then by phone + folded name + birth date. */
static int check_duplicate(struct checker *c, const struct row *w, const char **field, const char **reason)
{
    const struct people_fields *pf = &w->pf;
    char fold[256], bhyt[32];
    snprintf(bhyt, sizeof(bhyt), "%s", pf->bhyt ? pf->bhyt : "");
    for (char *p = bhyt; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    text_fold(pf->full_name, fold, sizeof(fold));
    char phone[16] = "";
    struct fault ignored;
    /* One spelling per number (0…, +84…, 84…), so the same phone is seen as the same. */
    if (pf->phone && validate_phone(pf->phone, "phone", phone, &ignored))
        snprintf(phone, sizeof(phone), "%s", pf->phone);
    const char *keys[4] = {
        pf->cccd ? arena_printf(c->a, "cccd:%s", pf->cccd) : NULL,
        pf->cmnd ? arena_printf(c->a, "cmnd:%s", pf->cmnd) : NULL,
        pf->bhyt ? arena_printf(c->a, "bhyt:%s", bhyt) : NULL,
        pf->phone ? arena_printf(c->a, "who:%s|%s|%s", phone, fold, pf->date_of_birth) : NULL,
    };
    static const char *const fields[4] = {"cccd", "cmnd", "bhyt", "full_name"};
    static const char *const what[4] = {"CCCD", "CMND", "BHYT number", "phone, name and date of birth"};
    for (int i = 0; i < 4; i++) {
        if (!keys[i])
            continue;
        int64_t first = seen_add(&c->seen, keys[i], w->line);
        if (first) {
            *field = fields[i];
            c->code = "duplicate";
            c->ref = first;
            *reason = arena_printf(c->a, "duplicate person in the file: same %s as line %lld", what[i],
                                   (long long)first);
            return -1;
        }
    }
    return 0;
}

/*
 * A person already recorded must be the same person (birth date), live in the
 * caller's area and not be registered yet.  0, -1 with field/reason, or a
 * store rc.
 */
static int check_existing(struct checker *c, const struct row *w, const char **field, const char **reason)
{
    struct person p;
    struct fault f = {0};
    int rc = people_match(c->s, c->a, &w->pf, &p, &f);
    if (rc == STORE_DONE)
        return 0;
    if (rc == ERR_CONFLICT) { /* the ids point at two people, or at someone whose name or birth date differ */
        *field = f.field;
        c->code = "identity_conflict";
        *reason = arena_strdup(c->a, f.message);
        return -1;
    }
    if (rc)
        return rc < 100 ? STORE_ERROR : rc; /* the fields were checked: another enum err here is a bug */
    if (!p.commune_code || !unit_within(c->unit_code, p.commune_code)) {
        *field = w->pf.cccd ? "cccd" : w->pf.cmnd ? "cmnd" : w->pf.bhyt ? "bhyt" : "phone";
        c->code = "other_area";
        *reason = "this person is recorded in another area; that area registers them";
        return -1;
    }
    if (p.date_of_birth && strcmp(p.date_of_birth, w->pf.date_of_birth)) {
        *field = "date_of_birth";
        c->code = "dob_mismatch";
        *reason = arena_printf(c->a, "the person recorded with these ids (code %s) was born on %s", p.code,
                               p.date_of_birth);
        return -1;
    }
    json_t *reg;
    rc = vaccine__registration_get_person(c->s, p.id, &reg);
    if (rc == STORE_OK) {
        json_decref(reg);
        *field = NULL;
        c->code = "already_registered";
        *reason = arena_printf(c->a, "already registered for vaccination (person %s)", p.code);
        return -1;
    }
    return rc == STORE_DONE ? 0 : rc;
}

static json_t *row_json(const struct row *w)
{
    const struct people_fields *pf = &w->pf;
    return json_pack("{s:I, s:s, s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:s, s:s?, s:s, s:s, s:s?}", "line",
                     (json_int_t)w->line, "full_name", pf->full_name, "date_of_birth", pf->date_of_birth,
                     "sex", pf->sex, "phone", pf->phone, "cccd", pf->cccd, "cmnd", pf->cmnd, "bhyt", pf->bhyt,
                     "commune_code", pf->commune_code, "street", pf->street, "priority_group", w->group->code,
                     "conditions", w->conditions, "employer", w->employer);
}

/* ---------------------------------------------------------------- check */

int vaccine_upload_check(struct store *s, struct arena *a, const struct vaccine_data *d, const char *data,
                         size_t len, int64_t account_id, const char *unit_code, int64_t now,
                         struct vaccine_upload_check *out, struct fault *f)
{
    memset(out, 0, sizeof(*out));
    struct import_table t;
    int rc = import_read(a, data, len, IMPORT_AUTO, VACCINE_UPLOAD_MAX_ROWS + 1, "file", &t, f);
    if (rc == ERR_TOO_LARGE)
        return fault_set(f, ERR_TOO_LARGE, "file", "the file has more than %d data rows; split it",
                         VACCINE_UPLOAD_MAX_ROWS);
    if (rc)
        return rc;
    out->format = import_format_name(t.format);
    const struct import_row *h = &t.rows[0];
    if (h->bad_encoding)
        return fault_set(
            f, ERR_INVALID_FIELD, "file",
            "line %lld: the header is not UTF-8 text (bad encoding); save the file as CSV UTF-8 or XLSX",
            (long long)h->line);
    struct checker c = {.s = s, .a = a, .d = d, .unit_code = unit_code, .now = now, .out = out};
    for (int i = 0; i < COL_COUNT; i++)
        c.col[i] = -1;
    for (int i = 0; i < h->ncells; i++) {
        int k = header_column(h->cells[i]);
        if (k < 0)
            continue; /* other columns (row numbers, notes) are ignored */
        if (c.col[k] >= 0)
            return fault_set(f, ERR_INVALID_FIELD, "file", "line %lld: column %s appears twice",
                             (long long)h->line, col_field[k]);
        c.col[k] = i;
    }
    if (c.col[COL_NAME] < 0 || c.col[COL_DOB] < 0 || c.col[COL_COMMUNE] < 0 || c.col[COL_GROUP] < 0 ||
        (c.col[COL_CCCD] < 0 && c.col[COL_CMND] < 0 && c.col[COL_BHYT] < 0 && c.col[COL_PHONE] < 0))
        return fault_set(f, ERR_INVALID_FIELD, "file",
                         "line %lld: wrong columns: the first row must name full_name, date_of_birth, "
                         "commune_code, priority_group and at least one of cccd, cmnd, bhyt, phone",
                         (long long)h->line);
    if (t.nrows < 2)
        return fault_set(f, ERR_INVALID_FIELD, "file", "the file is empty: it has a header but no data rows");
    c.seen.cap = 16;
    while (c.seen.cap < t.nrows * 8)
        c.seen.cap <<= 1;
    c.seen.keys = arena_alloc(a, c.seen.cap * sizeof(*c.seen.keys));
    c.seen.lines = arena_alloc(a, c.seen.cap * sizeof(*c.seen.lines));
    memset(c.seen.keys, 0, c.seen.cap * sizeof(*c.seen.keys));
    json_t *rows = json_array();
    for (size_t i = 1; i < t.nrows; i++) {
        struct row w;
        const char *field = NULL, *reason = NULL;
        out->rows++;
        int bad = read_row(&c, &t.rows[i], &w, &field, &reason);
        if (!bad)
            bad = check_duplicate(&c, &w, &field, &reason);
        if (!bad)
            bad = check_existing(&c, &w, &field, &reason);
        if (bad > 0) {
            json_decref(rows);
            return store_err(bad);
        }
        if (bad) {
            add_error(&c, w.line ? w.line : t.rows[i].line, field, reason);
            continue;
        }
        out->valid++;
        json_array_append_new(rows, row_json(&w));
    }
    char *text = json_dumps(rows, JSON_COMPACT);
    json_decref(rows);
    if (!text)
        return ERR_INTERNAL;
    char token[33];
    secret_hex(token, 16);
    rc = store_run(
        s, NULL,
        "INSERT INTO vaccine_upload_batches (token, status, account_id, unit_code, format, rows_total,"
        " rows_valid, rows_bad, rows_text, created_at) VALUES (?, 'checked', ?, ?, ?, ?, ?, ?, ?, ?)",
        "sissiiisi", token, account_id, unit_code, out->format, out->rows, out->valid, out->bad, text, now);
    free(text);
    if (rc)
        return store_err(rc);
    out->token = arena_strdup(a, token);
    return 0;
}

/* ---------------------------------------------------------------- apply */

static const char *jstr(json_t *o, const char *key) { return json_string_value(json_object_get(o, key)); }

/* Applies one stored row; 0, an enum err with f naming the token and line, or a store rc. */
static int apply_row(struct store *s, struct arena *a, const struct vaccine_data *d, json_t *o, int64_t batch,
                     int64_t account_id, const char *unit_code, int64_t now,
                     struct vaccine_upload_summary *sum, struct fault *f)
{
    long long line = (long long)json_integer_value(json_object_get(o, "line"));
    struct people_fields pf = {
        .full_name = jstr(o, "full_name"),
        .date_of_birth = jstr(o, "date_of_birth"),
        .sex = jstr(o, "sex"),
        .phone = jstr(o, "phone"),
        .cccd = jstr(o, "cccd"),
        .cmnd = jstr(o, "cmnd"),
        .bhyt = jstr(o, "bhyt"),
        .commune_code = jstr(o, "commune_code"),
        .street = jstr(o, "street"),
    };
    const char *group = jstr(o, "priority_group"), *conditions = jstr(o, "conditions");
    const struct vaccine_group *g = vaccine_group_find(d, group);
    const char *conds[VACCINE_MAX_CONDITIONS];
    int nconds = 0;
    char *list = arena_strdup(a, conditions ? conditions : "");
    for (char *p = list, *next; p && *p && nconds < VACCINE_MAX_CONDITIONS; p = next) {
        next = strchr(p, ',');
        if (next)
            *next++ = '\0';
        conds[nconds++] = p;
    }
    struct fault rf = {0};
    int age = vaccine_age_years(pf.date_of_birth, now);
    if (!g || vaccine_check_eligibility(d, g, age, conds, nconds, &rf))
        return fault_set(f, ERR_CONFLICT, "token", "line %lld: no longer eligible (%s); check the file again",
                         line, g ? rf.message : "the priority group is gone");
    struct person p;
    bool existing;
    int rc = people_create(s, a, &pf, account_id, &p, &existing, &rf);
    if (rc > 0 && rc < 100)
        return fault_set(f, ERR_CONFLICT, "token", "line %lld: %s; check the file again", line, rf.message);
    if (rc)
        return rc;
    if (!p.commune_code || !unit_within(unit_code, p.commune_code))
        return fault_set(f, ERR_CONFLICT, "token",
                         "line %lld: this person is now recorded in another area; check the file again",
                         line);
    json_t *reg;
    rc = vaccine__registration_get_person(s, p.id, &reg);
    if (rc == STORE_OK) {
        json_decref(reg);
        return fault_set(f, ERR_CONFLICT, "token",
                         "line %lld: person %s was registered since the check; check the file again", line,
                         p.code);
    }
    if (rc != STORE_DONE)
        return rc;
    int64_t id;
    rc = vaccine__registration_insert(s, NULL, &p, g->code, conditions ? conditions : "", "list", age,
                                      account_id, 0, now, &id);
    if (rc == STORE_CONFLICT)
        return fault_set(f, ERR_CONFLICT, "token",
                         "line %lld: person %s was registered since the check; check the file again", line,
                         p.code);
    if (!rc)
        rc =
            store_run(s, NULL, "UPDATE vaccine_registrations SET upload_batch = ?, employer = ? WHERE id = ?",
                      "isi", batch, jstr(o, "employer"), id);
    if (rc)
        return rc;
    sum->registered++;
    if (existing)
        sum->people_matched++;
    else
        sum->people_created++;
    return 0;
}

int vaccine_upload_apply(struct store *s, struct arena *a, const struct vaccine_data *d, const char *token,
                         int64_t account_id, const char *unit_code, bool valid_only, int64_t now,
                         struct vaccine_upload_summary *sum, bool *already, struct fault *f)
{
    memset(sum, 0, sizeof(*sum));
    *already = false;
    struct store_stmt *q;
    int rc = store_query(s, &q,
                         "SELECT id, status, unit_code, rows_bad, rows_text, registered, people_created,"
                         " people_matched FROM vaccine_upload_batches WHERE token = ?",
                         "s", token);
    if (rc)
        return rc;
    rc = store_step(q);
    if (rc != STORE_ROW) {
        store_finalize(q);
        if (rc == STORE_DONE)
            return fault_set(f, ERR_NOT_FOUND, "token", "no checked file has this token");
        return rc;
    }
    int64_t id = store_col_int(q, 0);
    bool applied = !strcmp(store_col_text(q, 1), "applied");
    bool mine = unit_within(unit_code, store_col_text(q, 2));
    int64_t bad = store_col_int(q, 3);
    const char *text = store_col_text(q, 4) ? arena_strdup(a, store_col_text(q, 4)) : NULL;
    sum->registered = store_col_int(q, 5);
    sum->people_created = store_col_int(q, 6);
    sum->people_matched = store_col_int(q, 7);
    sum->skipped = bad;
    store_finalize(q);
    if (!mine)
        return fault_set(f, ERR_FORBIDDEN, "token", "this file was checked in another area");
    if (applied) {
        *already = true;
        return 0;
    }
    if (bad && !valid_only)
        return fault_set(
            f, ERR_CONFLICT, "apply_valid_only",
            "the file has %lld bad rows: fix them and check again, or apply the valid rows only with "
            "\"apply_valid_only\": true",
            (long long)bad);
    /* Claim the batch: a concurrent apply of the same token waits here, then finds it applied. */
    int64_t changes = 0;
    rc = store_run(s, &changes,
                   "UPDATE vaccine_upload_batches SET status = 'applying', applied_by = ? WHERE id = ?"
                   " AND status = 'checked'",
                   "ii", account_id, id);
    if (rc)
        return rc;
    if (changes == 0)
        return STORE_RETRY; /* another apply committed first: the retry reads it as applied */
    sum->registered = sum->people_created = sum->people_matched = 0;
    json_error_t jerr;
    json_t *rows = text ? json_loads(text, 0, &jerr) : json_array();
    if (!json_is_array(rows)) {
        json_decref(rows);
        return STORE_ERROR;
    }
    for (size_t i = 0; i < json_array_size(rows) && !rc; i++)
        rc = apply_row(s, a, d, json_array_get(rows, i), id, account_id, unit_code, now, sum, f);
    json_decref(rows);
    if (!rc)
        rc = store_run(
            s, NULL,
            "UPDATE vaccine_upload_batches SET status = 'applied', registered = ?, people_created = ?,"
            " people_matched = ?, applied_at = ?, rows_text = NULL WHERE id = ?",
            "iiiii", sum->registered, sum->people_created, sum->people_matched, now, id);
    return rc;
}
