/*
 * template.c - the texts of messages, in Vietnamese and English, with the
 * fields each kind may use ({code}, {minutes}, ...).  The shipped texts are
 * here; national admins may replace them (notify_templates).  A secret field
 * ({code}) is rendered as NOTIFY_MASK, so the stored text stays masked.
 */
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "core/clock.h"
#include "core/jsonin.h"
#include "core/text.h"
#include "http/http.h"
#include "notify/notify.h"
#include "store/store.h"

#define TEMPLATE_MAX_CHARS 480

struct template_def {
    const char *kind;
    const char *fields[4]; /* NULL-terminated; the first is required when required_first */
    bool required_first;
    const char *vi, *en;
};

static const struct template_def defs[] = {
    {"otp", {"code", "minutes", NULL}, true,
     "Mã xác thực Cordon: {code}. Mã có hiệu lực {minutes} phút, không chia sẻ mã này với ai.",
     "Your Cordon code: {code}. It is valid for {minutes} minutes; do not share it with anyone."},
};
enum { NDEFS = sizeof(defs) / sizeof(defs[0]) };

static const struct template_def *find_def(const char *kind)
{
    for (int i = 0; i < NDEFS; i++)
        if (!strcmp(defs[i].kind, kind))
            return &defs[i];
    return NULL;
}

/* Checks tpl's {fields} against def: NULL when fine, else a reason. */
static const char *check(const struct template_def *def, const char *tpl)
{
    int first = 0;
    for (const char *p = strchr(tpl, '{'); p; p = strchr(p + 1, '{')) {
        const char *end = strchr(p, '}');
        if (!end)
            return "a { without its }";
        bool known = false;
        for (int i = 0; def->fields[i]; i++) {
            size_t n = strlen(def->fields[i]);
            if ((size_t)(end - p - 1) == n && !strncmp(p + 1, def->fields[i], n)) {
                known = true;
                first += i == 0;
            }
        }
        if (!known)
            return "a field this message does not have";
    }
    if (def->required_first && first != 1)
        return "the code must appear exactly once";
    return NULL;
}

struct loaded {
    char vi[TEMPLATE_MAX_CHARS * 4 + 1], en[TEMPLATE_MAX_CHARS * 4 + 1];
    bool found;
};

static void read_loaded(struct store_stmt *st, void *ctx)
{
    struct loaded *l = ctx;
    snprintf(l->vi, sizeof(l->vi), "%s", store_col_text(st, 0));
    snprintf(l->en, sizeof(l->en), "%s", store_col_text(st, 1));
    l->found = true;
}

enum store_rc notify_template_render(struct store *s, const char *kind, const char *lang, const char *const *values,
                                     char *out, size_t outlen)
{
    const struct template_def *def = find_def(kind);
    if (!def)
        return STORE_ERROR;
    static __thread struct loaded l;
    l.found = false;
    enum store_rc rc = store_get(s, read_loaded, &l, "SELECT body_vi, body_en FROM notify_templates WHERE kind = ?",
                                 "s", kind);
    if (rc && rc != STORE_DONE)
        return rc;
    bool en = lang && !strcmp(lang, "en");
    const char *tpl = l.found ? (en ? l.en : l.vi) : (en ? def->en : def->vi);
    size_t o = 0;
    for (const char *p = tpl; *p && o + 1 < outlen;) {
        bool done = false;
        for (int i = 0; *p == '{' && def->fields[i] && !done; i++) {
            size_t n = strlen(def->fields[i]);
            if (!strncmp(p + 1, def->fields[i], n) && p[1 + n] == '}') {
                const char *v = def->required_first && i == 0 ? NOTIFY_MASK : values[i];
                size_t vl = strlen(v);
                if (o + vl >= outlen)
                    return STORE_ERROR;
                memcpy(out + o, v, vl);
                o += vl;
                p += n + 2;
                done = true;
            }
        }
        if (!done)
            out[o++] = *p++;
    }
    out[o] = 0;
    return STORE_OK;
}

static json_t *template_json(const struct template_def *def, const struct loaded *l)
{
    json_t *fields = json_array();
    for (int i = 0; def->fields[i]; i++)
        json_array_append_new(fields, json_string(def->fields[i]));
    return json_pack("{s:s, s:o, s:s, s:s, s:b, s:s, s:s}", "kind", def->kind, "fields", fields, "body_vi",
                     l->found ? l->vi : def->vi, "body_en", l->found ? l->en : def->en, "changed", l->found,
                     "default_vi", def->vi, "default_en", def->en);
}

enum err notify_handle_templates(struct http_req *r)
{
    json_t *arr = json_array();
    for (int i = 0; i < NDEFS; i++) {
        static __thread struct loaded l;
        l.found = false;
        enum store_rc rc = store_get(r->store, read_loaded, &l,
                                     "SELECT body_vi, body_en FROM notify_templates WHERE kind = ?", "s", defs[i].kind);
        if (rc && rc != STORE_DONE) {
            json_decref(arr);
            return store_err(rc);
        }
        json_array_append_new(arr, template_json(&defs[i], &l));
    }
    return http_reply_json(r, 200, json_pack("{s:o}", "templates", arr));
}

enum err notify_handle_template_put(struct http_req *r)
{
    const char *kind = http_param(r, "kind");
    const struct template_def *def = kind ? find_def(kind) : NULL;
    if (!def)
        return http_fail(r, ERR_NOT_FOUND, "kind", "no message of this kind");
    static const char *const fields[] = {"body_vi", "body_en", NULL};
    json_t *body;
    int rc = http_read_json(r, fields, &body);
    const char *vi = NULL, *en = NULL;
    if (!rc)
        rc = jsonin_str(body, "body_vi", true, TEMPLATE_MAX_CHARS, &vi, &r->fault);
    if (!rc)
        rc = jsonin_str(body, "body_en", true, TEMPLATE_MAX_CHARS, &en, &r->fault);
    const char *why;
    if (!rc && (why = check(def, vi)))
        rc = http_fail(r, ERR_INVALID_FIELD, "body_vi", "%s (fields: {%s}%s%s%s)", why, def->fields[0],
                       def->fields[1] ? ", {" : "", def->fields[1] ? def->fields[1] : "", def->fields[1] ? "}" : "");
    if (!rc && (why = check(def, en)))
        rc = http_fail(r, ERR_INVALID_FIELD, "body_en", "%s", why);
    if (rc) /* body belongs to the request's arena */
        return rc;
    enum store_rc src = store_run(r->store, NULL,
                                  "INSERT INTO notify_templates (kind, body_vi, body_en, updated_at, updated_by)"
                                  " VALUES (?, ?, ?, ?, ?) ON CONFLICT (kind) DO UPDATE SET body_vi = excluded.body_vi,"
                                  " body_en = excluded.body_en, updated_at = excluded.updated_at,"
                                  " updated_by = excluded.updated_by",
                                  "sssii", kind, vi, en, clock_now(), r->who->account_id);
    if (src)
        return store_err(src);
    audit_request(r, "notify.template", "template", kind, NULL);
    struct loaded l = {.found = true};
    snprintf(l.vi, sizeof(l.vi), "%s", vi);
    snprintf(l.en, sizeof(l.en), "%s", en);
    return http_reply_json(r, 200, template_json(def, &l));
}
