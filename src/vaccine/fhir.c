/*
 * fhir.c - FHIR R4 export of a person's vaccination record:
 * GET /api/v1/people/{id}/fhir (staff in area, audited) answers a Bundle of
 * type "collection" holding one Patient and one Immunization per dose.
 *
 * Code systems: vaccineCode carries CVX (http://hl7.org/fhir/sid/cvx) where
 * the product has a code, the DCC vaccine/prophylaxis code (SNOMED CT
 * http://snomed.info/sct, or ATC http://www.whocc.no/atc for J07BX03) and the
 * DCC medicinal product (the EU Union Register system); the target disease is
 * SNOMED CT 840539006 (COVID-19).  Identifiers: the Cordon person code, CCCD
 * and CMND (type NI), BHYT (type NH), under https://fhir.cordon.vn/sid/.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "area/unit.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "core/secret.h"
#include "http/http.h"
#include "people/people.h"
#include "store/store.h"
#include "vaccine/vaccine_int.h"

#define SID "https://fhir.cordon.vn/sid/"
#define V2_0203 "http://terminology.hl7.org/CodeSystem/v2-0203"
#define SNOMED "http://snomed.info/sct"
#define EU_REGISTER "https://ec.europa.eu/health/documents/community-register/html/"

static void iso_time(int64_t t, char out[32])
{
    time_t local = (time_t)(t + VN_UTC_OFFSET);
    struct tm tm;
    gmtime_r(&local, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%S+07:00", &tm);
}

static void uuid(char out[37])
{
    char hex[33];
    secret_hex(hex, 16);
    hex[12] = '4'; /* version 4 */
    hex[16] = "89ab"[hex[16] % 4];
    snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
}

static json_t *identifier(const char *type, const char *display, const char *sys, const char *value)
{
    return json_pack("{s:s, s:{s:[{s:s, s:s, s:s}]}, s:s, s:s}", "use", "official", "type", "coding", "system",
                     V2_0203, "code", type, "display", display, "system", sys, "value", value);
}

static json_t *patient(const struct person *p)
{
    json_t *ids = json_array();
    json_array_append_new(ids, identifier("PI", "Patient internal identifier", SID "person-code", p->code));
    if (p->cccd)
        json_array_append_new(ids, identifier("NI", "National unique individual identifier", SID "cccd", p->cccd));
    if (p->cmnd)
        json_array_append_new(ids, identifier("NI", "National unique individual identifier", SID "cmnd", p->cmnd));
    if (p->bhyt)
        json_array_append_new(ids, identifier("NH", "National Health Plan Identifier", SID "bhyt", p->bhyt));
    json_t *pt = json_pack("{s:s, s:s, s:o}", "resourceType", "Patient", "id",
                           "", "identifier", ids);
    char id[32];
    snprintf(id, sizeof(id), "person-%lld", (long long)p->id);
    json_object_set_new(pt, "id", json_string(id));
    if (p->full_name) {
        const char *sp = strchr(p->full_name, ' ');
        json_t *name = json_pack("{s:s, s:s}", "use", "official", "text", p->full_name);
        json_object_set_new(name, "family", sp ? json_stringn(p->full_name, (size_t)(sp - p->full_name))
                                               : json_string(p->full_name));
        if (sp) {
            json_t *given = json_array();
            const char *w = sp + 1;
            while (*w) {
                const char *e = strchr(w, ' ');
                size_t len = e ? (size_t)(e - w) : strlen(w);
                if (len)
                    json_array_append_new(given, json_stringn(w, len));
                w += len + (e ? 1 : 0);
            }
            json_object_set_new(name, "given", given);
        }
        json_object_set_new(pt, "name", json_pack("[o]", name));
    }
    const char *sex = p->sex;
    json_object_set_new(pt, "gender",
                        json_string(!sex ? "unknown" : !strcmp(sex, "male") ? "male" : !strcmp(sex, "female") ? "female"
                                                                                                              : "other"));
    if (p->date_of_birth)
        json_object_set_new(pt, "birthDate", json_string(p->date_of_birth));
    if (p->phone)
        json_object_set_new(pt, "telecom", json_pack("[{s:s, s:s, s:s}]", "system", "phone", "value", p->phone, "use",
                                                     "mobile"));
    const struct unit *u = p->commune_code ? unit_find(p->commune_code) : NULL;
    if (u) {
        const struct unit *dist = unit_find(u->parent);
        const struct unit *prov = dist ? unit_find(dist->parent) : NULL;
        json_t *addr = json_pack("{s:s, s:s}", "use", "home", "country", "VN");
        if (p->street)
            json_object_set_new(addr, "line", json_pack("[s]", p->street));
        json_object_set_new(addr, "text", json_string(u->name_with_type));
        if (dist)
            json_object_set_new(addr, "district", json_string(dist->name_with_type));
        if (prov)
            json_object_set_new(addr, "state", json_string(prov->name_with_type));
        json_object_set_new(pt, "address", json_pack("[o]", addr));
    }
    return pt;
}

static json_t *immunization(const struct vaccine_data *d, const json_t *dose, const char *patient_ref)
{
    const char *code = vaccine__str(dose, "product");
    const struct vaccine_product *prod = vaccine_product_find(d, code);
    json_t *coding = json_array();
    if (prod && prod->cvx)
        json_array_append_new(coding, json_pack("{s:s, s:s}", "system", "http://hl7.org/fhir/sid/cvx", "code",
                                                prod->cvx));
    if (prod) {
        bool snomed = strspn(prod->dcc_vp, "0123456789") == strlen(prod->dcc_vp);
        json_array_append_new(coding, json_pack("{s:s, s:s}", "system", snomed ? SNOMED : "http://www.whocc.no/atc",
                                                "code", prod->dcc_vp));
        json_array_append_new(coding, json_pack("{s:s, s:s, s:s}", "system", EU_REGISTER, "code", prod->dcc_mp,
                                                "display", prod->name));
    } else
        json_array_append_new(coding, json_pack("{s:s, s:s}", "system", SID "vaccine-product", "code", code));
    char when[32], id[32];
    iso_time(vaccine__int(dose, "administered_at"), when);
    snprintf(id, sizeof(id), "dose-%lld", (long long)vaccine__int(dose, "id"));
    int number = (int)vaccine__int(dose, "dose_number");
    int series = prod ? prod->doses : number;
    json_t *protocol = json_pack("{s:i, s:[{s:[{s:s, s:s, s:s}]}]}", "doseNumberPositiveInt", number,
                                 "targetDisease", "coding", "system", SNOMED, "code", "840539006", "display",
                                 "COVID-19");
    if (number <= series)
        json_object_set_new(protocol, "seriesDosesPositiveInt", json_integer(series));
    json_t *im = json_pack("{s:s, s:s, s:s, s:{s:o, s:s}, s:{s:s}, s:s, s:s, s:b, s:s, s:{s:s}, s:[o]}",
                           "resourceType", "Immunization", "id", id, "status", "completed", "vaccineCode", "coding",
                           coding, "text", prod ? prod->name : code, "patient", "reference", patient_ref,
                           "occurrenceDateTime", when, "recorded", when, "primarySource", 1, "lotNumber",
                           vaccine__str(dose, "lot") ? vaccine__str(dose, "lot") : "", "location", "display",
                           vaccine__str(dose, "site_name") ? vaccine__str(dose, "site_name") : "", "protocolApplied",
                           protocol);
    if (vaccine__str(dose, "vaccinator_name"))
        json_object_set_new(im, "performer", json_pack("[{s:{s:s}}]", "actor", "display",
                                                       vaccine__str(dose, "vaccinator_name")));
    return im;
}

/* GET /api/v1/people/{id}/fhir */
enum err vaccine_handle_fhir(struct http_req *r)
{
    const struct vaccine_data *d;
    struct person p;
    int64_t id;
    int rc = vaccine__data(r, &d);
    if (!rc)
        rc = http_param_id(r, "id", &id);
    if (!rc)
        rc = people_require_access(r, id, &p);
    if (rc)
        return rc;
    json_t *doses;
    rc = vaccine__dose_list_person(r->store, p.id, &doses);
    if (rc)
        return store_err(rc);
    char pid[37], ts[32];
    uuid(pid);
    iso_time(clock_now(), ts);
    const char *patient_url = arena_printf(&r->arena, "urn:uuid:%s", pid);
    json_t *entries = json_array();
    json_array_append_new(entries, json_pack("{s:s, s:o}", "fullUrl", patient_url, "resource", patient(&p)));
    size_t i;
    json_t *dose;
    json_array_foreach(doses, i, dose) {
        char did[37];
        uuid(did);
        json_array_append_new(entries, json_pack("{s:s, s:o}", "fullUrl", arena_printf(&r->arena, "urn:uuid:%s", did),
                                                 "resource", immunization(d, dose, patient_url)));
    }
    json_decref(doses);
    json_t *bundle = json_pack("{s:s, s:s, s:s, s:o}", "resourceType", "Bundle", "type", "collection", "timestamp", ts,
                               "entry", entries);
    audit_request(r, "vaccine_fhir.export", "person", vaccine__id_text(&r->arena, p.id), p.commune_code);
    char *text = json_dumps(bundle, JSON_COMPACT);
    json_decref(bundle);
    if (!text)
        return http_fail(r, ERR_INTERNAL, NULL, "the export could not be written");
    rc = http_reply(r, 200, "application/fhir+json; fhirVersion=4.0", text, strlen(text));
    free(text);
    return rc;
}
