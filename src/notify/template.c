/*
 * template.c - the texts of messages, in Vietnamese and English, with the
 * fields each kind may use ({code}, {minutes}, ...).  The shipped texts are
 * here; national admins may replace them (notify_templates).  A secret field
 * ({code}) is rendered as NOTIFY_MASK, so the stored text stays masked.
 *
 * A template is named by the message it writes: mostly the outbox kind, and
 * for a kind whose wording differs by case, the kind and the case
 * (quarantine_missed_member is a quarantine_reminder about a managed member).
 * The values filled in are Vietnamese: messages go in Vietnamese (people have
 * no language setting), the English text waits for the day they do.
 */
#include <stdio.h>
#include <stdlib.h>
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
    const char *fields[8]; /* NULL-terminated; the first is a secret required once when required_first */
    bool required_first;
    const char *vi, *en;
};

#define QUARANTINE_MISSED_VI "Vui long diem danh ngay bang anh va vi tri."
#define CORRECTION_VI                                                                                        \
    "do tiếp xúc với một ca bệnh đã được huỷ: kết quả xét nghiệm của ca bệnh đã được phòng xét nghiệm sửa " \
    "lại. (Withdrawn: the case's test result was corrected.)"

static const struct template_def defs[] = {
    {"otp", {"code", "minutes", NULL}, true,
     "Mã xác thực Cordon: {code}. Mã có hiệu lực {minutes} phút, không chia sẻ mã này với ai.",
     "Your Cordon code: {code}. It is valid for {minutes} minutes; do not share it with anyone."},
    {"family", {"code", "minutes", NULL}, true,
     "Cordon: một người muốn thêm bạn vào gia đình để quản lý hồ sơ sức khỏe của bạn. Chỉ đưa mã {code} nếu bạn "
     "đồng ý. Mã có hiệu lực {minutes} phút.",
     "Cordon: someone wants to add you to their family to manage your health record. Give the code {code} only "
     "if you agree. It is valid for {minutes} minutes."},
    {"en_code", {"code", NULL}, true,
     "Cordon: ma xac minh thong bao phoi nhiem {code} (hieu luc 1 gio). Nhap vao ung dung de canh bao nguoi tiep "
     "xuc.",
     "Cordon: your exposure notification code {code} (valid for 1 hour). Enter it in the app to warn your "
     "contacts."},
    {"result", {"test", "date", "corrected", "result", NULL}, false,
     "Cordon: kết quả xét nghiệm {test} ngày {date}{corrected}: {result}.",
     "Cordon: your {test} test of {date}{corrected}: {result}."},
    {"result_member", {"name", "test", "date", "corrected", "result", NULL}, false,
     "Cordon: kết quả xét nghiệm của {name} {test} ngày {date}{corrected}: {result}.",
     "Cordon: the {test} test of {name} of {date}{corrected}: {result}."},
    {"result_correction", {NULL}, false,
     "Cordon: lệnh cách ly và lịch xét nghiệm của bạn " CORRECTION_VI,
     "Cordon: your quarantine order and test schedule after contact with a case are withdrawn: the case's test "
     "result was corrected by the laboratory."},
    {"result_correction_member", {"name", NULL}, false,
     "Cordon: lệnh cách ly và lịch xét nghiệm của {name} " CORRECTION_VI,
     "Cordon: the quarantine order and test schedule of {name} after contact with a case are withdrawn: the "
     "case's test result was corrected by the laboratory."},
    {"quarantine_missed", {"order", NULL}, false,
     "Cordon: ban chua diem danh cach ly (lenh {order}). " QUARANTINE_MISSED_VI,
     "Cordon: you have not checked in for your quarantine (order {order}). Please check in now with a photo "
     "and your location."},
    {"quarantine_missed_member", {"name", "order", NULL}, false,
     "Cordon: {name} chua diem danh cach ly (lenh {order}). Vui long diem danh cho nguoi than ngay bang anh va "
     "vi tri.",
     "Cordon: {name} has not checked in for quarantine (order {order}). Please check in for them now with a "
     "photo and their location."},
    {"quarantine_outside", {"order", NULL}, false,
     "Cordon: vi tri diem danh cach ly (lenh {order}) o ngoai noi cach ly. Tram y te xa se lien he.",
     "Cordon: your quarantine check-in (order {order}) was outside the quarantine place. The commune health "
     "station will contact you."},
    {"quarantine_outside_member", {"name", "order", NULL}, false,
     "Cordon: vi tri diem danh cach ly cua {name} (lenh {order}) o ngoai noi cach ly. Tram y te xa se lien he.",
     "Cordon: the quarantine check-in of {name} (order {order}) was outside the quarantine place. The commune "
     "health station will contact you."},
    {"vaccine_invitation", {"product", "dose", "date", "from", "to", "site", "appointment", NULL}, false,
     "Cordon: moi tiem vac xin {product} mui {dose} ngay {date}, {from}-{to} tai {site}. Ma lich hen "
     "{appointment}. Xac nhan hoac doi lich tren ung dung.",
     "Cordon: you are invited for dose {dose} of {product} on {date}, {from}-{to} at {site}. Appointment "
     "{appointment}. Confirm or reschedule in the app."},
    {"vaccine_rescheduled", {"product", "dose", "date", "from", "to", "site", "appointment", NULL}, false,
     "Cordon: lich tiem vac xin {product} mui {dose} da doi sang ngay {date}, {from}-{to} tai {site}. Ma lich "
     "hen {appointment}.",
     "Cordon: your dose {dose} of {product} is moved to {date}, {from}-{to} at {site}. Appointment "
     "{appointment}."},
    {"vaccine_due", {"name", "dose", "product", "date", NULL}, false,
     "Cordon: {name} da den han tiem mui {dose} vac xin {product} tu ngay {date}. Chon buoi tiem tren ung dung "
     "Cordon hoac lien he tram y te.",
     "Cordon: {name}, dose {dose} of {product} is due from {date}. Choose a session in the Cordon app or ask "
     "the health station."},
    {"daily_report", {"date", "unit", "new_f0", "new_f0_7d", "level", "path", NULL}, false,
     "Cordon: báo cáo ngày {date} của {unit}: {new_f0} ca F0 mới (7 ngày: {new_f0_7d}), cấp độ dịch {level}. "
     "Báo cáo đầy đủ: {path}",
     "Cordon: report of {date} for {unit}: {new_f0} new F0 cases (7 days: {new_f0_7d}), epidemic level "
     "{level}. Full report: {path}"},
    {"feedback_answered", {"ref", "answer", NULL}, false, "Cordon: phan anh {ref} cua ban da duoc tra loi: {answer}",
     "Cordon: your report {ref} was answered: {answer}"},
    {"feedback_forwarded", {"ref", "unit", NULL}, false, "Cordon: phan anh {ref} cua ban da duoc chuyen den {unit}.",
     "Cordon: your report {ref} was passed to {unit}."},
    {"feedback_closed", {"ref", "note", NULL}, false, "Cordon: phan anh {ref} cua ban da dong{note}",
     "Cordon: your report {ref} is closed{note}"},
    {"broadcast", {"text", NULL}, false, "{text}", "{text}"},
    /* account notices, by e-mail (src/admin/notice.c) */
    {"account_created", {"full_name", "username", "unit", NULL}, false,
     "Chào {full_name},\n\nTài khoản Cordon của bạn tại {unit} đã được tạo. Tên đăng nhập: {username}. Mật khẩu do "
     "quản trị viên đã tạo tài khoản trao cho bạn; hãy đổi mật khẩu sau lần đăng nhập đầu tiên.\n\nCordon",
     "Hello {full_name},\n\nYour Cordon account at {unit} has been created. User name: {username}. The admin who "
     "created it gives you the password; change it after your first sign-in.\n\nCordon"},
    {"account_password", {"full_name", "username", NULL}, false,
     "Chào {full_name},\n\nMật khẩu tài khoản Cordon {username} vừa được quản trị viên đặt lại; mọi phiên đăng nhập "
     "cũ đã kết thúc. Nếu bạn không yêu cầu việc này, hãy báo ngay cho quản trị viên.\n\nCordon",
     "Hello {full_name},\n\nThe password of your Cordon account {username} was just reset by an admin; every "
     "earlier sign-in has ended. If you did not ask for this, tell your admin at once.\n\nCordon"},
    {"account_disabled", {"full_name", "username", NULL}, false,
     "Chào {full_name},\n\nTài khoản Cordon {username} đã bị quản trị viên khoá và không đăng nhập được nữa. Nếu đây "
     "là nhầm lẫn, hãy liên hệ quản trị viên.\n\nCordon",
     "Hello {full_name},\n\nYour Cordon account {username} was disabled by an admin and can no longer sign in. If "
     "this is a mistake, contact your admin.\n\nCordon"},
};
enum { NDEFS = sizeof(defs) / sizeof(defs[0]) };

static const struct template_def *find_def(const char *kind)
{
    for (int i = 0; i < NDEFS; i++)
        if (!strcmp(defs[i].kind, kind))
            return &defs[i];
    return NULL;
}

/* The position of field name[0..n) in def, or -1. */
static int field_index(const struct template_def *def, const char *name, size_t n)
{
    for (int i = 0; def->fields[i]; i++)
        if (strlen(def->fields[i]) == n && !strncmp(name, def->fields[i], n))
            return i;
    return -1;
}

/* def's fields as "{a}, {b}" (or "none") in buf. */
static const char *field_list(const struct template_def *def, char *buf, size_t len)
{
    size_t o = 0;
    buf[0] = 0;
    for (int i = 0; def->fields[i] && o < len; i++)
        o += (size_t)snprintf(buf + o, len - o, "%s{%s}", i ? ", " : "", def->fields[i]);
    if (!def->fields[0])
        snprintf(buf, len, "none");
    return buf;
}

/* Checks tpl's {fields} against def: 0, or a 400 naming field (body_vi, body_en) and the wrong {field}. */
static int check(struct http_req *r, const struct template_def *def, const char *tpl, const char *field)
{
    char list[256];
    int first = 0;
    for (const char *p = strchr(tpl, '{'); p; p = strchr(p + 1, '{')) {
        const char *end = strchr(p, '}');
        if (!end)
            return http_fail(r, ERR_INVALID_FIELD, field, "a { without its } (fields: %s)",
                             field_list(def, list, sizeof list));
        int i = field_index(def, p + 1, (size_t)(end - p - 1));
        if (i < 0)
            return http_fail(r, ERR_INVALID_FIELD, field, "{%.*s} is not a field of this message (fields: %s)",
                             (int)(end - p - 1 > 40 ? 40 : end - p - 1), p + 1, field_list(def, list, sizeof list));
        first += i == 0;
    }
    if (def->required_first && first != 1)
        return http_fail(r, ERR_INVALID_FIELD, field, "the {%s} must appear exactly once", def->fields[0]);
    return 0;
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

/* The text of kind in lang: the national admins' if they changed it, else the shipped one. */
static enum store_rc load_text(struct store *s, const char *kind, const char *lang, const struct template_def **def,
                               const char **tpl)
{
    *def = find_def(kind);
    if (!*def)
        return STORE_ERROR;
    static __thread struct loaded l;
    l.found = false;
    enum store_rc rc = store_get(s, read_loaded, &l, "SELECT body_vi, body_en FROM notify_templates WHERE kind = ?",
                                 "s", kind);
    if (rc && rc != STORE_DONE)
        return rc;
    bool en = lang && !strcmp(lang, "en");
    *tpl = l.found ? (en ? l.en : l.vi) : (en ? (*def)->en : (*def)->vi);
    return STORE_OK;
}

/* Appends v[0..vl) to out at *o, cut at a character boundary when out is full. */
static void put_text(char *out, size_t outlen, size_t *o, const char *v, size_t vl)
{
    if (*o + vl >= outlen) {
        vl = outlen - 1 - *o;
        while (vl && ((unsigned char)v[vl] & 0xC0) == 0x80) /* v[vl] continues a character: cut before it */
            vl--;
    }
    memcpy(out + *o, v, vl);
    *o += vl;
}

enum store_rc notify_template_render(struct store *s, const char *kind, const char *lang, const char *const *values,
                                     char *out, size_t outlen)
{
    const struct template_def *def;
    const char *tpl;
    enum store_rc rc = load_text(s, kind, lang, &def, &tpl);
    if (rc)
        return rc;
    size_t o = 0;
    for (const char *p = tpl; *p && o + 1 < outlen;) {
        const char *end = *p == '{' ? strchr(p, '}') : NULL;
        int i = end ? field_index(def, p + 1, (size_t)(end - p - 1)) : -1;
        if (i < 0) {
            out[o++] = *p++;
            continue;
        }
        const char *v = def->required_first && i == 0 ? NOTIFY_MASK : values[i] ? values[i] : "";
        put_text(out, outlen, &o, v, strlen(v));
        p = end + 1;
    }
    out[o] = 0;
    return STORE_OK;
}

enum store_rc notify_template_sql(struct store *s, const char *kind, const char *lang, const char *const *exprs,
                                  char *out, size_t outlen)
{
    const struct template_def *def;
    const char *tpl;
    enum store_rc rc = load_text(s, kind, lang, &def, &tpl);
    if (rc)
        return rc;
    size_t o = 0;
    bool in_literal = false;
#define PUT(str)                                                                                             \
    do {                                                                                                     \
        size_t l_ = strlen(str);                                                                             \
        if (o + l_ + 1 >= outlen)                                                                            \
            return STORE_ERROR;                                                                              \
        memcpy(out + o, str, l_);                                                                            \
        o += l_;                                                                                             \
    } while (0)
    PUT("(CAST('' AS TEXT)");
    for (const char *p = tpl; *p;) {
        const char *end = *p == '{' ? strchr(p, '}') : NULL;
        int i = end ? field_index(def, p + 1, (size_t)(end - p - 1)) : -1;
        if (i >= 0) {
            if (in_literal)
                PUT("'");
            in_literal = false;
            PUT(" || (");
            PUT(exprs[i]);
            PUT(")");
            p = end + 1;
            continue;
        }
        if (!in_literal)
            PUT(" || '");
        in_literal = true;
        char c[3] = {*p, *p == '\'' ? '\'' : 0, 0}; /* a quote is written twice */
        PUT(c);
        p++;
    }
    if (in_literal)
        PUT("'");
    PUT(")");
#undef PUT
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
    if (!rc)
        rc = check(r, def, vi, "body_vi");
    if (!rc)
        rc = check(r, def, en, "body_en");
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
