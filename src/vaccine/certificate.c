/*
 * certificate.c - an EU Digital COVID Certificate for each dose (src/dcc/):
 * the payload (DCC JSON schema 1.3.0, vaccination entry), the UVCI, signing
 * with the process's issuer key, and the replies: JSON with the HC1 string,
 * a PNG of its QR code, a printable PDF.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/secret.h"
#include "core/text.h"
#include "core/log.h"
#include "dcc/dcc.h"
#include "dcc/schema.h"
#include "http/http.h"
#include "people/people.h"
#include "print/print.h"
#include "store/store.h"
#include "vaccine/vaccine_int.h"

#define CERT_VALID_SECONDS (365LL * 86400) /* exp claim: a year after issue */
#define CERT_COUNTRY "VN"
#define CERT_ISSUER "Ministry of Health of Viet Nam"
#define DCC_TARGET_COVID "840539006" /* SNOMED CT: COVID-19 */

static struct dcc_issuer *issuer;
static pthread_mutex_t issuer_lock = PTHREAD_MUTEX_INITIALIZER;

int vaccine__issuer_ready(struct store *s)
{
    pthread_mutex_lock(&issuer_lock);
    int rc = issuer ? 0 : dcc_issuer_load(s, CERT_COUNTRY, &issuer);
    pthread_mutex_unlock(&issuer_lock);
    return rc;
}

/* ICAO 9303 transliteration as the DCC wants it: A-Z, and '<' for spaces and hyphens. */
static void icao(const char *name, char *out, size_t outlen)
{
    char folded[256];
    text_fold(name, folded, sizeof(folded));
    size_t j = 0;
    for (size_t i = 0; folded[i] && j + 1 < outlen && j < 80; i++) {
        unsigned char ch = (unsigned char)folded[i];
        if (isalpha(ch))
            out[j++] = (char)toupper(ch);
        else if ((ch == ' ' || ch == '-') && j && out[j - 1] != '<')
            out[j++] = '<';
    }
    while (j && out[j - 1] == '<')
        j--;
    out[j] = '\0';
}

#define DCC_NAME_MAX 80 /* characters of fn and gn (DCC schema 1.3) */

/* The first len bytes of UTF-8 text s, cut to at most DCC_NAME_MAX characters, into out. */
static void dcc_name_part(const char *s, size_t len, char out[4 * DCC_NAME_MAX + 1])
{
    size_t i = 0, n = 0;
    for (; i < len && s[i]; i++) {
        if (((unsigned char)s[i] & 0xC0) != 0x80 && n++ == DCC_NAME_MAX)
            break;
        out[i] = s[i];
    }
    out[i] = '\0';
}

static bool blank(const char *s)
{
    for (; s && *s; s++)
        if (!isspace((unsigned char)*s))
            return false;
    return true;
}

const char *vaccine__certificate_missing(const struct person *p)
{
    if (blank(p->full_name))
        return "full_name";
    if (blank(p->date_of_birth))
        return "date_of_birth";
    return NULL;
}

/* Vietnamese order: family name first, given names after; each at most the schema's 80 characters. */
static json_t *dcc_name(const char *full)
{
    const char *sp = strchr(full, ' ');
    char fam[4 * DCC_NAME_MAX + 1], giv[4 * DCC_NAME_MAX + 1], famt[96], givt[96];
    dcc_name_part(full, sp ? (size_t)(sp - full) : strlen(full), fam);
    dcc_name_part(sp ? sp + 1 : "", SIZE_MAX, giv);
    icao(fam, famt, sizeof(famt));
    icao(giv, givt, sizeof(givt));
    json_t *n = json_pack("{s:s, s:s}", "fn", fam, "fnt", famt[0] ? famt : "X");
    if (giv[0]) {
        json_object_set_new(n, "gn", json_string(giv));
        json_object_set_new(n, "gnt", json_string(givt[0] ? givt : "X"));
    }
    return n;
}

int vaccine__certificate_issue(struct store *s, struct arena *a, const struct person *p, int64_t dose_id,
                               int dose_number, const struct vaccine_product *prod, int total_doses,
                               int64_t administered_at, int64_t *cert_id)
{
    if (!issuer)
        return ERR_UNAVAILABLE;
    if (vaccine__certificate_missing(p))
        return ERR_CONFLICT; /* no certificate for a nameless holder or an unknown date of birth */
    char hex[13], day[11];
    secret_hex(hex, 6);
    for (char *c = hex; *c; c++)
        *c = (char)toupper((unsigned char)*c);
    const char *uvci = arena_printf(a, "URN:UVCI:01:VN:CDN%08lld%s", (long long)dose_id, hex);
    vaccine_day(administered_at, day);
    json_t *v = json_pack("{s:s, s:s, s:s, s:s, s:i, s:i, s:s, s:s, s:s, s:s}", "tg", DCC_TARGET_COVID, "vp",
                          prod->dcc_vp, "mp", prod->dcc_mp, "ma", prod->dcc_ma, "dn", dose_number, "sd",
                          dose_number > total_doses ? dose_number : total_doses, "dt", day, "co", CERT_COUNTRY, "is",
                          CERT_ISSUER, "ci", uvci);
    json_t *payload = json_pack("{s:s, s:o, s:s, s:[o]}", "ver", "1.3.0", "nam", dcc_name(p->full_name), "dob",
                                p->date_of_birth, "v", v);
    /* What we sign must pass any verifier: a product's codes outside the value sets are a data defect. */
    char where[32], why[112];
    if (dcc_schema_check(payload, dcc_valuesets_shipped(), where, sizeof(where), why, sizeof(why))) {
        log_error("msg=\"certificate not issued: not what the DCC schema allows\" dose=%lld field=%s detail=\"%s\"",
                  (long long)dose_id, where, why);
        json_decref(payload);
        return ERR_INTERNAL;
    }
    int64_t now = clock_now();
    char *hc1 = NULL;
    int rc = dcc_issue(issuer, payload, now, now + CERT_VALID_SECONDS, &hc1);
    json_decref(payload);
    if (rc)
        return ERR_INTERNAL;
    rc = vaccine__cert_insert(s, dose_id, p->id, uvci, hc1, dcc_issuer_kid_b64(issuer), now, now + CERT_VALID_SECONDS,
                              cert_id);
    free(hc1);
    return rc;
}

/* ---------------------------------------------------------------- replies */

/* Loads certificate {id} if the caller may see it (citizen: self and managed; staff: the dose's site area). */
static int load_cert(struct http_req *r, json_t **cert, struct person *p)
{
    int64_t id;
    int rc = http_param_id(r, "id", &id);
    if (rc)
        return rc;
    rc = vaccine__cert_get(r->store, id, cert);
    if (rc == STORE_DONE)
        return http_fail(r, ERR_NOT_FOUND, "id", "no certificate has id %lld", (long long)id);
    if (rc)
        return store_err(rc);
    arena_on_release(&r->arena, (void (*)(void *))json_decref, *cert);
    if (vaccine__is_citizen(r)) {
        rc = people_require_access(r, vaccine__int(*cert, "person_id"), p);
        if (rc == ERR_FORBIDDEN)
            return http_fail(r, ERR_NOT_FOUND, "id", "no certificate has id %lld", (long long)id);
        return rc;
    }
    rc = vaccine__require_row_area(r, *cert, "site_");
    if (!rc)
        rc = people_get(r->store, &r->arena, vaccine__int(*cert, "person_id"), p) ? ERR_INTERNAL : 0;
    if (!rc)
        rc = audit_request(r, "vaccine_certificate.read", "person", vaccine__id_text(&r->arena, p->id),
                           p->commune_code);
    return rc;
}

/* GET /api/v1/vaccine/certificates/{id} */
enum err vaccine_handle_certificate_get(struct http_req *r)
{
    json_t *cert;
    struct person p;
    int rc = load_cert(r, &cert, &p);
    if (rc)
        return rc;
    json_t *out = json_deep_copy(cert);
    json_object_del(out, "site_province_code");
    json_object_del(out, "site_district_code");
    json_object_del(out, "site_commune_code");
    json_object_set_new(out, "person", vaccine__person_json(&p));
    return http_reply_json(r, 200, out);
}

/* GET /api/v1/vaccine/certificates/{id}/qr.png: the QR code alone, for the citizen's page. */
enum err vaccine_handle_certificate_png(struct http_req *r)
{
    json_t *cert;
    struct person p;
    int rc = load_cert(r, &cert, &p);
    if (rc)
        return rc;
    struct print_doc *doc = print_begin(PRINT_PNG, 80, 80);
    struct buf out;
    buf_init(&out, 8 << 20);
    if (!doc || print_qr(doc, 2, 2, 76, vaccine__str(cert, "hc1")) || print_end(doc, &out)) {
        buf_release(&out);
        return http_fail(r, ERR_INTERNAL, NULL, "the QR code could not be drawn");
    }
    http_add_header(r, "Cache-Control", "private, no-store");
    rc = http_reply(r, 200, "image/png", out.data, out.len);
    buf_release(&out);
    return rc;
}

/* GET /api/v1/vaccine/certificates/{id}/certificate.pdf: an A5 page with the QR code and the dose
 * (vaccine, dose number, the day it was given in Viet Nam), the issue day and the UVCI. */
enum err vaccine_handle_certificate_pdf(struct http_req *r)
{
    json_t *cert;
    struct person p;
    int rc = load_cert(r, &cert, &p);
    if (rc)
        return rc;
    const struct vaccine_data *d = vaccine_data();
    const struct vaccine_product *prod = d ? vaccine_product_find(d, vaccine__str(cert, "product")) : NULL;
    char issued[11];
    vaccine_day(vaccine__int(cert, "issued_at"), issued);
    struct print_doc *doc = print_begin(PRINT_PDF, 148, 210);
    struct buf out;
    buf_init(&out, 16 << 20);
    if (!doc) {
        buf_release(&out);
        return http_fail(r, ERR_INTERNAL, NULL, "the certificate could not be laid out");
    }
    print_text(doc, 74, 18, 15, PRINT_BOLD | PRINT_CENTER, "CHỨNG NHẬN TIÊM CHỦNG COVID-19");
    print_text(doc, 74, 26, 10, PRINT_CENTER, "EU Digital COVID Certificate - Vaccination");
    print_qr(doc, 24, 32, 100, vaccine__str(cert, "hc1"));
    double y = 142;
    char line[256];
    snprintf(line, sizeof(line), "Họ và tên / Name: %s", p.full_name ? p.full_name : "");
    print_text(doc, 14, y, 11, PRINT_BOLD, line);
    snprintf(line, sizeof(line), "Ngày sinh / Date of birth: %s", p.date_of_birth ? p.date_of_birth : "");
    print_text(doc, 14, y += 8, 10, 0, line);
    snprintf(line, sizeof(line), "Vắc xin / Vaccine: %s", prod ? prod->name : vaccine__str(cert, "product"));
    print_text(doc, 14, y += 7, 10, 0, line);
    snprintf(line, sizeof(line), "Mũi / Dose: %lld", (long long)vaccine__int(cert, "dose_number"));
    print_text(doc, 14, y += 7, 10, 0, line);
    const char *given = vaccine__str(cert, "vaccination_date");
    snprintf(line, sizeof(line), "Ngày tiêm / Date of vaccination: %s", given ? given : "");
    print_text(doc, 14, y += 7, 10, 0, line);
    snprintf(line, sizeof(line), "Ngày cấp / Issued: %s", issued);
    print_text(doc, 14, y += 7, 10, 0, line);
    print_paragraph(doc, 14, y += 7, 120, 8, 0, vaccine__str(cert, "uvci"));
    if (print_end(doc, &out)) {
        buf_release(&out);
        return http_fail(r, ERR_INTERNAL, NULL, "the certificate could not be laid out");
    }
    http_add_header(r, "Cache-Control", "private, no-store");
    http_add_header(r, "Content-Disposition", "inline; filename=\"certificate.pdf\"");
    rc = http_reply(r, 200, "application/pdf", out.data, out.len);
    buf_release(&out);
    return rc;
}
