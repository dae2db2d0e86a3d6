/*
 * account.c - rules for staff accounts (no SQL, no HTTP).
 */
#include "admin/account.h"

#include "admin/role.h"
#include "area/unit.h"
#include "core/validate.h"

int account_check_new(struct account_new *in, struct fault *f)
{
    const struct unit *u;
    int rc = validate_username(in->username, "username", f);
    if (!rc)
        rc = validate_password(in->password, "password", f);
    if (!rc)
        rc = validate_person_name(in->full_name, "full_name", f);
    if (!rc && in->phone) {
        rc = validate_phone(in->phone, "phone", in->phone_buf, f);
        in->phone = in->phone_buf;
    }
    if (!rc && in->email)
        rc = validate_email(in->email, "email", f);
    if (!rc)
        rc = unit_check(in->unit_code, "unit_code", ERR_INVALID_FIELD, &u, f);
    if (rc)
        return rc;
    int level = role_admin_level(in->role);
    if (level >= 0 && u->level != level)
        return fault_set(f, ERR_INVALID_FIELD, "unit_code", "a %s must sit at a unit of level %d, not %d",
                         role_name(in->role), level, u->level);
    if (level < 0 && u->level == 0)
        return fault_set(f, ERR_INVALID_FIELD, "unit_code", "a %s must sit at a province, district or commune",
                         role_name(in->role));
    return 0;
}

int account_may_manage(int actor_role, const char *actor_unit, int role, const char *unit, struct fault *f)
{
    int actor_level = role_admin_level(actor_role);
    if (actor_level < 0)
        return fault_set(f, ERR_FORBIDDEN, NULL, "only admins manage accounts");
    if (!unit_within(actor_unit, unit))
        return fault_set(f, ERR_FORBIDDEN, NULL, "this account lies outside your area");
    int level = role_admin_level(role);
    if (level >= 0 && level <= actor_level)
        return fault_set(f, ERR_FORBIDDEN, "role", "you may manage admins only of a lower level than yours");
    return 0;
}

json_t *account_to_json(const struct account *a)
{
    const struct unit *u = unit_find(a->unit_code);
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s?, s:s?, s:s?, s:b, s:I}", "id", (json_int_t)a->id, "username",
                     a->username, "full_name", a->full_name, "role", role_name(a->role), "unit_code", a->unit_code,
                     "unit_name", u ? u->name_with_type : NULL, "phone", a->phone, "email", a->email, "disabled",
                     a->disabled, "created_at", (json_int_t)a->created_at);
}
