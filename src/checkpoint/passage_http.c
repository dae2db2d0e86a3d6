/*
 * passage_http.c - passages through a checkpoint.
 *
 * POST /api/v1/checkpoints/{id}/passages records a vehicle (or people on
 * foot) and answers each person's verdict at once.  The phone's client_id
 * makes it idempotent: a repeat answers 200 with the stored passage and
 * verdicts (not new ones: the officer acted on the first), which the
 * page's offline queue relies on.  GET .../passages?date= lists a day,
 * .../passages/export the same day as CSV or XLSX, and
 * GET /api/v1/checkpoint-passages?plate= finds a vehicle in the caller's area.
 */
#include <stdio.h>
#include <string.h>

#include "admin/role.h"
#include "area/scope.h"
#include "area/unit.h"
#include "audit/audit.h"
#include "checkpoint/checkpoint.h"
#include "checkpoint/checkpoint_int.h"
#include "core/clock.h"
#include "core/ids.h"
#include "core/jsonin.h"
#include "core/photo.h"
#include "declare/declare.h"
#include "export/export.h"
#include "http/http.h"
#include "people/people.h"
#include "qr/qr.h"

#define PHOTO_MAX (512 * 1024)  /* bytes of one photo: the page sends a small JPEG */
#define BACKDATE_MAX (7 * VN_DAY) /* a queued passage may reach the server up to a week late */

static const char *const vehicle_types[] = {"car", "truck", "bus", "motorbike", "other", NULL};

static bool in_list(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (!strcmp(s, *list))
            return true;
    return false;
}

json_t *checkpoint_passage_to_json(const struct checkpoint_passage *p, bool with_people)
{
    json_t *j = json_pack("{s:I, s:s, s:I, s:s, s:s?, s:s?, s:s?, s:s?, s:I, s:I}", "id", (json_int_t)p->id,
                          "client_id", p->client_id, "checkpoint_id", (json_int_t)p->checkpoint_id, "direction",
                          p->direction, "plate", p->plate, "vehicle_type", p->vehicle_type, "origin_commune",
                          p->origin_commune, "destination_commune", p->destination_commune, "passed_at",
                          (json_int_t)p->passed_at, "recorded_at", (json_int_t)p->recorded_at);
    char date[11];
    vn_date_format(p->day, date);
    json_object_set_new(j, "date", json_string(date));
    if (!with_people)
        return j;
    json_t *people = json_array();
    for (int i = 0; i < p->nriders; i++) {
        const struct checkpoint_rider *r = &p->riders[i];
        json_t *reasons = json_array();
        for (int k = 0; k < r->answer.nreasons; k++)
            json_array_append_new(reasons, json_string(r->answer.reasons[k]));
        json_array_append_new(people, json_pack("{s:I, s:s?, s:s?, s:s, s:s, s:o, s:s?, s:b}", "person_id",
                                                (json_int_t)r->person_id, "code", r->code, "full_name", r->full_name,
                                                "by", r->by_field, "verdict", checkpoint_verdict_name(r->answer.verdict),
                                                "reasons", reasons, "vaccination", r->vaccination, "photo",
                                                r->photo_type != NULL));
    }
    json_object_set_new(j, "people", people);
    return j;
}

/* ---------------------------------------------------------------- recording */

struct person_in {
    const char *by, *value, *field; /* "qr" | "cccd" | "cmnd", the value, "people[i].qr" */
    const char *photo_field, *photo_type, *photo;
};

struct record_ctx {
    struct http_req *r;
    struct checkpoint *cp;
    struct checkpoint_passage p;
    struct person_in in[CHECKPOINT_MAX_RIDERS];
    bool created;
};

/* The person a QR names: a personal card, or a declaration (its declarant). */
static int person_from_qr(struct store *s, struct http_req *r, const struct person_in *in, struct person *out)
{
    struct qr_parsed qp;
    if (qr_parse(in->value, &qp) == QR_VALID && qp.type == 'D') {
        int v = qr_verify(s, in->value, &qp);
        if (v == QR_ERROR)
            return http_fail(r, ERR_UNAVAILABLE, NULL, "could not read the signing keys; retry");
        if (v != QR_VALID || qp.nfields != 1)
            return http_fail(r, ERR_INVALID_FIELD, in->field, "%s is not a valid declaration code", in->field);
        struct declaration d;
        int rc = declare_get_by_reference(s, &r->arena, qp.fields[0], &d);
        if (rc == STORE_DONE)
            return http_fail(r, ERR_NOT_FOUND, in->field, "no declaration has this code");
        if (!rc)
            rc = people_get(s, &r->arena, d.person_id, out);
        return rc ? store_err(rc) : 0;
    }
    return people_from_qr(s, &r->arena, in->value, in->field, out, &r->fault);
}

static int resolve(struct store *s, struct http_req *r, const struct person_in *in, struct person *out)
{
    if (!strcmp(in->by, "qr"))
        return person_from_qr(s, r, in, out);
    int rc = people_find_by_cccd(s, &r->arena, in->value, out);
    if (rc == STORE_DONE)
        return http_fail(r, ERR_NOT_FOUND, in->field, "no person has this %s; they can declare first",
                         !strcmp(in->by, "cccd") ? "CCCD" : "CMND");
    return rc ? store_err(rc) : 0;
}

static int record_tx(struct store *s, void *arg)
{
    struct record_ctx *c = arg;
    struct http_req *r = c->r;
    struct checkpoint_passage old;
    /* a repeat must not depend on the people being found again */
    int rc = checkpoint_passage_by_client_id(s, &r->arena, c->p.client_id, &old);
    if (rc == STORE_OK) {
        if (old.checkpoint_id != c->p.checkpoint_id)
            return http_fail(r, ERR_CONFLICT, "client_id", "client_id %s was already used at another checkpoint",
                             c->p.client_id);
        c->p = old;
        c->created = false;
        return 0;
    }
    if (rc != STORE_DONE)
        return rc;
    for (int i = 0; i < c->p.nriders; i++) {
        struct person pe;
        struct checkpoint_rider *rd = &c->p.riders[i];
        if ((rc = resolve(s, r, &c->in[i], &pe)))
            return rc;
        for (int k = 0; k < i; k++)
            if (c->p.riders[k].person_id == pe.id)
                return http_fail(r, ERR_INVALID_FIELD, c->in[i].field, "%s names a person already in this vehicle",
                                 c->in[i].field);
        rd->person_id = pe.id;
        rd->full_name = pe.full_name;
        rd->code = pe.code;
    }
    if ((rc = checkpoint_answer_riders(s, &r->arena, &c->p)) || (rc = checkpoint_passage_insert(s, &c->p)))
        return rc;
    c->created = true;
    char id[24];
    snprintf(id, sizeof(id), "%lld", (long long)c->p.id);
    return audit_request(r, "checkpoint.passage.create", "checkpoint_passage", id, c->cp->commune_code);
}

static int read_person(struct http_req *r, json_t *o, int i, struct person_in *in)
{
    static const char *const fields[] = {"qr", "cccd", "cmnd", "photo", NULL};
    static const char *const by[] = {"qr", "cccd", "cmnd"};
    char name[32];
    snprintf(name, sizeof(name), "people[%d]", i);
    if (!json_is_object(o))
        return http_fail(r, ERR_INVALID_FIELD, arena_strdup(&r->arena, name), "%s must be an object", name);
    int rc = jsonin_allow(o, fields, &r->fault);
    for (int k = 0; !rc && k < 3; k++) {
        const char *v;
        snprintf(name, sizeof(name), "people[%d].%s", i, by[k]);
        char *field = arena_strdup(&r->arena, name);
        rc = jsonin_str(o, by[k], false, QR_PAYLOAD_MAX - 1, &v, &r->fault);
        if (rc)
            r->fault.field = field;
        if (!rc && v) {
            if (in->by)
                return http_fail(r, ERR_INVALID_FIELD, field, "give one of qr, cccd, cmnd for each person");
            in->by = by[k];
            in->value = v;
            in->field = field;
        }
    }
    if (!rc && !in->by) {
        snprintf(name, sizeof(name), "people[%d].qr", i);
        return http_fail(r, ERR_MISSING_FIELD, arena_strdup(&r->arena, name), "name each person by qr, cccd or cmnd");
    }
    if (!rc && !strcmp(in->by, "cccd"))
        rc = ids_check_cccd(in->value, in->field, &r->fault);
    if (!rc && !strcmp(in->by, "cmnd"))
        rc = ids_check_cmnd(in->value, in->field, &r->fault);
    const char *photo = NULL;
    if (!rc) {
        snprintf(name, sizeof(name), "people[%d].photo", i);
        in->photo_field = arena_strdup(&r->arena, name);
        rc = jsonin_str(o, "photo", false, 4 * PHOTO_MAX / 3 + 64, &photo, &r->fault);
        if (rc)
            r->fault.field = in->photo_field;
    }
    if (!rc && photo)
        rc = photo_read(&r->arena, photo, PHOTO_MAX, in->photo_field, &in->photo_type, &in->photo, &r->fault);
    return rc;
}

static int read_commune(struct http_req *r, json_t *body, const char *name, const char **out)
{
    const struct unit *u;
    int rc = jsonin_str(body, name, false, 8, out, &r->fault);
    if (!rc && *out) {
        rc = unit_check(*out, name, ERR_INVALID_FIELD, &u, &r->fault);
        if (!rc && u->level != 3)
            rc = http_fail(r, ERR_INVALID_FIELD, name, "%s must be a commune or ward (5 digits)", name);
    }
    return rc;
}

/* POST /api/v1/checkpoints/{id}/passages */
enum err checkpoint_handle_passage_create(struct http_req *r)
{
    static const char *const fields[] = {"client_id", "direction", "passed_at", "vehicle", "origin_commune",
                                         "destination_commune", "people", NULL};
    static const char *const vfields[] = {"plate", "type", NULL};
    json_t *body;
    int64_t id;
    bool present = false;
    struct checkpoint cp;
    struct record_ctx c = {.r = r, .cp = &cp};
    struct checkpoint_passage *p = &c.p;
    int64_t now = clock_now();
    int rc = http_param_id(r, "id", &id);
    if (!rc)
        rc = http_read_json(r, fields, &body);
    if (!rc)
        rc = jsonin_client_id(body, "client_id", true, &p->client_id, &r->fault);
    if (!rc)
        rc = jsonin_str(body, "direction", true, 8, &p->direction, &r->fault);
    if (!rc && strcmp(p->direction, "in") && strcmp(p->direction, "out"))
        rc = http_fail(r, ERR_INVALID_FIELD, "direction", "direction must be in or out");
    p->passed_at = now;
    if (!rc)
        rc = jsonin_int(body, "passed_at", false, now - BACKDATE_MAX, now + 300, &p->passed_at, &present, &r->fault);
    json_t *v = json_object_get(body, "vehicle");
    if (!rc && v && !json_is_null(v)) {
        const char *plate = NULL;
        if (!json_is_object(v))
            rc = http_fail(r, ERR_INVALID_FIELD, "vehicle", "vehicle must be an object {plate, type}");
        if (!rc && (rc = jsonin_allow(v, vfields, &r->fault)))
            r->fault.field = "vehicle";
        if (!rc && (rc = jsonin_str(v, "type", true, 16, &p->vehicle_type, &r->fault)))
            r->fault.field = "vehicle.type";
        if (!rc && !in_list(p->vehicle_type, vehicle_types))
            rc = http_fail(r, ERR_INVALID_FIELD, "vehicle.type", "vehicle.type must be car, truck, bus, motorbike or other");
        if (!rc && (rc = jsonin_str(v, "plate", true, 20, &plate, &r->fault)))
            r->fault.field = "vehicle.plate";
        if (!rc) {
            char *norm = arena_alloc(&r->arena, CHECKPOINT_PLATE_MAX);
            rc = checkpoint_plate_normalise(plate, "vehicle.plate", norm, &r->fault);
            p->plate = norm;
        }
    }
    if (!rc)
        rc = read_commune(r, body, "origin_commune", &p->origin_commune);
    if (!rc)
        rc = read_commune(r, body, "destination_commune", &p->destination_commune);
    json_t *people = json_object_get(body, "people");
    if (!rc && (!json_is_array(people) || json_array_size(people) == 0 ||
                json_array_size(people) > CHECKPOINT_MAX_RIDERS))
        rc = http_fail(r, people ? ERR_INVALID_FIELD : ERR_MISSING_FIELD, "people",
                       "people must be a list of 1 to %d people", CHECKPOINT_MAX_RIDERS);
    if (rc)
        return rc;
    p->nriders = (int)json_array_size(people);
    p->riders = arena_alloc(&r->arena, sizeof(*p->riders) * (size_t)p->nriders);
    memset(p->riders, 0, sizeof(*p->riders) * (size_t)p->nriders);
    for (int i = 0; i < p->nriders; i++) {
        if ((rc = read_person(r, json_array_get(people, (size_t)i), i, &c.in[i])))
            return rc;
        p->riders[i].by_field = c.in[i].by;
        p->riders[i].photo_type = c.in[i].photo_type;
        p->riders[i].photo = c.in[i].photo;
    }
    if ((rc = checkpoint__load(r, id, &cp)))
        return rc;
    p->checkpoint_id = cp.id;
    p->day = vn_day(p->passed_at);
    p->recorded_at = now;
    p->recorded_by = r->who->account_id;
    p->province_code = cp.province_code;
    p->district_code = cp.district_code;
    p->commune_code = cp.commune_code;
    rc = store_tx(r->store, record_tx, &c);
    if (rc)
        return rc;
    return http_reply_json(r, c.created ? 201 : 200, checkpoint_passage_to_json(p, true));
}

/* ---------------------------------------------------------------- lists */

static int read_day(struct http_req *r, int64_t *day)
{
    const char *date = http_query(r, "date");
    *day = vn_day(clock_now());
    if (date && !vn_date_parse(date, day))
        return http_fail(r, ERR_INVALID_FIELD, "date", "date must be a date YYYY-MM-DD");
    return 0;
}

/* The checkpoint of the path and its passages on the day of ?date= (the list and the export). */
static int load_day(struct http_req *r, int64_t *id, int64_t *day, struct checkpoint *cp,
                    struct checkpoint_passage **list, int *n)
{
    int rc = http_param_id(r, "id", id);
    if (!rc)
        rc = read_day(r, day);
    if (!rc)
        rc = checkpoint__load(r, *id, cp);
    if (rc)
        return rc;
    rc = checkpoint_passages_day(r->store, &r->arena, *id, *day, list, n);
    return rc ? store_err(rc) : 0;
}

/* GET /api/v1/checkpoints/{id}/passages?date= */
enum err checkpoint_handle_passage_list(struct http_req *r)
{
    int64_t id, day;
    struct checkpoint cp;
    struct checkpoint_passage *list;
    int n;
    int rc = load_day(r, &id, &day, &cp, &list, &n);
    if (rc)
        return rc;
    json_t *items = json_array();
    int64_t people = 0, vehicles = 0, verdicts[3] = {0};
    for (int i = 0; i < n; i++) {
        json_array_append_new(items, checkpoint_passage_to_json(&list[i], true));
        vehicles += list[i].plate != NULL;
        people += list[i].nriders;
        for (int k = 0; k < list[i].nriders; k++)
            verdicts[list[i].riders[k].answer.verdict]++;
    }
    char date[11];
    vn_date_format(day, date);
    audit_request(r, "checkpoint.passages.read", "checkpoint", http_param(r, "id"), cp.commune_code);
    return http_reply_json(r, 200,
                           json_pack("{s:o, s:s, s:{s:I, s:I, s:I, s:I, s:I}, s:o}", "checkpoint",
                                     checkpoint_to_json(&cp), "date", date, "totals", "people", (json_int_t)people,
                                     "vehicles", (json_int_t)vehicles, "pass", (json_int_t)verdicts[CHECKPOINT_PASS],
                                     "test", (json_int_t)verdicts[CHECKPOINT_TEST], "back",
                                     (json_int_t)verdicts[CHECKPOINT_BACK], "passages", items));
}

/* The export speaks Vietnamese, as the officials reading it do: codes become words. */
static const char *const words[][2] = {
    {"in", "Vào"},
    {"out", "Ra"},
    {"car", "Ô tô"},
    {"truck", "Xe tải"},
    {"bus", "Xe khách"},
    {"motorbike", "Xe máy"},
    {"other", "Khác"},
    {"pass", "Cho qua"},
    {"test", "Đưa đi xét nghiệm"},
    {"back", "Cho quay lại"},
    {"confirmed_case", "Ca bệnh (F0)"},
    {"f1", "F1"},
    {"in_quarantine", "Đang cách ly"},
    {"no_declaration", "Chưa khai báo y tế"},
    {"no_negative_test", "Chưa có xét nghiệm âm tính"},
    {"not_vaccinated", "Chưa tiêm vắc xin"},
    {"none", "Chưa tiêm"},
    {"partial", "Chưa đủ liều"},
    {"complete", "Đủ liều"},
    {"booster", "Đã tiêm nhắc lại"},
};

static const char *word(const char *code)
{
    for (size_t i = 0; code && i < sizeof(words) / sizeof(words[0]); i++)
        if (!strcmp(code, words[i][0]))
            return words[i][1];
    return code ? code : "";
}

/* GET /api/v1/checkpoints/{id}/passages/export?date=&format=csv|xlsx: one row per person */
enum err checkpoint_handle_passage_export(struct http_req *r)
{
    static const char *const cols[] = {"Thời gian", "Chiều", "Biển số", "Loại xe", "Nơi đi", "Nơi đến",
                                       "Mã người", "Họ tên", "Kết quả", "Lý do", "Tiêm chủng", NULL};
    int64_t id, day;
    struct checkpoint cp;
    struct checkpoint_passage *list;
    int n;
    enum export_kind kind;
    const char *format = http_query(r, "format");
    if (export_kind_parse(format ? format : "csv", &kind))
        return http_fail(r, ERR_INVALID_FIELD, "format", "format must be csv or xlsx");
    int rc = load_day(r, &id, &day, &cp, &list, &n);
    if (rc)
        return rc;
    struct export *e = export_begin(kind, cols);
    for (int i = 0; i < n; i++) {
        const struct checkpoint_passage *p = &list[i];
        char when[24];
        int64_t local = p->passed_at + VN_UTC_OFFSET;
        int y, m, d;
        civil_from_days(local / VN_DAY, &y, &m, &d);
        snprintf(when, sizeof(when), "%02d/%02d/%04d %02d:%02d", d, m, y, (int)(local % VN_DAY / 3600),
                 (int)(local % 3600 / 60));
        for (int k = 0; k < p->nriders; k++) {
            const struct checkpoint_rider *rd = &p->riders[k];
            char reasons[CHECKPOINT_MAX_RULES * 64] = "";
            size_t len = 0;
            for (int j = 0; j < rd->answer.nreasons; j++)
                len += (size_t)snprintf(reasons + len, sizeof(reasons) - len, "%s%s", j ? "; " : "",
                                        word(rd->answer.reasons[j]));
            const char *row[] = {when, word(p->direction), p->plate ? p->plate : "", p->vehicle_type ? word(p->vehicle_type) : "Đi bộ",
                                 p->origin_commune ? p->origin_commune : "",
                                 p->destination_commune ? p->destination_commune : "", rd->code ? rd->code : "",
                                 rd->full_name ? rd->full_name : "", word(checkpoint_verdict_name(rd->answer.verdict)),
                                 reasons, word(rd->vaccination)};
            if (export_row(e, row)) {
                export_free(e);
                return http_fail(r, ERR_TOO_LARGE, "date", "the day is too large to export");
            }
        }
    }
    struct buf out;
    buf_init(&out, EXPORT_MAX_BYTES + (1u << 20));
    if (export_end(e, &out)) {
        buf_release(&out);
        return ERR_INTERNAL;
    }
    audit_request(r, "checkpoint.passages.export", "checkpoint", http_param(r, "id"), cp.commune_code);
    char date[11], disp[96];
    vn_date_format(day, date);
    snprintf(disp, sizeof(disp), "attachment; filename=\"checkpoint-%lld-%s.%s\"", (long long)id, date,
             export_extension(kind));
    http_add_header(r, "Content-Disposition", disp);
    rc = http_reply(r, 200, export_content_type(kind), out.data, out.len);
    buf_release(&out);
    return rc;
}

/* GET /api/v1/checkpoint-passages?plate=&unit= */
enum err checkpoint_handle_plate_search(struct http_req *r)
{
    const struct unit *u;
    char plate[CHECKPOINT_PLATE_MAX];
    int64_t limit;
    struct checkpoint_passage *list;
    int n;
    const char *q = http_query(r, "plate");
    int rc = checkpoint_plate_normalise(q, "plate", plate, &r->fault); /* absent: 400 naming plate */
    if (!rc)
        rc = http_query_int(r, "limit", 1, 1000, 200, &limit);
    if (!rc)
        rc = area_from_query(r, "unit", &u);
    if (rc)
        return rc;
    rc = checkpoint_passages_plate(r->store, &r->arena, u->code, plate, limit, &list, &n);
    if (rc)
        return store_err(rc);
    json_t *items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(items, checkpoint_passage_to_json(&list[i], true));
    audit_request(r, "checkpoint.passages.search", "checkpoint_passage", NULL, u->code);
    return http_reply_json(r, 200, json_pack("{s:s, s:o}", "plate", plate, "passages", items));
}

/* GET /api/v1/checkpoint-passages/{id}/photos/{person_id}: the photo taken at the checkpoint */
enum err checkpoint_handle_photo(struct http_req *r)
{
    int64_t id, person_id;
    const char *type, *b64, *commune;
    unsigned char *bin;
    size_t len = 0;
    int rc = http_param_id(r, "id", &id);
    if (!rc)
        rc = http_param_id(r, "person_id", &person_id);
    if (rc)
        return rc;
    rc = checkpoint_photo(r->store, &r->arena, id, person_id, &type, &b64, &commune);
    if (rc == STORE_DONE)
        return http_fail(r, ERR_NOT_FOUND, "id", "no photo of person %lld at passage %lld (none, or deleted)",
                         (long long)person_id, (long long)id);
    if (rc)
        return store_err(rc);
    if ((rc = area_require(r, commune)))
        return rc;
    if (photo_decode(&r->arena, b64, &bin, &len))
        return ERR_INTERNAL;
    char subject[24];
    snprintf(subject, sizeof(subject), "%lld", (long long)person_id);
    audit_request(r, "checkpoint.photo.read", "person", subject, commune);
    return http_reply(r, 200, type, bin, len);
}
