/*
 * merge_http.c - POST /api/v1/people/merge and /people/merge/{id}/undo:
 * health staff make two records of one person one (merge.c), within their
 * area, audited; an undo puts back what the merge moved.
 */
#include <stdio.h>
#include <string.h>

#include "area/scope.h"
#include "area/unit.h"
#include "audit/audit.h"
#include "core/jsonin.h"
#include "http/http.h"
#include "people/people_int.h"
#include "store/store.h"

/*
 * Both records must lie in the caller's area.  A record with no commune (a
 * walk-in at a sampling site, an anonymous check-in) belongs to no area: it
 * may be merged into a record of the caller's area (audited, undoable); kept
 * alone it is the nation's.
 */
static int require_area(struct http_req *r, const struct person *p, const struct person *keep)
{
    const char *unit = p->commune_code ? p->commune_code : keep && keep->commune_code ? keep->commune_code : NULL;
    return area_require(r, unit ? unit : UNIT_NATION);
}

static char *id_text(struct http_req *r, int64_t id)
{
    return arena_printf(&r->arena, "%lld", (long long)id);
}

/* ---- POST /api/v1/people/merge ---- */

struct merge_ctx {
    struct http_req *r;
    struct people_merge_in in;
    int64_t ref;
    struct person keep;
    bool retry;
};

/* A live record named by field, in the caller's area (keep: the record it joins, or NULL): 404 if none, 409 if merged. */
static int live(struct http_req *r, struct store *s, int64_t id, const char *field, const struct person *keep,
                struct person *out)
{
    int64_t into;
    int rc = people__raw_state(s, id, &into);
    if (rc == STORE_DONE)
        return http_fail(r, ERR_NOT_FOUND, field, "no person has id %lld", (long long)id);
    if (!rc && into)
        return http_fail(r, ERR_CONFLICT, field, "person %lld was merged into person %lld", (long long)id,
                         (long long)into);
    if (!rc)
        rc = people_get(s, &r->arena, id, out);
    return rc ? rc : require_area(r, out, keep);
}

static int merge_tx(struct store *s, void *arg)
{
    struct merge_ctx *c = arg;
    struct http_req *r = c->r;
    int rc;
    if (c->in.client_id) {
        struct people_merge_row prior = {0};
        rc = people__merge_find_client(s, c->in.client_id, &c->ref);
        if (!rc && (rc = people__merge_row(s, &r->arena, c->ref, &prior)) == STORE_OK &&
            (prior.keep != c->in.keep || prior.merged != c->in.merged))
            return http_fail(r, ERR_CONFLICT, "client_id", "client_id was used for another merge");
        if (rc != STORE_DONE) {
            c->retry = rc == STORE_OK;
            if (rc)
                return rc;
            return people_get(s, &r->arena, c->in.keep, &c->keep);
        }
    }
    struct person merged;
    bool keep_signs_in, merged_signs_in;
    char phone[11];
    if (c->in.keep == c->in.merged)
        return http_fail(r, ERR_INVALID_FIELD, "merge_id", "merge_id must name another person than keep_id");
    if ((rc = live(r, s, c->in.keep, "keep_id", NULL, &c->keep)) ||
        (rc = live(r, s, c->in.merged, "merge_id", &c->keep, &merged)))
        return rc;
    if ((rc = people__proof_phone(s, c->keep.id, &keep_signs_in, phone)) ||
        (rc = people__proof_phone(s, merged.id, &merged_signs_in, phone)))
        return rc;
    if ((rc = people__merge_check(&c->keep, &merged, keep_signs_in, merged_signs_in, &r->fault)))
        return rc;
    /* someone who signs in is managed only with their own code: a merge must not make it so */
    int64_t keep_manager, merged_manager;
    if ((rc = people__manager_of(s, c->keep.id, &keep_manager)) ||
        (rc = people__manager_of(s, merged.id, &merged_manager)))
        return rc;
    if ((keep_signs_in || merged_signs_in) && (keep_manager || merged_manager))
        return http_fail(r, ERR_CONFLICT, keep_manager ? "keep_id" : "merge_id", "a person who signs in on their "
                         "own cannot become a managed family member by a merge; remove the family link first");
    rc = people__merge(s, &r->arena, &c->in, &c->ref);
    if (rc == ERR_CONFLICT)
        return http_fail(r, ERR_CONFLICT, "merge_id", "one of these people manages the other in a family; remove "
                         "that link first");
    if (rc == STORE_CONFLICT)
        return http_fail(r, ERR_CONFLICT, "merge_id", "both records hold a record that exists once per person "
                         "(a vaccination registration, a dose, a sample of one session...); correct it first");
    if (!rc)
        rc = people_get(s, &r->arena, c->in.keep, &c->keep);
    if (!rc)
        rc = audit_request(r, "person.merge", "person", id_text(r, c->in.keep), c->keep.commune_code);
    return rc;
}

enum err people_handle_merge(struct http_req *r)
{
    static const char *const fields[] = {"keep_id", "merge_id", "client_id", NULL};
    json_t *body;
    struct merge_ctx c = {.r = r, .in = {.reason = "staff", .created_by = r->who->account_id}};
    int rc = http_read_json(r, fields, &body);
    if (!rc)
        rc = jsonin_int(body, "keep_id", true, 1, INT64_MAX, &c.in.keep, NULL, &r->fault);
    if (!rc)
        rc = jsonin_int(body, "merge_id", true, 1, INT64_MAX, &c.in.merged, NULL, &r->fault);
    if (!rc)
        rc = jsonin_client_id(body, "client_id", false, &c.in.client_id, &r->fault);
    if (!rc)
        rc = store_tx(r->store, merge_tx, &c);
    if (rc)
        return rc;
    return http_reply_json(r, c.retry ? 200 : 201,
                           json_pack("{s:I, s:I, s:I, s:o}", "id", (json_int_t)c.ref, "keep_id",
                                     (json_int_t)c.in.keep, "merge_id", (json_int_t)c.in.merged, "person",
                                     people_to_json(&c.keep)));
}

/* ---- POST /api/v1/people/merge/{id}/undo ---- */

struct undo_ctx {
    struct http_req *r;
    int64_t id;
    struct people_merge_row row;
};

static int undo_tx(struct store *s, void *arg)
{
    struct undo_ctx *c = arg;
    struct http_req *r = c->r;
    struct person keep;
    struct people_merge_row row;
    int64_t into = 0;
    int rc = people__merge_row(s, &r->arena, c->id, &row);
    if (!rc && !row.undone)
        rc = people__raw_state(s, row.keep, &into);
    if (!rc && into) /* the rows moved on with the kept record: that later merge is undone first */
        return http_fail(r, ERR_CONFLICT, "id", "person %lld was merged into person %lld since; undo that merge "
                         "first", (long long)row.keep, (long long)into);
    if (!rc)
        rc = people__merge_undo(s, &r->arena, c->id, 0, &c->row);
    /* the row was read and, unless undone already, reversed; the area check below may still roll it back */
    if (rc == STORE_DONE)
        return http_fail(r, ERR_NOT_FOUND, "id", "no merge has id %lld", (long long)c->id);
    if (rc)
        return rc;
    if (c->row.undone)
        return http_fail(r, ERR_CONFLICT, "id", "merge %lld was undone already", (long long)c->id);
    if ((rc = people_get(s, &r->arena, c->row.keep, &keep)) || (rc = require_area(r, &keep, NULL)))
        return rc;
    rc = people__merge_undone_by(s, c->id, r->who->account_id);
    if (!rc)
        rc = audit_request(r, "person.merge_undo", "person", id_text(r, c->row.merged), keep.commune_code);
    return rc;
}

enum err people_handle_merge_undo(struct http_req *r)
{
    struct undo_ctx c = {.r = r};
    int rc = http_param_id(r, "id", &c.id);
    if (!rc)
        rc = store_tx(r->store, undo_tx, &c);
    if (rc)
        return rc;
    return http_reply_json(r, 200, json_pack("{s:I, s:I, s:I, s:b}", "id", (json_int_t)c.id, "keep_id",
                                             (json_int_t)c.row.keep, "merge_id", (json_int_t)c.row.merged, "undone",
                                             1));
}
