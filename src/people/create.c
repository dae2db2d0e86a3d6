/*
 * create.c - recording a person once: the path POST /api/v1/people and
 * people_create (registration lists) share.  A person already recorded (same
 * client_id, cccd, cmnd or bhyt, or same phone, folded name and birth date)
 * is matched, never duplicated, and takes the identifiers the registration
 * brings; identifiers that disagree with the record are a conflict, never
 * another person's record.  Both callers run inside their own transaction
 * and audit for themselves.
 */
#include <stddef.h>

#include "core/clock.h"
#include "people/people_int.h"
#include "store/store.h"

/* The matched person, completed with what the input brings (a new CCCD, a BHYT, a birth date). */
static int complete(struct store *s, struct arena *a, const struct people_input *in, struct person *out)
{
    if (!people__input_adds(out, in))
        return STORE_OK;
    int rc = people__enrich(s, out->id, in);
    if (rc)
        return rc;
    return people_get(s, a, out->id, out);
}

int people__create_checked(struct store *s, struct arena *a, const struct people_input *in, int64_t created_by,
                           struct person *out, bool *existing, struct fault *f)
{
    *existing = false;
    int rc = people__find_duplicate(s, a, in, out, f);
    if (rc != STORE_DONE) {
        *existing = rc == STORE_OK;
        return rc ? rc : complete(s, a, in, out);
    }
    int64_t id;
    rc = people__insert(s, in, created_by, 0, &id);
    if (rc == STORE_OK)
        return people_get(s, a, id, out);
    if (rc == STORE_DONE) { /* a concurrent writer recorded the same person: match it */
        rc = people__find_duplicate(s, a, in, out, f);
        *existing = rc == STORE_OK;
        if (!rc)
            rc = complete(s, a, in, out);
    }
    return rc;
}

int people_match(struct store *s, struct arena *a, const struct people_fields *in, struct person *out,
                 struct fault *f)
{
    struct people_input checked;
    int rc = people__check_input(in, PEOPLE_CREATE_NEED, clock_now(), &checked, f);
    return rc ? rc : people__find_duplicate(s, a, &checked, out, f);
}

int people_create(struct store *s, struct arena *a, const struct people_fields *in, int64_t created_by,
                  struct person *out, bool *existing, struct fault *f)
{
    struct people_input checked;
    int rc = people__check_input(in, PEOPLE_CREATE_NEED, clock_now(), &checked, f);
    if (rc)
        return rc;
    rc = people__create_checked(s, a, &checked, created_by, out, existing, f);
    if (rc == STORE_DONE)
        return fault_set(f, ERR_CONFLICT, NULL, "this person could not be recorded; try again");
    if (rc == STORE_CONFLICT)
        return fault_set(f, ERR_CONFLICT, NULL, "an identity number was recorded meanwhile; try again");
    return rc;
}
