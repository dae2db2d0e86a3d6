/*
 * demo.c - demo people for `cordon demo`: a citizen of Phúc Xá who signs in
 * with his phone and manages his daughter and his mother (no phone), and a
 * neighbour; in Trúc Bạch, the next ward of Ba Đình, a father with his son
 * and a neighbour.  Running it again finds the same people.
 */
#include <string.h>

#include "core/arena.h"
#include "core/clock.h"
#include "core/text.h"
#include "people/people_int.h"
#include "store/store.h"

static void input_at(struct people_input *in, const char *commune, const char *street, const char *name,
                     const char *dob, const char *sex, const char *cccd, const char *bhyt)
{
    memset(in, 0, sizeof(*in));
    in->full_name = name;
    in->date_of_birth = dob;
    in->sex = sex;
    in->cccd = cccd;
    in->bhyt = bhyt;
    in->commune_code = commune;
    in->street = street;
    people__set_name(in, name);
}

/* In Phúc Xá, where most of the demo happens. */
static void input(struct people_input *in, const char *name, const char *dob, const char *sex, const char *cccd,
                  const char *bhyt)
{
    input_at(in, "00001", "12 Phó Đức Chính", name, dob, sex, cccd, bhyt);
}

/* A citizen signing in with phone, with a complete profile. */
static int citizen(struct store *s, struct arena *a, const char *phone, struct people_input *in, int64_t *id)
{
    struct person p;
    bool created;
    int rc = people__signin_person(s, a, phone, NULL, &p, &created);
    if (!rc && created)
        rc = people__update(s, p.id, in);
    *id = p.id;
    return rc;
}

/* A member managed by manager_id, found again by CCCD or birth registration on a rerun. */
static int member(struct store *s, struct arena *a, struct people_input *in, int64_t manager_id, int64_t *id)
{
    struct person p;
    struct fault f;
    int rc = people__find_duplicate(s, a, in, &p, &f);
    if (rc == STORE_OK) {
        *id = p.id;
        return STORE_OK;
    }
    if (rc != STORE_DONE)
        return rc;
    rc = people__insert(s, in, 0, manager_id, id);
    if (!rc)
        rc = people__link(s, *id, manager_id);
    return rc;
}

int people_demo(struct store *s, int64_t ids[PEOPLE_DEMO_COUNT])
{
    struct arena a;
    arena_init(&a);
    struct people_input in;
    int rc;
    input(&in, "Nguyễn Văn An", "1985-03-12", "male", "001085012345", "DN4010123456789");
    rc = citizen(s, &a, "0912000001", &in, &ids[0]);
    if (!rc)
        rc = people__set_household(s, ids[0], ids[0]);
    if (!rc) {
        input(&in, "Nguyễn Thị Mai", "2016-09-01", "female", NULL, "TE1010123456790");
        rc = member(s, &a, &in, ids[0], &ids[1]);
    }
    if (!rc) {
        input(&in, "Lê Thị Thu", "1950-01-20", "female", "001150012346", "HT3010123456791");
        rc = member(s, &a, &in, ids[0], &ids[2]);
    }
    if (!rc) {
        input(&in, "Trần Thị Hoa", "1992-07-08", "female", "001192012347", "GD4010123456792");
        rc = citizen(s, &a, "0912000002", &in, &ids[3]);
    }
    if (!rc) {
        input_at(&in, "00004", "8 Trấn Vũ", "Phạm Văn Bình", "1979-11-02", "male", "001079012348", "DN4010123456793");
        rc = citizen(s, &a, "0912000003", &in, &ids[4]);
    }
    if (!rc)
        rc = people__set_household(s, ids[4], ids[4]);
    if (!rc) {
        input_at(&in, "00004", "8 Trấn Vũ", "Phạm Minh Cường", "2012-04-17", "male", NULL, "TE1010123456794");
        rc = member(s, &a, &in, ids[4], &ids[5]);
    }
    if (!rc) {
        input_at(&in, "00004", "21 Trúc Bạch", "Đỗ Văn Dũng", "1988-02-25", "male", "001088012349", "GD4010123456795");
        rc = citizen(s, &a, "0912000004", &in, &ids[6]);
    }
    arena_release(&a);
    return rc;
}
