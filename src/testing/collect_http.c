/*
 * collect_http.c - POST /api/v1/testing/samples: one person into one tube.
 *
 * The person is named by exactly one of: a personal QR (person_qr), a
 * declaration QR (declaration_qr), a CCCD/CMND number, a BHYT number, or a
 * phone with a full name (found, or registered as a new person).  The record
 * carries the client's id: a retry answers the first record (200) and
 * changes nothing, which is what the offline queue of the collection page
 * relies on.
 */
#include <string.h>

#include "admin/role.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "core/ids.h"
#include "core/jsonin.h"
#include "core/validate.h"
#include "declare/declare.h"
#include "http/http.h"
#include "people/people.h"
#include "qr/qr.h"
#include "store/store.h"
#include "testing/testing.h"
#include "testing/testing_int.h"
#include "tracing/tracing.h"

struct collect_ctx {
    struct http_req *r;
    struct testing_collect in;
    const char *by_field; /* the identification field given */
    const char *value;    /* its value */
    const char *full_name;
    char phone[11];
    char bhyt[IDS_BHYT_LEN + 1];
    int64_t order_id; /* by_field test_order_id / retest_order_id: the order whose person is sampled */
    struct person p;
    struct testing_sample sample;
    struct testing_tube tube;
    bool created, person_created;
};

static int resolve_person(struct store *st, struct collect_ctx *c)
{
    struct http_req *r = c->r;
    const char *f = c->by_field;
    int rc;
    if (!strcmp(f, "person_qr")) {
        rc = people_from_qr(st, &r->arena, c->value, f, &c->p, &r->fault);
        return rc; /* an enum err: the fault names the field, or a store failure already mapped */
    }
    if (!strcmp(f, "declaration_qr")) {
        struct qr_parsed qp;
        struct declaration d;
        int v = qr_verify(st, c->value, &qp);
        if (v == QR_ERROR)
            return http_fail(r, ERR_UNAVAILABLE, NULL, "could not read the signing keys; retry");
        if (v != QR_VALID || qp.type != 'D' || qp.nfields != 1)
            return http_fail(r, ERR_INVALID_FIELD, f, "declaration_qr is not a valid declaration code");
        rc = declare_get_by_reference(st, &r->arena, qp.fields[0], &d);
        if (rc == STORE_DONE)
            return http_fail(r, ERR_NOT_FOUND, f, "no declaration has this code");
        if (!rc)
            rc = people_get(st, &r->arena, d.person_id, &c->p);
        return rc ? store_err(rc) : 0;
    }
    if (!strcmp(f, "cccd")) {
        rc = people_find_by_cccd(st, &r->arena, c->value, &c->p);
        if (rc == STORE_DONE)
            return http_fail(r, ERR_NOT_FOUND, f, "no person has this CCCD/CMND; register them with phone and full_name");
        return rc ? store_err(rc) : 0;
    }
    if (!strcmp(f, "test_order_id")) {
        /* the person of a test order due in the session's commune: samplers see such people masked,
         * so the order, not their phone, names them */
        int64_t person_id;
        rc = tracing_test_order_person(st, c->order_id, c->in.session->commune_code, &person_id);
        if (rc == STORE_DONE)
            return http_fail(r, ERR_INVALID_FIELD, f, "no test order %lld for this session's commune",
                             (long long)c->order_id);
        if (!rc)
            rc = people_get(st, &r->arena, person_id, &c->p);
        return rc ? store_err(rc) : 0;
    }
    if (!strcmp(f, "retest_order_id")) {
        int64_t person_id;
        rc = store_int(st, &person_id,
                       "SELECT person_id FROM testing_retest_orders WHERE id = ? AND commune_code = ?"
                       " AND status IN ('open', 'sampled')",
                       "is", c->order_id, c->in.session->commune_code);
        if (rc == STORE_DONE)
            return http_fail(r, ERR_INVALID_FIELD, f, "no retest order %lld for this session's commune",
                             (long long)c->order_id);
        if (!rc)
            rc = people_get(st, &r->arena, person_id, &c->p);
        return rc ? store_err(rc) : 0;
    }
    if (!strcmp(f, "bhyt")) {
        rc = people_find_by_bhyt(st, &r->arena, c->bhyt, &c->p);
        if (rc == STORE_DONE)
            return http_fail(r, ERR_NOT_FOUND, f, "no person has this BHYT number; register them with phone and full_name");
        return rc ? store_err(rc) : 0;
    }
    rc = people_find_or_create_by_phone_name(st, &r->arena, c->phone, c->full_name, &c->p, &c->person_created);
    return rc ? store_err(rc) : 0;
}

static int collect_tx(struct store *st, void *p)
{
    struct collect_ctx *c = p;
    struct http_req *r = c->r;
    /* A retry of a recorded sample must not depend on the person lookup succeeding again. */
    int rc = testing_sample_get_by_client_id(st, &r->arena, c->in.client_id, &c->sample);
    if (rc == STORE_OK) {
        if (c->sample.session_id != c->in.session->id || strcmp(c->sample.tube_code, c->in.tube_code) != 0)
            return http_fail(r, ERR_CONFLICT, "client_id", "client_id %s was already used for another sample",
                             c->in.client_id);
        c->created = false;
        rc = people_get(st, &r->arena, c->sample.person_id, &c->p);
        if (!rc)
            rc = testing_tube_get(st, &r->arena, c->in.tube_code, &c->tube);
        return rc;
    }
    if (rc != STORE_DONE)
        return rc;
    if ((rc = resolve_person(st, c)))
        return rc;
    c->in.person_id = c->p.id;
    c->in.phone = c->p.phone;
    c->sample.collected_at = clock_now();
    rc = testing_collect_record(st, &r->arena, &c->in, &c->sample, &c->tube, &c->created, &r->fault);
    if (rc)
        return rc;
    char id[24];
    snprintf(id, sizeof(id), "%lld", (long long)c->p.id);
    return audit_request(r, "testing.sample.create", "person", id, c->in.session->commune_code);
}

/* POST /api/v1/testing/samples (assigned samplers; officials in the site's area) */
enum err testing_handle_collect(struct http_req *r)
{
    static const char *const fields[] = {"client_id", "session_id", "tube_id", "person_qr", "declaration_qr",
                                         "cccd", "bhyt", "phone", "full_name", "test_order_id", "retest_order_id", NULL};
    static const char *const ids[] = {"person_qr", "declaration_qr", "cccd", "bhyt", "phone"};
    json_t *body;
    bool present_;
    struct testing_session s;
    int64_t session_id;
    struct collect_ctx c = {.r = r};
    int rc = http_read_json(r, fields, &body);
    if (!rc)
        rc = jsonin_client_id(body, "client_id", true, &c.in.client_id, &r->fault);
    if (!rc)
        rc = jsonin_int(body, "session_id", true, 1, INT64_MAX, &session_id, &present_, &r->fault);
    if (!rc)
        rc = jsonin_str(body, "tube_id", true, 32, &c.in.tube_code, &r->fault);
    if (!rc && !testing_tube_code_valid(c.in.tube_code))
        rc = http_fail(r, ERR_INVALID_FIELD, "tube_id", "tube_id must be a tube label id (T + 9 characters)");
    /* an order names its person: a tracing test order, or the retest order of a positive pool */
    static const char *const orders[] = {"test_order_id", "retest_order_id"};
    for (size_t i = 0; !rc && i < 2; i++) {
        int64_t order_id = 0;
        bool has_order = false;
        rc = jsonin_int(body, orders[i], false, 1, INT64_MAX, &order_id, &has_order, &r->fault);
        if (!rc && has_order && c.by_field)
            rc = http_fail(r, ERR_INVALID_FIELD, orders[i], "give only one of test_order_id, retest_order_id");
        if (!rc && has_order) {
            c.by_field = orders[i];
            c.order_id = order_id;
        }
    }
    for (size_t i = 0; !rc && i < sizeof(ids) / sizeof(ids[0]); i++) {
        const char *v;
        rc = jsonin_str(body, ids[i], false, QR_PAYLOAD_MAX - 1, &v, &r->fault);
        if (!rc && v) {
            if (c.by_field)
                rc = http_fail(r, ERR_INVALID_FIELD, ids[i], "give only one of person_qr, declaration_qr, cccd, bhyt, "
                                                            "phone, test_order_id, retest_order_id (%s was given too)",
                                c.by_field);
            c.by_field = ids[i];
            c.value = v;
        }
    }
    if (!rc && !c.by_field)
        rc = http_fail(r, ERR_MISSING_FIELD, "person_qr",
                       "name the person: person_qr, declaration_qr, cccd, bhyt, test_order_id, retest_order_id, or phone "
                       "with full_name");
    if (!rc)
        rc = jsonin_str(body, "full_name", false, 100, &c.full_name, &r->fault);
    if (!rc && c.full_name && strcmp(c.by_field, "phone") != 0)
        rc = http_fail(r, ERR_INVALID_FIELD, "full_name", "full_name goes with phone, to register a new person");
    if (!rc && !strcmp(c.by_field, "phone")) {
        rc = validate_phone(c.value, "phone", c.phone, &r->fault);
        if (!rc && !c.full_name)
            rc = http_fail(r, ERR_MISSING_FIELD, "full_name", "full_name is required with phone");
        if (!rc)
            rc = validate_person_name(c.full_name, "full_name", &r->fault);
    }
    if (!rc && !strcmp(c.by_field, "cccd") && strlen(c.value) != IDS_CMND_LEN)
        rc = ids_check_cccd(c.value, "cccd", &r->fault);
    if (!rc && !strcmp(c.by_field, "cccd") && strlen(c.value) == IDS_CMND_LEN)
        rc = ids_check_cmnd(c.value, "cccd", &r->fault);
    if (!rc && !strcmp(c.by_field, "bhyt"))
        rc = ids_check_bhyt(c.value, "bhyt", c.bhyt, &r->fault);
    if (!rc)
        rc = testing__load_session(r, session_id, "session_id", ERR_INVALID_FIELD, &s);
    if (rc)
        return rc;
    c.in.session = &s;
    c.in.by = r->who->account_id;
    c.in.tube_field = "tube_id";
    c.in.person_field = c.by_field;
    rc = store_tx(r->store, collect_tx, &c);
    if (rc)
        return rc;
    json_t *tube = testing_tube_to_json(&c.tube);
    return http_reply_json(r, c.created ? 201 : 200,
                           json_pack("{s:o, s:o, s:{s:I, s:s, s:s?}, s:b}", "sample", testing_sample_to_json(&c.sample),
                                     "tube", tube, "person", "id", (json_int_t)c.p.id, "code", c.p.code, "full_name",
                                     c.p.full_name, "person_created", c.person_created));
}
