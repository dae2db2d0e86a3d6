/*
 * report.c - the daily report of an area: a PDF with one page per unit (the
 * unit itself, then each unit below it) holding the figures of the situation,
 * the level and the epidemic curve, and on the first page the new F0 of the
 * day with their source; or the same figures as an XLSX sheet.  The list of
 * new F0 names people: reading it is audited.
 */
#include <stdio.h>
#include <string.h>

#include "area/scope.h"
#include "area/unit.h"
#include "core/arena.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "export/export.h"
#include "http/http.h"
#include "print/print.h"
#include "situation/situation.h"
#include "store/sql.h"
#include "store/store.h"

/* The figures of a page, in Vietnamese (the report is for officials of Việt Nam). */
static const struct {
    const char *name, *label;
} FIGS[] = {
    {"new_f0", "F0 mới"},
    {"new_f0_in_quarantine", "F0 phát hiện trong khu cách ly"},
    {"new_f0_community", "F0 phát hiện ngoài cộng đồng"},
    {"f1_found", "F1 mới xác định"},
    {"f1_reached", "F1 đã liên hệ được"},
    {"f1_to_reach", "F1 chưa liên hệ được"},
    {"f2_found", "F2 mới xác định"},
    {"f2_to_reach", "F2 chưa liên hệ được"},
    {"in_quarantine", "Đang cách ly"},
    {"open_alerts", "Cảnh báo cách ly chưa xử lý"},
    {"samples_taken", "Mẫu đã lấy"},
    {"tests_resulted", "Mẫu có kết quả"},
    {"tests_positive", "Mẫu dương tính"},
    {"results_pending", "Mẫu chờ kết quả"},
    {"doses_given", "Mũi tiêm"},
    {"vaccinated_dose1", "Người đã tiêm mũi 1"},
    {"vaccinated_full", "Người đã tiêm đủ liều"},
    {"coverage_dose1", "Tỷ lệ tiêm mũi 1 (%)"},
    {"coverage_full", "Tỷ lệ tiêm đủ liều (%)"},
    {"declarations_flagged", "Khai báo có dấu hiệu"},
    {"declarations_entry", "Khai báo nhập cảnh"},
    {"checkins", "Lượt quét mã"},
};
#define NFIGS (sizeof FIGS / sizeof FIGS[0])

static const char *const WINS[3] = {"today", "7d", "14d"};

/* One value as text: a count, a share in percent, "chưa rõ" for an unknown rate. */
static void cell(json_t *v, const char *name, char *out, size_t n)
{
    if (json_is_integer(v))
        snprintf(out, n, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        snprintf(out, n, "%.1f", json_real_value(v) * 100.0);
    else
        snprintf(out, n, "%s", !strncmp(name, "coverage_", 9) ? "chưa rõ dân số" : "—");
}

/* The three cells of a figure (a windowed one), or one value as of the day in the first. */
static void cells(json_t *fig, const char *name, char out[3][32])
{
    json_t *v = json_object_get(fig, name);
    for (int w = 0; w < 3; w++)
        out[w][0] = 0;
    if (json_is_object(v))
        for (int w = 0; w < 3; w++)
            cell(json_object_get(v, WINS[w]), name, out[w], sizeof out[w]);
    else
        cell(v, name, out[0], sizeof out[0]);
}

struct f0 {
    char name[128], commune[8], source[48];
};

/* The new F0 of the day in the area, with their source (found in quarantine or in the community). */
static int new_f0(struct store *s, const struct unit *u, int64_t day, struct f0 *out, size_t max, size_t *n)
{
    struct store_sql q;
    store_sql_init(&q,
                   "SELECT COALESCE(p.full_name, p.code), x.commune_code, CASE WHEN EXISTS (SELECT 1 FROM"
                   " quarantine_orders o WHERE o.person_id = x.person_id AND o.status <> 'cancelled' AND"
                   " o.created_at <= x.confirmed_at AND o.start_day <= (x.confirmed_at + " VN_OFFSET_SQL
                   ") / 86400 AND o.end_day >= (x.confirmed_at + " VN_OFFSET_SQL
                   ") / 86400) THEN 1 ELSE 0 END FROM cases x JOIN persons p ON p.id = x.person_id"
                   " WHERE x.confirmed_at >= ? AND x.confirmed_at < ?",
                   "ii", vn_day_start(day), vn_day_start(day + 1));
    store_sql_area(&q, "x", u->code);
    store_sql_add(&q, " ORDER BY x.commune_code, x.id LIMIT ?", "i", (int64_t)max);
    struct store_stmt *st;
    int rc = store_sql_query(s, &st, &q);
    *n = 0;
    while (rc == STORE_OK && (rc = store_step(st)) == STORE_ROW) {
        rc = STORE_OK;
        struct f0 *f = &out[(*n)++];
        snprintf(f->name, sizeof f->name, "%s", store_col_text(st, 0) ? store_col_text(st, 0) : "");
        snprintf(f->commune, sizeof f->commune, "%s", store_col_text(st, 1) ? store_col_text(st, 1) : "");
        snprintf(f->source, sizeof f->source, "%s",
                 store_col_int(st, 2) ? "phát hiện trong khu cách ly" : "phát hiện ngoài cộng đồng");
    }
    store_finalize(st);
    return rc == STORE_DONE ? STORE_OK : rc;
}

#define F0_MAX 200

static void page(struct print_doc *d, const char *title, const char *date, int level, json_t *fig, json_t *daily)
{
    char line[256], c[3][32];
    print_text(d, 15, 18, 15, PRINT_BOLD, title);
    snprintf(line, sizeof line, "Báo cáo ngày %s", date);
    print_text(d, 15, 26, 10, 0, line);
    if (level)
        snprintf(line, sizeof line, "Cấp độ dịch: %d (%s)", level,
                 level == 1 ? "xanh" : level == 2 ? "vàng" : level == 3 ? "cam" : "đỏ");
    else
        snprintf(line, sizeof line, "Cấp độ dịch: chưa xác định (chưa có số dân)");
    print_text(d, 15, 34, 11, PRINT_BOLD, line);
    double y = 44;
    print_text(d, 15, y, 9, PRINT_BOLD, "Số liệu");
    print_text(d, 120, y, 9, PRINT_BOLD, "Trong ngày");
    print_text(d, 148, y, 9, PRINT_BOLD, "7 ngày");
    print_text(d, 172, y, 9, PRINT_BOLD, "14 ngày");
    for (size_t k = 0; k < NFIGS; k++) {
        y += 6;
        cells(fig, FIGS[k].name, c);
        print_text(d, 15, y, 9, 0, FIGS[k].label);
        print_text(d, 120, y, 9, 0, c[0]);
        print_text(d, 148, y, 9, 0, c[1]);
        print_text(d, 172, y, 9, 0, c[2]);
    }
    /* the epidemic curve of the unit: one bar a day over the 14 days */
    if (daily) {
        y += 12;
        print_text(d, 15, y, 10, PRINT_BOLD, "Ca mắc mới mỗi ngày (14 ngày)");
        json_t *s = json_object_get(daily, "new_f0");
        int64_t max = 1;
        for (size_t i = 0; i < json_array_size(s); i++)
            if (json_integer_value(json_array_get(s, i)) > max)
                max = json_integer_value(json_array_get(s, i));
        double base = y + 32;
        for (size_t i = 0; i < json_array_size(s); i++) {
            int64_t v = json_integer_value(json_array_get(s, i));
            double hgt = 28.0 * (double)v / (double)max;
            if (v)
                print_rect(d, 15 + 12 * (double)i, base - hgt, 8, hgt, 0.6);
            snprintf(line, sizeof line, "%lld", (long long)v);
            print_text(d, 16 + 12 * (double)i, base + 5, 7, 0, line);
            const char *day = json_string_value(json_array_get(json_object_get(daily, "days"), i));
            if (day) {
                snprintf(line, sizeof line, "%.2s/%.2s", day + 8, day + 5);
                print_text(d, 15 + 12 * (double)i, base + 10, 6, 0, line);
            }
        }
    }
}

/* GET /api/v1/reports/daily?unit=CODE&date=YYYY-MM-DD&format=pdf|xlsx (officials, in their area) */
enum err situation_handle_daily_report(struct http_req *r)
{
    const struct unit *u;
    int rc = area_from_query(r, "unit", &u);
    if (rc)
        return rc;
    int64_t today = vn_day(clock_now()), day = today;
    const char *date = http_query(r, "date"), *format = http_query(r, "format");
    if (date && *date && (!vn_date_parse(date, &day) || day > today))
        return http_fail(r, ERR_INVALID_FIELD, "date", "date must be a real date YYYY-MM-DD, not after today");
    bool pdf = !format || !*format || !strcmp(format, "pdf");
    if (!pdf && strcmp(format, "xlsx"))
        return http_fail(r, ERR_INVALID_FIELD, "format", "format must be pdf or xlsx");
    json_t *fig;
    rc = situation_figures_series(r->store, u, day, true, &fig);
    if (rc)
        return store_err(rc);
    char ds[11], dmy[11];
    vn_date_format(day, ds);
    snprintf(dmy, sizeof dmy, "%.2s/%.2s/%.4s", ds + 8, ds + 5, ds);
    json_t *rows = json_object_get(fig, "rows");
    int level = 0;
    rc = situation_level(r->store, u->code, json_object_get(fig, "total"), day, &level);
    struct buf out;
    buf_init(&out, 64u << 20);
    const char *ctype;
    char fname[64];
    if (pdf) {
        struct f0 *list = arena_alloc(&r->arena, F0_MAX * sizeof *list);
        size_t n = 0;
        if (!rc)
            rc = new_f0(r->store, u, day, list, F0_MAX, &n);
        if (!rc)
            rc = audit_request(r, "report.daily", "situation", NULL, u->code);
        struct print_doc *d = rc ? NULL : print_begin(PRINT_PDF, 210, 297);
        if (d) {
            page(d, u->name_with_type, dmy, level, json_object_get(fig, "total"), json_object_get(fig, "daily"));
            print_next_page(d);
            print_text(d, 15, 18, 13, PRINT_BOLD, "Ca F0 mới trong ngày và nguồn phát hiện");
            double y = 28;
            if (!n)
                print_text(d, 15, y, 10, 0, "Không có ca mới.");
            for (size_t i = 0; i < n; i++, y += 6) {
                if (y > 280) {
                    print_next_page(d);
                    y = 20;
                }
                const struct unit *c = unit_find(list[i].commune);
                char line[320];
                snprintf(line, sizeof line, "%zu. %s — %s — %s", i + 1, list[i].name, c ? c->name_with_type : "chưa rõ nơi ở",
                         list[i].source);
                print_text(d, 15, y, 9, 0, line);
            }
            for (size_t i = 0; i < json_array_size(rows) && u->level < 3; i++) {
                json_t *row = json_array_get(rows, i);
                int lv = 0;
                if (!rc)
                    rc = situation_level(r->store, json_string_value(json_object_get(row, "code")),
                                         json_object_get(row, "figures"), day, &lv);
                print_next_page(d);
                page(d, json_string_value(json_object_get(row, "name")), dmy, lv, json_object_get(row, "figures"),
                     NULL);
            }
            if (print_end(d, &out) && !rc)
                rc = STORE_ERROR;
        }
        ctype = "application/pdf";
        snprintf(fname, sizeof fname, "bao-cao-%s-%s.pdf", u->code, ds);
    } else {
        static const char *const cols[] = {"Mã đơn vị", "Đơn vị", "Số liệu", "Trong ngày", "7 ngày", "14 ngày", NULL};
        struct export *e = export_begin(EXPORT_XLSX, cols);
        for (size_t i = 0; e && !rc && i <= json_array_size(rows); i++) {
            json_t *row = i ? json_array_get(rows, i - 1) : NULL;
            const char *code = row ? json_string_value(json_object_get(row, "code")) : u->code;
            const char *name = row ? json_string_value(json_object_get(row, "name")) : u->name_with_type;
            json_t *f = row ? json_object_get(row, "figures") : json_object_get(fig, "total");
            int lv = 0;
            if (i)
                rc = situation_level(r->store, code, f, day, &lv);
            else
                lv = level;
            char lvs[32];
            snprintf(lvs, sizeof lvs, "%d", lv);
            const char *lrow[] = {code, name, "Cấp độ dịch", lv ? lvs : "chưa xác định", "", ""};
            if (!rc && export_row(e, lrow))
                rc = STORE_ERROR;
            for (size_t k = 0; k < NFIGS && !rc; k++) {
                char c[3][32];
                cells(f, FIGS[k].name, c);
                const char *vals[] = {code, name, FIGS[k].label, c[0], c[1], c[2]};
                if (export_row(e, vals))
                    rc = STORE_ERROR;
            }
        }
        if (e && export_end(e, &out) && !rc)
            rc = STORE_ERROR;
        ctype = export_content_type(EXPORT_XLSX);
        snprintf(fname, sizeof fname, "bao-cao-%s-%s.xlsx", u->code, ds);
    }
    json_decref(fig);
    if (rc) {
        buf_release(&out);
        return r->fault.code ? r->fault.code : store_err(rc);
    }
    char disp[128];
    snprintf(disp, sizeof disp, "attachment; filename=\"%s\"", fname);
    http_add_header(r, "Cache-Control", "private, no-store");
    http_add_header(r, "Content-Disposition", disp);
    rc = http_reply(r, 200, ctype, out.data, out.len);
    buf_release(&out);
    return rc;
}
